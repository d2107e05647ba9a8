"""When a split cart's parts have all answered: the channel's one cart confirmation, and the
requester's report when a part did not go through.

Called in the transaction that records a part's outcome (`outcomes.apply_attempt`), whoever
records it (listener, webhook, reconciler). The cart's row lock makes those transactions take
turns, so the last part to settle sees every other part settled, and the cart's conditional
move to `settled` lets exactly one of them announce each round; the outbox's dedupe keys
(`cart:<id>:summary…`) would refuse a second copy anyway. A later round (a retry of failed
parts) that settles edits the channel's confirmation in place: one message per cart, current.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.charges.cart_drafts import cart_facts
from bot.charges.deciding import update_ops_request
from bot.config import Settings
from bot.notifications.routing import tell_ops, tell_privately, tell_user
from bot.views.cart import cart_report_message, cart_summary_message
from bot.views.charge_messages import ChargeFacts, succeeded_message
from storage.models import Charge, Vendor
from storage.repos import carts, outbox

#: Statuses of a part that has no answer yet.
IN_FLIGHT = ("pending", "awaiting_approval")


async def announce_part(
    session: AsyncSession, vendor: Vendor, facts: ChargeFacts, outcome: str, key: str
) -> None:
    """A vendor sees their own part only: by DM, and in their own channel when they have one
    (never the ops channel, which gets the whole cart once it settles). Failures are told
    once, in the cart's report to the requester."""
    if outcome != "succeeded":
        return
    own = succeeded_message(facts, refundable=False)  # only operators refund
    await tell_user(session, vendor.slack_user_id, message=own, key=key)
    message = succeeded_message(facts)
    if vendor.channel_id:
        await outbox.enqueue(
            session,
            kind="post",
            target=vendor.channel_id,
            payload=message,
            dedupe_key=f"{key}:channel",
        )


async def part_settled(session: AsyncSession, settings: Settings, charge: Charge) -> None:
    """If `charge` was a cart's last part in flight, settle the cart and queue its messages."""
    assert charge.cart_id is not None
    # After the part's row, against the usual order (docs/architecture.md, "Lock order"): safe
    # only because whoever holds the cart (deciding it, retrying failed parts) never updates a
    # part that is being settled.
    cart = await carts.lock(session, charge.cart_id)
    if cart is None or cart.status != "pending":
        return
    parts = carts.current_parts(await carts.rows(session, cart.id))
    if any(part.status in IN_FLIGHT for part in parts):
        return
    if not await carts.set_status(session, cart.id, "settled", was=("pending",)):
        return
    facts = await cart_facts(session, cart, parts)  # parts settled just now: not read again
    summary = cart_summary_message(facts)
    first = summary_key(cart.id)
    if await outbox.original(session, f"{first}:ops") is None:
        await tell_ops(session, settings, message=summary, key=first)
    elif settings.ops_channel_id:
        await update_ops_request(
            session,
            settings.ops_channel_id,
            summary,
            request_key=first,
            dedupe_key=f"{first}:round:{cart.rounds}",
        )
    if any(part.status != "succeeded" for part in parts):
        await tell_privately(
            session,
            cart.requested_by,
            message=cart_report_message(facts),
            key=f"cart:{cart.id}:round:{cart.rounds}:report",
            response_url=cart.response_url,
        )


def summary_key(cart_id: str) -> str:
    """The cause key of the channel's cart confirmation (its message is `…:ops`)."""
    return f"cart:{cart_id}:summary"
