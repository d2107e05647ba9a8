"""A dispute's life: `charge.dispute.created|updated|closed|funds_withdrawn|funds_reinstated`
told to the vendor's channel, the ops channel and the vendor (`bot.charges.dispute_news`).

`charge.dispute.created`:
The dispute names Stripe's charge and PaymentIntent; it may come before connectbot recorded
them on its charge row. Then the charge is read from the vendor's account, whose metadata
names the connectbot charge; it is read in the `prepare` step, before the event processor's
transaction, and only while one of the vendor's charges still awaits Stripe's answer. When
that read fails (the vendor revoked access), the handler waits (`NotYetKnown`) for the answer
rather than announce a connectbot charge as someone else's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.charges.dispute_news import announce_opened, announce_stage, dispute_facts
from bot.charges.dispute_news import known_charge as _known_charge
from bot.charges.lookup import charge_for, id_of
from bot.early_events import NotYetKnown
from bot.services import Services
from bot.stripe_events import EventContext, EventHandlers
from bot.stripe_ops.disputes import charge_metadata
from bot.stripe_ops.errors import StripeUnavailable
from storage.models import Charge, Vendor
from storage.repos import audit, charges, vendors

STAGES = ("updated", "closed", "funds_withdrawn", "funds_reinstated")


def register(handlers: EventHandlers) -> None:
    handlers.on("charge.dispute.created", prepare=read_disputed_charge)(dispute_created)
    handlers.on(*(f"charge.dispute.{stage}" for stage in STAGES))(dispute_progressed)


async def dispute_progressed(ctx: EventContext) -> None:
    await announce_stage(
        ctx.session,
        ctx.services.settings,
        ctx.object,
        stage=ctx.type.removeprefix("charge.dispute."),
        account=ctx.account,
        livemode=bool(ctx.event.get("livemode")),
    )


@dataclass(frozen=True)
class DisputedCharge:
    """The disputed charge's metadata as the vendor's account shows it, if Stripe could tell."""

    metadata: dict[str, str] | StripeUnavailable


async def read_disputed_charge(services: Services, event: dict[str, Any]) -> DisputedCharge | None:
    """Before the transaction: the disputed charge read from the vendor's account, when
    connectbot does not know it by its ids and one of the vendor's charges awaits Stripe's
    answer (it may be that one); None when there is no need to ask Stripe."""
    dispute, account = event["data"]["object"], event.get("account")
    stripe_charge = id_of(dispute.get("charge"))
    if not account or not stripe_charge:
        return None
    async with services.sessions() as session:
        vendor = await vendors.by_account(session, str(account))
        if vendor is None or await _known_charge(session, dispute) is not None:
            return None
        if not await charges.awaiting_answer(session, vendor.id):
            return None
    return DisputedCharge(await charge_metadata(services.stripe, str(account), stripe_charge))


async def dispute_created(ctx: EventContext) -> None:
    dispute = ctx.object
    stripe_charge = id_of(dispute.get("charge"))
    vendor = await vendors.by_account(ctx.session, ctx.account) if ctx.account else None
    charge = await _disputed_charge(ctx, vendor)
    facts = dispute_facts(
        dispute,
        vendor=vendor,
        account=ctx.account,
        livemode=bool(ctx.event.get("livemode")),
        charge=charge,
    )
    await announce_opened(ctx.session, ctx.services.settings, facts, vendor)
    await audit.record(
        ctx.session,
        team_id=vendor.team_id if vendor else None,
        actor="stripe",
        action="dispute.created",
        target=charge.id if charge else str(stripe_charge),
        outcome=str(dispute.get("status") or "needs_response"),
        detail={"dispute": dispute["id"], "amount": dispute["amount"]},
    )


async def _disputed_charge(ctx: EventContext, vendor: Vendor | None) -> Charge | None:
    """connectbot's charge the dispute is about; None when it is not one of connectbot's."""
    dispute = ctx.object
    stripe_charge = id_of(dispute.get("charge"))
    known = await _known_charge(ctx.session, dispute)
    if known is not None or vendor is None or not ctx.account or not stripe_charge:
        return known
    if not await charges.awaiting_answer(ctx.session, vendor.id):
        return None  # every charge of the vendor that reached Stripe is known by its ids
    read: DisputedCharge | None = ctx.prepared
    if read is None:  # the charge began awaiting its answer after the event was prepared
        raise NotYetKnown(f"{stripe_charge} may be a charge on {ctx.account} just sent")
    if isinstance(read.metadata, StripeUnavailable):
        raise NotYetKnown(f"{stripe_charge} may be a charge on {ctx.account} awaiting its answer")
    return await charge_for(
        ctx.session,
        stripe_charge_id=None,
        payment_intent_id=id_of(dispute.get("payment_intent")),
        connectbot_charge_id=read.metadata.get("connectbot_charge_id"),
    )
