"""Storing a confirmed split cart, then charging its parts.

One transaction writes the cart and every part's charge row (`pending`, or all
`awaiting_approval` when the total needs a second operator, with one approval request for the
whole cart), each part keyed by the modal's view id and its vendor, before Stripe is called.
Then each pending part runs as any charge does (`execute_charge`): shared customer, stored
request, its own idempotency key; a part Stripe does not answer stays `pending` for the
reconciler, with its original key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.charges.cart_drafts import CartDraft, cart_facts
from bot.charges.drafts import needs_approval
from bot.charges.execute import execute_charge
from bot.charges.rows import add_charge_row, remember_response_url
from bot.money import Money, format_money
from bot.notifications.routing import tell_ops, tell_privately
from bot.services import Services
from bot.views.cart import cart_approval_request, cart_note
from storage.models import Cart
from storage.repos import audit, carts


@dataclass(frozen=True)
class SubmittedCart:
    cart_id: str
    status: str
    created: bool  # False: this view was already submitted (a double click or a retry)


def part_key(view_id: str, vendor_id: int) -> str:
    """One key per part of one confirmation modal: stable however often it is submitted."""
    return f"cart:{view_id}:{vendor_id}"


async def submit_cart(
    services: Services,
    draft: CartDraft,
    *,
    view_id: str,
    requested_by: str,
    origin_channel: str | None,
    response_url: str | None = None,
    received_at: datetime | None = None,
) -> SubmittedCart:
    """Store the cart and its parts in one transaction; a second submission of the same view
    returns the first cart and stores nothing."""
    terms, customer = draft.terms, draft.customer
    approval = needs_approval(services.settings, terms.total)
    status = "awaiting_approval" if approval else "pending"
    async with services.sessions.begin() as session:
        cart, created = await carts.add(
            session,
            id=carts.new_cart_id(),
            team_id=terms.vendors[0].team_id,
            requested_by=requested_by,
            customer_id=customer.id,
            currency=terms.total.currency,
            amount=terms.total.amount,
            application_fee_amount=terms.fees,
            description=draft.description,
            origin_channel_id=origin_channel,
            response_url=response_url,
            idempotency_key=f"cart:{view_id}",
            status=status,
        )
        if not created:
            return SubmittedCart(cart.id, cart.status, False)
        for vendor, line in zip(terms.vendors, terms.lines, strict=True):
            await add_charge_row(
                session,
                vendor=vendor,
                customer=customer,
                money=line.money,
                fee=line.fee,
                description=draft.description,
                requested_by=requested_by,
                origin_channel=origin_channel,
                response_url=response_url,
                idempotency_key=part_key(view_id, vendor.id),
                status=status,
                cart_id=cart.id,
            )
        await remember_response_url(
            session, response_url, user_id=requested_by, received_at=received_at
        )
        await audit.record(
            session,
            team_id=cart.team_id,
            actor=requested_by,
            action="cart.request",
            target=cart.id,
            outcome=status,
            detail={
                "customer": customer.email,
                "amount": cart.amount,
                "currency": cart.currency,
                "application_fee_amount": cart.application_fee_amount,
                "parts": [
                    {"vendor": v.stripe_account_id, "amount": line.money.amount, "fee": line.fee}
                    for v, line in zip(terms.vendors, terms.lines, strict=True)
                ],
            },
        )
        if approval:
            await _ask_for_approval(session, services, cart)
    return SubmittedCart(cart.id, status, True)


async def _ask_for_approval(session: Any, services: Services, cart: Cart) -> None:
    settings = services.settings
    assert settings.ops_channel_id and settings.approval_threshold is not None
    facts = await cart_facts(session, cart)
    threshold = Money(settings.approval_threshold, cart.currency)
    await tell_ops(
        session,
        settings,
        message=cart_approval_request(facts, threshold=threshold),
        key=cart_approval_key(cart.id),
    )
    total = format_money(Money(cart.amount, cart.currency))
    await tell_privately(
        session,
        cart.requested_by,
        message=cart_note(
            f"Cart `{cart.id}` ({total}) needs a second operator's approval; the request is in "
            "the ops channel. Nothing is charged until someone approves."
        ),
        key=f"cart:{cart.id}:awaiting",
        response_url=cart.response_url,
    )


def cart_approval_key(cart_id: str) -> str:
    """The cause key of the cart's approval request; its ops-channel message is `…:ops`."""
    return f"cart:{cart_id}:approval"


async def charge_parts(
    services: Services, cart_id: str, *, actor: str, recheck_vendors: bool = False
) -> list[str]:
    """Run every `pending` current part of the cart against Stripe, one after another; their
    statuses afterwards. A part that is not `pending` is left alone. `recheck_vendors`: the
    first send after the cart's approval (`execute_charge`'s `recheck_vendor`)."""
    async with services.sessions() as session:
        parts = carts.current_parts(await carts.rows(session, cart_id))
    return [
        await execute_charge(services, part.id, actor=actor, recheck_vendor=recheck_vendors)
        for part in parts
        if part.status == "pending"
    ]
