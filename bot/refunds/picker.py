"""What an operator may pick to refund: the refund modal, for one charge or as a picker.

Shared by `/refund` with no argument and the Refund button on a charge confirmation; both
then submit the modal, which `request_refund` handles exactly as `/refund <charge> [amount]`.
The modal's private metadata (the response URL to answer through, and the charge when there
is one) is written and read here, so both sides agree on its shape.
"""

from __future__ import annotations

import json
from typing import Any

from bot.money import Money, resolve_refund_amount
from bot.refusal import Refusal
from bot.services import Services
from bot.views.refund_modal import AMOUNT, PICKER_LIMIT, refund_modal
from storage.models import utcnow
from storage.repos import refundable

NOTHING_TO_REFUND = "There is no succeeded charge with anything left to refund in this workspace."
NOT_OPENED = "The refund form could not open (Slack said `{error}`). Try again, or use `/refund`."


async def picker_view(
    services: Services, *, team_id: str, response_url: str
) -> dict[str, Any] | Refusal:
    """The refund modal listing the workspace's recent charges with something left to refund.

    Refuses (`Refusal`) when there is none.
    """
    async with services.sessions() as session:
        choices = await refundable.recent(session, team_id=team_id, limit=PICKER_LIMIT)
    if not choices:
        return Refusal(NOTHING_TO_REFUND)
    meta = {"response_url": response_url, "received_at": utcnow()}
    return refund_modal(charge=None, choices=choices, private_metadata=dump_metadata(meta))


async def charge_view(
    services: Services, *, team_id: str, charge_id: str, response_url: str
) -> dict[str, Any] | Refusal:
    """The refund modal for one charge, its remaining amount prefilled.

    Refuses a charge that is not a succeeded connectbot charge of this workspace, or one
    already fully refunded.
    """
    charge = await refundable_charge(services, team_id=team_id, charge_id=charge_id)
    if isinstance(charge, Refusal):
        return charge
    meta = {"charge": charge_id, "response_url": response_url}
    return refund_modal(charge=charge, private_metadata=dump_metadata(meta))


async def refundable_charge(
    services: Services, *, team_id: str, charge_id: str
) -> refundable.RefundableCharge | Refusal:
    """The charge with what it has refunded or in flight; refused when nothing can be refunded."""
    async with services.sessions() as session:
        charge = await refundable.one(session, team_id=team_id, charge_id=charge_id)
    if charge is None:
        return Refusal(f"No succeeded connectbot charge `{charge_id}` in this workspace.")
    if charge.remaining <= 0:
        return Refusal(f"Charge `{charge_id}` has already been fully refunded.")
    return charge


async def check_submission(
    services: Services, *, team_id: str, charge_id: str, amount_text: str | None
) -> int | Refusal:
    """The amount a submitted modal asks to refund, checked before anything is stored.

    Refuses what `refundable_charge` refuses, and an amount `resolve_refund_amount` refuses
    (`field` AMOUNT); `request_refund` checks again in its own transaction.
    """
    charge = await refundable_charge(services, team_id=team_id, charge_id=charge_id)
    if isinstance(charge, Refusal):
        return charge
    checked = resolve_refund_amount(
        amount_text,
        charged=Money(charge.amount, charge.currency),
        already_refunded=charge.refunded,
    )
    return Refusal(checked.message, field=AMOUNT) if isinstance(checked, Refusal) else checked


def not_opened(error: str) -> str:
    """What to tell an operator whose refund modal Slack would not open (`error`: Slack's)."""
    return NOT_OPENED.format(error=error)


def dump_metadata(meta: dict[str, Any]) -> str:
    """The modal's private metadata: JSON, datetimes as ISO strings."""
    return json.dumps({k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in meta.items()})


def load_metadata(text: Any) -> dict[str, Any]:
    """The modal's private metadata back; empty when missing or not what `dump_metadata` wrote."""
    try:
        meta = json.loads(text or "{}")
    except (TypeError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}
