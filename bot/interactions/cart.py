"""A split cart's modal submission, its "Retry failed parts" button, and Approve / Reject.

Submission re-checks everything from scratch (the operator, every vendor, every part's fee,
the customer, the description) and charges only the parts and fees the modal showed: if a
vendor's fee changed meanwhile, nothing is stored and the modal says so. The cart is stored
(keyed by the view id, so a double submit is one cart), the modal closes, then the parts run.
A refused click is told why privately.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.charges.cart_approvals import decide_cart
from bot.charges.cart_confirm import parts_money, shown_parts
from bot.charges.cart_drafts import CartDraft, check_cart_customer, check_cart_terms
from bot.charges.cart_retry import retry_failed_parts
from bot.charges.cart_submit import charge_parts, submit_cart
from bot.interactions import modal_state as modal
from bot.notifications.routing import reply_privately
from bot.permissions import NOT_OPERATOR, is_operator
from bot.refusal import Refusal
from bot.services import Services
from bot.views.cart import CART_APPROVE, CART_REJECT, RETRY_FAILED
from bot.views.cart_modal import CART_CALLBACK_ID
from bot.views.charge import CUSTOMER, DESCRIPTION
from storage.models import Vendor, utcnow
from storage.repos import customers as customer_repo

FEES_CHANGED = (
    "A vendor's fee or status changed since this form opened, so nothing was charged. "
    "Cancel, and type the `/charge` again to see the current split."
)


def register(app: AsyncApp, services: Services) -> None:
    async def on_submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = str(body["user"]["id"])
        meta = modal.metadata(view)
        draft = await _draft(services, meta, modal.values(view), user)
        if isinstance(draft, Refusal):
            block = DESCRIPTION if draft.field == DESCRIPTION else CUSTOMER
            await ack(response_action="errors", errors={block: draft.message})
            return
        submitted = await submit_cart(
            services,
            draft,
            view_id=str(view["id"]),
            requested_by=user,
            origin_channel=modal.text(meta.get("channel")),
            response_url=modal.text(meta.get("response_url")),
            received_at=modal.when(meta.get("received_at")),
        )
        await ack()  # closes the modal; the Stripe work follows
        if submitted.created and submitted.status == "pending":
            await charge_parts(services, submitted.cart_id, actor=user)

    async def on_retry(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        received = utcnow()
        await ack()
        user = str(body["user"]["id"])
        result = await retry_failed_parts(services, str(action.get("value") or ""), user=user)
        if isinstance(result, Refusal):
            await _tell(services, body, action, user, result.message, received)

    async def on_decision(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        received = utcnow()
        await ack()
        user = str(body["user"]["id"])
        approve = action.get("action_id") == CART_APPROVE
        cart_id = str(action.get("value") or "")
        decided = await decide_cart(services, cart_id, approve=approve, user=user)
        if isinstance(decided, Refusal):
            await _tell(services, body, action, user, decided.message, received)
        elif approve:  # requests stored at submission; a vendor may have left since
            await charge_parts(services, cart_id, actor=user, recheck_vendors=True)

    app.view(CART_CALLBACK_ID)(on_submit)
    app.action(RETRY_FAILED)(on_retry)
    app.action(CART_APPROVE)(on_decision)
    app.action(CART_REJECT)(on_decision)


async def _tell(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    user: str,
    text: str,
    received: datetime,
) -> None:
    await reply_privately(
        services.sessions,
        user,
        message={"text": text},
        key=f"cart-refusal:{body.get('trigger_id') or action.get('action_ts')}",
        response_url=body.get("response_url"),
        received_at=received,
    )


async def _draft(
    services: Services, meta: dict[str, Any], values: dict[str, Any], user: str
) -> CartDraft | Refusal:
    """The submitted cart checked again from scratch, or the refusal (`field` description
    for the description, else shown on the customer picker)."""
    settings = services.settings
    if not is_operator(settings, user):
        return Refusal(NOT_OPERATOR)
    parts = parts_money(meta.get("parts"), meta.get("currency"))
    if parts is None:
        return Refusal("This form holds no cart; type the `/charge` again.")
    customer_id = modal.chosen_customer(values)
    if isinstance(customer_id, Refusal):
        return customer_id
    description = modal.typed_description(values)
    if isinstance(description, Refusal):
        return description
    async with services.sessions() as session:
        found = [(await session.get(Vendor, vendor_id), money) for vendor_id, money in parts]
        customer = await customer_repo.by_id(session, customer_id)
    terms = check_cart_terms(
        settings, [(v.slack_user_id if v else "?", v, money) for v, money in found]
    )
    if isinstance(terms, Refusal):
        return terms
    if shown_parts(terms) != meta.get("parts"):  # never charge a fee the operator did not see
        return Refusal(FEES_CHANGED)
    return check_cart_customer(terms, customer, "", description)
