"""Deciding a split cart whose total awaits a second operator's approval, in one transaction.

One decision for the whole cart: operators only, never the requester approving their own
cart, the first decision wins (a conditional update on the cart's status); the parts follow
(`pending` or `rejected`) in the same transaction. The ops channel's request is edited to
name who decided; a rejected cart's requester is told. Charging the parts is `charge_parts`'s.
"""

from __future__ import annotations

from bot.charges.cart_drafts import cart_facts
from bot.charges.cart_submit import cart_approval_key
from bot.charges.deciding import audit_decision, decider_refusal, update_ops_request
from bot.notifications.routing import tell_privately
from bot.refusal import Refusal
from bot.services import Services
from bot.views.cart import cart_decided, cart_note
from storage.models import Cart
from storage.repos import carts


async def decide_cart(
    services: Services, cart_id: str, *, approve: bool, user: str
) -> Cart | Refusal:
    """The decided cart, or why the clicker is refused (not an operator, the requester
    approving their own cart, an unknown cart, a cart already decided)."""
    verb = "approve" if approve else "reject"
    async with services.sessions.begin() as session:
        cart = await carts.lock(session, cart_id)
        refusal = decider_refusal(services.settings, cart, noun="cart", user=user, approve=approve)
        if refusal is None and cart is not None:
            values = {"approved_by": user} if approve else {}
            status = "pending" if approve else "rejected"
            if not await carts.set_status(
                session, cart_id, status, was=("awaiting_approval",), **values
            ):
                refusal = Refusal(f"This cart was already {_decided(cart)}.")
        await audit_decision(
            session,
            cart,
            target=cart_id,
            actor=user,
            action=f"cart.{verb}",
            outcome="refused" if refusal else verb + "d",
            reason=refusal.message if refusal else None,
        )
        if refusal is not None:
            return refusal
        assert cart is not None
        await carts.decide_parts(session, cart_id, approve=approve, by=user)
        decided = await carts.by_id(session, cart_id)
        assert decided is not None
        facts = await cart_facts(session, decided)
        channel = services.settings.ops_channel_id
        if channel:
            await update_ops_request(
                session,
                channel,
                cart_decided(facts, approved=approve, by=user),
                request_key=cart_approval_key(cart_id),
                dedupe_key=f"cart:{cart_id}:decided",
            )
        if not approve:
            await tell_privately(
                session,
                decided.requested_by,
                message=cart_note(f"<@{user}> rejected cart `{cart_id}`. Nothing was charged."),
                key=f"cart:{cart_id}:rejected",
                response_url=decided.response_url,
            )
    return decided


def _decided(cart: Cart) -> str:
    if cart.status == "rejected":
        return "rejected"
    return f"approved by <@{cart.approved_by}>" if cart.approved_by else "decided"
