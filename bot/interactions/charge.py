"""The /charge confirmation modal: live fee preview, and the submission that charges.

Submission re-checks everything (the operator may have edited the amount; the vendor may have
disconnected meanwhile) and answers problems on the field they concern. Then the charge row
is stored (keyed by the view id, so a double submit is one charge), the modal closes, and the
Stripe work follows after the ack.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.charges.drafts import ChargeDraft, Problem, check_draft
from bot.charges.execute import execute_charge
from bot.charges.submit import submit_charge
from bot.commands.charge import fee_preview
from bot.commands.parsing import MAX_DESCRIPTION
from bot.money import Refusal, parse_money
from bot.permissions import NOT_OPERATOR, is_operator
from bot.services import Services
from bot.views.charge import AMOUNT, CALLBACK_ID, CURRENCY, CUSTOMER, DESCRIPTION, FEE_PREVIEW
from storage.models import Vendor
from storage.repos import customers as customer_repo

log = logging.getLogger(__name__)

#: Where a problem about each thing is shown (errors must name an input block).
FIELD_BLOCK = {"vendor": AMOUNT, "amount": AMOUNT, "customer": CUSTOMER, "description": DESCRIPTION}


def register(app: AsyncApp, services: Services) -> None:
    async def on_submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = str(body["user"]["id"])
        draft = await _draft_from_view(services, view, user)
        if isinstance(draft, Problem):
            await ack(response_action="errors", errors={FIELD_BLOCK[draft.field]: draft.message})
            return
        meta = _metadata(view)
        submitted = await submit_charge(
            services,
            draft,
            view_id=str(view["id"]),
            requested_by=user,
            origin_channel=meta.get("channel") or None,
        )
        await ack()  # closes the modal; the Stripe work follows
        if submitted.created and submitted.status == "pending":
            await execute_charge(services, submitted.charge_id, actor=user)

    async def on_edit(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        view = body.get("view") or {}
        preview = await _preview(services, view)
        blocks = [
            _with_preview(b, preview) if b.get("block_id") == FEE_PREVIEW else b
            for b in view.get("blocks") or []
        ]
        updated = {
            k: view[k]
            for k in ("type", "title", "submit", "close", "callback_id", "private_metadata")
            if view.get(k) is not None
        }
        try:
            await client.views_update(
                view_id=view["id"], hash=view.get("hash"), view={**updated, "blocks": blocks}
            )
        except Exception as exc:  # a newer edit won the race (hash_conflict): nothing to do
            log.info("charge preview not updated: %r", exc)

    app.view(CALLBACK_ID)(on_submit)
    app.action(AMOUNT)(on_edit)
    app.action(CURRENCY)(on_edit)


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _values(view: dict[str, Any]) -> dict[str, Any]:
    """block_id → the state of its one element."""
    values = (view.get("state") or {}).get("values") or {}
    return {block: next(iter(actions.values()), {}) for block, actions in values.items()}


def _selected(state: dict[str, Any]) -> str | None:
    option = state.get("selected_option")
    return str(option["value"]) if isinstance(option, dict) and option.get("value") else None


async def _draft_from_view(
    services: Services, view: dict[str, Any], user: str
) -> ChargeDraft | Problem:
    """The submitted charge, checked again from scratch; or the problem, by field."""
    settings = services.settings
    if not is_operator(settings, user):
        return Problem("amount", NOT_OPERATOR)
    meta, values = _metadata(view), _values(view)
    currency = _selected(values.get(CURRENCY, {})) or settings.default_currency
    money = parse_money(
        str(values.get(AMOUNT, {}).get("value") or ""),
        default_currency=currency,
        max_amount=settings.max_charge_amount,
    )
    if isinstance(money, Refusal):
        return Problem("amount", money.message)
    if money.currency != currency:
        return Problem(
            "amount",
            f"The amount is in {money.currency.upper()} but the currency chosen is "
            f"{currency.upper()}; make them agree.",
        )
    customer_id = _selected(values.get(CUSTOMER, {}))
    if not customer_id or not customer_id.isdigit():
        return Problem("customer", "Choose the customer to charge.")
    description = str(values.get(DESCRIPTION, {}).get("value") or "").strip() or None
    if description and len(description) > MAX_DESCRIPTION:
        return Problem("description", f"Keep the description under {MAX_DESCRIPTION} characters.")
    async with services.sessions() as session:
        vendor_id = meta.get("vendor_id")
        vendor = await session.get(Vendor, int(vendor_id)) if vendor_id else None
        customer = await customer_repo.by_id(session, int(customer_id))
    checked = check_draft(
        settings, vendor=vendor, customer=customer, money=money, description=description
    )
    if isinstance(checked, int):  # only without a customer, which was required here
        return Problem("customer", "Choose the customer to charge.")
    return checked


async def _preview(services: Services, view: dict[str, Any]) -> str:
    """The fee split for what the modal holds now, or what is wrong with it."""
    settings = services.settings
    values = _values(view)
    currency = _selected(values.get(CURRENCY, {})) or settings.default_currency
    money = parse_money(
        str(values.get(AMOUNT, {}).get("value") or ""),
        default_currency=currency,
        max_amount=settings.max_charge_amount,
    )
    if isinstance(money, Refusal):
        return f":warning: {money.message}"
    async with services.sessions() as session:
        vendor_id = _metadata(view).get("vendor_id")
        vendor = await session.get(Vendor, int(vendor_id)) if vendor_id else None
    checked = check_draft(
        settings,
        vendor=vendor,
        customer=None,
        money=money,
        description=None,
        customer_required=False,
    )
    if isinstance(checked, Problem):
        return f":warning: {checked.message}"
    fee = checked if isinstance(checked, int) else checked.fee
    return fee_preview(settings, money, fee)


def _with_preview(block: dict[str, Any], preview: str) -> dict[str, Any]:
    return {**block, "elements": [{"type": "mrkdwn", "text": preview}]}
