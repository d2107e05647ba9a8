"""Refunding a split cart: the chosen parts (or every charged part), each in full, each through
the one refund flow (`request_refund`: its own row and key, the fee refunded in proportion,
reconciled if Stripe does not answer), so a cart's refund is exactly its parts' refunds."""

from __future__ import annotations

from bot.money import Money, format_money
from bot.refunds.outcomes import RefundResult
from bot.refunds.requests import request_refund
from bot.refusal import Refusal
from bot.services import Services
from storage.models import Charge, Vendor
from storage.repos import carts


async def refund_cart(
    services: Services,
    *,
    team_id: str,
    actor: str,
    cart_ref: str,
    vendor_user_ids: tuple[str, ...] | None,
    request_key: str,
) -> RefundResult | Refusal:
    """Refund what remains of each chosen part (`None`: every part charged); one line per part.

    Refuses an unknown cart, a vendor who has no part in it, a named part that was not
    charged, and a cart with nothing left to refund; nothing is sent then. The same request
    (`request_key`) twice refunds each part once.
    """
    async with services.sessions() as session:
        cart = await carts.by_id(session, cart_ref)
        if cart is None or cart.team_id != team_id:
            return Refusal(f"No connectbot cart `{cart_ref}` in this workspace.")
        parts: list[tuple[str, Charge]] = []
        for part in carts.current_parts(await carts.rows(session, cart.id)):
            vendor = await session.get(Vendor, part.vendor_id)
            assert vendor is not None  # a foreign key
            parts.append((vendor.slack_user_id, part))
    chosen = _chosen(cart_ref, parts, vendor_user_ids)
    if isinstance(chosen, Refusal):
        return chosen
    lines = []
    for user, part in chosen:
        result = await request_refund(
            services,
            team_id=team_id,
            actor=actor,
            ref=part.id,
            amount_text=None,
            request_key=f"cart:{request_key}",
        )
        text = result.message if isinstance(result, Refusal) else result.text
        lines.append(
            f"• <@{user}>'s part ({format_money(Money(part.amount, part.currency))}): {text}"
        )
    return RefundResult(f"Cart `{cart_ref}`:\n" + "\n".join(lines))


def _chosen(
    cart_ref: str, parts: list[tuple[str, Charge]], vendor_user_ids: tuple[str, ...] | None
) -> list[tuple[str, Charge]] | Refusal:
    by_user = dict(parts)
    if vendor_user_ids is None:
        left = [
            (u, p) for u, p in parts if p.status == "succeeded" and p.amount_refunded < p.amount
        ]
        if not left:
            return Refusal(f"Cart `{cart_ref}` has no charged part left to refund.")
        return left
    chosen = []
    for user in vendor_user_ids:
        part = by_user.get(user)
        if part is None:
            return Refusal(f"<@{user}> has no part in cart `{cart_ref}`.")
        if part.status != "succeeded":
            return Refusal(f"<@{user}>'s part of cart `{cart_ref}` was not charged.")
        chosen.append((user, part))
    return chosen
