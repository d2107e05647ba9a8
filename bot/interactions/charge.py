"""The /charge confirmation modal: a fee preview that follows the inputs, and the submission.

The amount and currency inputs dispatch block_actions as they change; each recomputes the fee
with the same rules as the command and the submission, and updates the modal (views.update with
the view's `hash`, so an answer to an older keystroke never overwrites a newer view). The view's
private_metadata keeps what its preview shows (`shown`).

Submission re-checks everything from scratch (the operator, the amount and currency as typed,
Stripe's minimum, MAX_CHARGE_AMOUNT, a fee below the amount, the vendor still connected, the
customer) and answers problems on the field they concern. A valid submission whose amount,
currency or fee is not what the preview showed (it had not caught up with the typing, or the
vendor's fee changed meanwhile) charges nothing: the modal is updated to show the fee that
would be charged, and the next press of Charge charges it. Otherwise the charge row is stored
(keyed by the view id, so a double submit is one charge), the modal closes, and the Stripe work
follows after the ack.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.charges.drafts import ChargeDraft, Problem, check_draft, fee_preview, previewed
from bot.charges.execute import execute_charge
from bot.charges.submit import submit_charge
from bot.config import Settings
from bot.money import Money, Refusal, parse_money
from bot.parsing import MAX_DESCRIPTION
from bot.permissions import NOT_OPERATOR, is_operator
from bot.services import Services
from bot.views.charge import AMOUNT, CALLBACK_ID, CURRENCY, CUSTOMER, DESCRIPTION
from bot.views.charge_preview import with_fee_preview
from storage.models import Vendor
from storage.repos import customers as customer_repo

log = logging.getLogger(__name__)

#: Where a problem about each thing is shown (errors must name an input block).
FIELD_BLOCK = {"vendor": AMOUNT, "amount": AMOUNT, "customer": CUSTOMER, "description": DESCRIPTION}


#: Where a problem about each thing is shown (errors must name an input block).
FIELD_BLOCK = {"vendor": AMOUNT, "amount": AMOUNT, "customer": CUSTOMER, "description": DESCRIPTION}
STALE_NOTE = ":warning: *The fee changed since it was shown.* Check it, then press *Charge* again."


def register(app: AsyncApp, services: Services) -> None:
    async def on_submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = str(body["user"]["id"])
        draft = await _draft_from_view(services, view, user)
        if isinstance(draft, Problem):
            await ack(response_action="errors", errors={FIELD_BLOCK[draft.field]: draft.message})
            return
        meta = _metadata(view)
        shown = previewed(draft.money, draft.fee)
        if meta.get("shown") != shown:  # never charge a fee the operator did not see
            preview = fee_preview(services.settings, draft.money, draft.fee)
            updated = with_fee_preview(
                view,
                preview=preview,
                private_metadata=json.dumps({**meta, "shown": shown}),
                note=STALE_NOTE,
            )
            await ack(response_action="update", view=updated)
            return
        submitted = await submit_charge(
            services,
            draft,
            view_id=str(view["id"]),
            requested_by=user,
            origin_channel=meta.get("channel") or None,
            response_url=_text(meta.get("response_url")),
            received_at=_when(meta.get("received_at")),
        )
        await ack()  # closes the modal; the Stripe work follows
        if submitted.created and submitted.status == "pending":
            await execute_charge(services, submitted.charge_id, actor=user)

    async def on_edit(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        view = body.get("view") or {}
        if not view.get("id"):
            return
        preview, shown = await _preview(services, view)
        updated = with_fee_preview(
            view, preview=preview, private_metadata=json.dumps({**_metadata(view), "shown": shown})
        )
        try:
            await client.views_update(view_id=view["id"], hash=view.get("hash"), view=updated)
        except SlackApiError as exc:
            # hash_conflict: the modal changed since this action (a later keystroke's preview
            # is showing, with its own `shown`); not_found: it was closed. Nothing to do: the
            # submission refuses a fee the preview did not show.
            log.info("charge preview not updated: %s", exc.response.get("error"))

    app.view(CALLBACK_ID)(on_submit)
    app.action(AMOUNT)(on_edit)
    app.action(CURRENCY)(on_edit)


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _when(value: Any) -> datetime | None:
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return when if when is not None and when.tzinfo is not None else None


def _values(view: dict[str, Any]) -> dict[str, Any]:
    """block_id → the state of its one element."""
    values = (view.get("state") or {}).get("values") or {}
    return {block: next(iter(actions.values()), {}) for block, actions in values.items()}


def _selected(state: dict[str, Any]) -> str | None:
    option = state.get("selected_option")
    return str(option["value"]) if isinstance(option, dict) and option.get("value") else None


def _modal_money(settings: Settings, values: dict[str, Any]) -> Money | Problem:
    """The amount and currency the modal holds, under the command's rules."""
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
    return money


async def _vendor(services: Services, view: dict[str, Any]) -> Vendor | None:
    vendor_id = _metadata(view).get("vendor_id")
    if not isinstance(vendor_id, int):
        return None  # check_draft refuses a missing vendor
    async with services.sessions() as session:
        return await session.get(Vendor, vendor_id)


async def _draft_from_view(
    services: Services, view: dict[str, Any], user: str
) -> ChargeDraft | Problem:
    """The submitted charge, checked again from scratch; or the problem, by field."""
    settings = services.settings
    if not is_operator(settings, user):
        return Problem("amount", NOT_OPERATOR)
    values = _values(view)
    money = _modal_money(settings, values)
    if isinstance(money, Problem):
        return money
    customer_id = _selected(values.get(CUSTOMER, {}))
    # Only a row id as connectbot wrote it: `isdigit` alone lets "²" through to int(), and
    # a number past 64 bits overflows the database driver.
    if not customer_id or not customer_id.isascii() or not customer_id.isdigit():
        return Problem("customer", "Choose the customer to charge.")
    if len(customer_id) > 18:
        return Problem("customer", "Choose the customer to charge.")
    description = str(values.get(DESCRIPTION, {}).get("value") or "").strip() or None
    if description and len(description) > MAX_DESCRIPTION:
        return Problem("description", f"Keep the description under {MAX_DESCRIPTION} characters.")
    vendor = await _vendor(services, view)
    async with services.sessions() as session:
        customer = await customer_repo.by_id(session, int(customer_id))
    checked = check_draft(
        settings, vendor=vendor, customer=customer, money=money, description=description
    )
    if isinstance(checked, int):  # only without a customer, which was required here
        return Problem("customer", "Choose the customer to charge.")
    return checked


async def _preview(services: Services, view: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """The fee split for what the modal holds now and what it shows (`previewed`), or what is
    wrong with it and None."""
    settings = services.settings
    money = _modal_money(settings, _values(view))
    if isinstance(money, Problem):
        return f":warning: {money.message}", None
    checked = check_draft(
        settings,
        vendor=await _vendor(services, view),
        customer=None,
        money=money,
        description=None,
        customer_required=False,
    )
    if isinstance(checked, Problem):
        return f":warning: {checked.message}", None
    fee = checked if isinstance(checked, int) else checked.fee
    return fee_preview(settings, money, fee), previewed(money, fee)
