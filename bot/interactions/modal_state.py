"""Reading a submitted or edited modal, shared by the /charge and the split cart's modals:
its private metadata, its inputs, and the customer and description they name.

Everything here reads what Slack sent as untrusted: a malformed value reads as missing.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.parsing import MAX_DESCRIPTION
from bot.refusal import Refusal
from bot.views.charge import CUSTOMER, DESCRIPTION


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    """The view's private_metadata as a dict; {} when it is missing or not a JSON object."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def values(view: dict[str, Any]) -> dict[str, Any]:
    """block_id → the state of its one element."""
    found = (view.get("state") or {}).get("values") or {}
    return {block: next(iter(actions.values()), {}) for block, actions in found.items()}


def text(value: Any) -> str | None:
    """`value` if it is a non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def when(value: Any) -> datetime | None:
    """An ISO 8601 time with its zone; None for anything else."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def selected(state: dict[str, Any]) -> str | None:
    """The value of the option picked in a select's state; None when none is."""
    option = state.get("selected_option")
    return str(option["value"]) if isinstance(option, dict) and option.get("value") else None


def chosen_customer(found: dict[str, Any]) -> int | Refusal:
    """The customer row id the picker holds, or a refusal on the `customer` field."""
    customer_id = selected(found.get(CUSTOMER, {}))
    # Only a row id as connectbot wrote it: `isdigit` alone lets "²" through to int(), and
    # a number past 64 bits overflows the database driver.
    if not customer_id or not customer_id.isascii() or not customer_id.isdigit():
        return Refusal("Choose the customer to charge.", field="customer")
    if len(customer_id) > 18:
        return Refusal("Choose the customer to charge.", field="customer")
    return int(customer_id)


def typed_description(found: dict[str, Any]) -> str | Refusal | None:
    """The description typed, stripped (None when blank), or a refusal on the `description`
    field when it is longer than MAX_DESCRIPTION."""
    description = str(found.get(DESCRIPTION, {}).get("value") or "").strip() or None
    if description and len(description) > MAX_DESCRIPTION:
        return Refusal(
            f"Keep the description under {MAX_DESCRIPTION} characters.", field=DESCRIPTION
        )
    return description
