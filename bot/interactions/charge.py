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
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.charges.drafts import ChargeDraft, check_draft, check_terms, fee_preview, previewed
from bot.charges.execute import execute_charge
from bot.charges.submit import submit_charge
from bot.config import Settings
from bot.interactions import modal_state as modal
from bot.money import Money, parse_money
from bot.permissions import NOT_OPERATOR, is_operator
from bot.refusal import Refusal
from bot.services import Services
from bot.views.charge import AMOUNT, CALLBACK_ID, CURRENCY, CUSTOMER, DESCRIPTION
from bot.views.charge_preview import with_fee_preview
from storage.models import Vendor
from storage.repos import customers as customer_repo

log = logging.getLogger(__name__)

#: Where a problem about each thing is shown (errors must name an input block).
FIELD_BLOCK = {"vendor": AMOUNT, "amount": AMOUNT, "customer": CUSTOMER, "description": DESCRIPTION}
STALE_NOTE = ":warning: *The fee changed since it was shown.* Check it, then press *Charge* again."


def register(app: AsyncApp, services: Services) -> None:
    async def on_submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = str(body["user"]["id"])
        form = _form(view)
        draft = await _draft_from_form(services, form, user)
        if isinstance(draft, Refusal):
            block = FIELD_BLOCK[draft.field or "amount"]
            await ack(response_action="errors", errors={block: draft.message})
            return
        meta = form.meta
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
            response_url=modal.text(meta.get("response_url")),
            received_at=modal.when(meta.get("received_at")),
        )
        await ack()  # closes the modal; the Stripe work follows
        if submitted.created and submitted.status == "pending":
            await execute_charge(services, submitted.charge_id, actor=user)

    async def on_edit(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        view = body.get("view") or {}
        if not view.get("id"):
            return
        form = _form(view)
        preview, shown = await _preview(services, form)
        updated = with_fee_preview(
            view, preview=preview, private_metadata=json.dumps({**form.meta, "shown": shown})
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


@dataclass(frozen=True)
class _Form:
    """The modal as submitted or edited, read once: its private metadata and its inputs."""

    meta: dict[str, Any]
    values: dict[str, Any]


def _form(view: dict[str, Any]) -> _Form:
    return _Form(modal.metadata(view), modal.values(view))


def _modal_money(settings: Settings, values: dict[str, Any]) -> Money | Refusal:
    """The amount and currency the modal holds, under the command's rules."""
    currency = modal.selected(values.get(CURRENCY, {})) or settings.default_currency
    money = parse_money(
        str(values.get(AMOUNT, {}).get("value") or ""),
        default_currency=currency,
        max_amount=settings.max_charge_amount,
    )
    if isinstance(money, Refusal):
        return Refusal(money.message, field="amount")
    if money.currency != currency:
        return Refusal(
            f"The amount is in {money.currency.upper()} but the currency chosen is "
            f"{currency.upper()}; make them agree.",
            field="amount",
        )
    return money


async def _vendor(services: Services, form: _Form) -> Vendor | None:
    vendor_id = form.meta.get("vendor_id")
    if not isinstance(vendor_id, int):
        return None  # check_draft refuses a missing vendor
    async with services.sessions() as session:
        return await session.get(Vendor, vendor_id)


async def _draft_from_form(services: Services, form: _Form, user: str) -> ChargeDraft | Refusal:
    """The submitted charge, checked again from scratch; or the refusal, by field."""
    settings = services.settings
    if not is_operator(settings, user):
        return Refusal(NOT_OPERATOR, field="amount")
    values = form.values
    money = _modal_money(settings, values)
    if isinstance(money, Refusal):
        return money
    customer_id = modal.chosen_customer(values)
    if isinstance(customer_id, Refusal):
        return customer_id
    description = modal.typed_description(values)
    if isinstance(description, Refusal):
        return description
    vendor = await _vendor(services, form)
    async with services.sessions() as session:
        customer = await customer_repo.by_id(session, customer_id)
    return check_draft(
        settings, vendor=vendor, customer=customer, money=money, description=description
    )


async def _preview(services: Services, form: _Form) -> tuple[str, dict[str, Any] | None]:
    """The fee split for what the modal holds now and what it shows (`previewed`), or what is
    wrong with it and None."""
    settings = services.settings
    money = _modal_money(settings, form.values)
    if isinstance(money, Refusal):
        return f":warning: {money.message}", None
    terms = check_terms(settings, vendor=await _vendor(services, form), money=money)
    if isinstance(terms, Refusal):
        return f":warning: {terms.message}", None
    return fee_preview(settings, money, terms.fee), previewed(money, terms.fee)
