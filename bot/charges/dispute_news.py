"""A dispute's life told to the vendor's channel, the ops channel and the vendor.

Each stage is told once per dispute: opened, each status it moves to, closed (its outcome),
funds withdrawn, funds reinstated; the outbox key names the dispute and the stage, so a
duplicate delivery, or two events saying the same, post nothing twice. Stripe delivers events
in any order: an update that arrives after the dispute closed (an audit row records the close)
is old news and is not told. A stage that may be about a charge whose answer connectbot still
awaits waits for it (`NotYetKnown`), as the opening does, so it names the charge the same way
in any order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.charges.lookup import charge_for, id_of
from bot.config import Settings
from bot.early_events import NotYetKnown
from bot.money import Money
from bot.notifications.routing import tell_everyone_concerned
from bot.views.dashboard import vendor_label
from bot.views.disputes import (
    DisputeFacts,
    dispute_closed_message,
    dispute_opened_message,
    dispute_updated_message,
    funds_reinstated_message,
    funds_withdrawn_message,
)
from storage.models import Charge, Vendor
from storage.repos import audit, charges, vendors

#: The balance transaction's reporting category for each movement of a dispute's funds
#: (https://docs.stripe.com/reports/reporting-categories: `dispute`, `dispute_reversal`).
_FUNDS_CATEGORY = {"funds_withdrawn": "dispute", "funds_reinstated": "dispute_reversal"}


async def known_charge(session: AsyncSession, dispute: dict[str, Any]) -> Charge | None:
    """connectbot's charge that the dispute names by Stripe's ids; None when none records them."""
    return await charge_for(
        session,
        stripe_charge_id=id_of(dispute.get("charge")),
        payment_intent_id=id_of(dispute.get("payment_intent")),
        connectbot_charge_id=None,
    )


def dispute_facts(
    dispute: dict[str, Any],
    *,
    vendor: Vendor | None,
    account: str | None,
    livemode: bool,
    charge: Charge | None,
) -> DisputeFacts:
    return DisputeFacts(
        dispute_id=str(dispute["id"]),
        amount=Money(int(dispute["amount"]), str(dispute["currency"]).lower()),
        reason=str(dispute.get("reason") or "unknown"),
        status=str(dispute.get("status") or "needs_response"),
        due_by=(dispute.get("evidence_details") or {}).get("due_by"),
        vendor_label=vendor_label(
            vendor.slack_user_id if vendor else None, account, livemode=livemode
        ),
        account=account,
        livemode=livemode,
        stripe_charge_id=id_of(dispute.get("charge")),
        charge_ref=charge.id if charge else None,
    )


async def announce_opened(
    session: AsyncSession, settings: Settings, facts: DisputeFacts, vendor: Vendor | None
) -> None:
    """The new dispute, once (keyed by the dispute)."""
    msg = dispute_opened_message(facts)
    key = f"dispute:{facts.dispute_id}"
    await tell_everyone_concerned(session, settings, vendor=vendor, message=msg, key=key)


async def announce_stage(
    session: AsyncSession,
    settings: Settings,
    dispute: dict[str, Any],
    *,
    stage: str,
    account: str | None,
    livemode: bool,
) -> None:
    """`stage` is the event's last word: updated, closed, funds_withdrawn or funds_reinstated."""
    dispute_id = str(dispute["id"])
    if stage == "updated" and await audit.exists(
        session, action="dispute.closed", target=dispute_id
    ):
        return  # the close was told already; this update is older news
    vendor = await vendors.by_account(session, account) if account else None
    charge = await known_charge(session, dispute)
    if charge is None and vendor is not None and await charges.awaiting_answer(session, vendor.id):
        # It may be the charge whose answer connectbot is still waiting for: name it the same
        # whatever the order the events come in, once its ids are recorded.
        raise NotYetKnown(f"{dispute.get('charge')} may be a charge on {account} just sent")
    facts = dispute_facts(dispute, vendor=vendor, account=account, livemode=livemode, charge=charge)
    if stage == "updated":
        msg, key = dispute_updated_message(facts), f"dispute:{dispute_id}:status:{facts.status}"
    elif stage == "closed":
        msg, key = dispute_closed_message(facts), f"dispute:{dispute_id}:closed"
    elif stage in _FUNDS_CATEGORY:
        msg, key = _funds_message(dispute, facts, stage), f"dispute:{dispute_id}:{stage}"
    else:
        return
    await tell_everyone_concerned(session, settings, vendor=vendor, message=msg, key=key)
    if stage == "closed" and not await audit.exists(
        session, action="dispute.closed", target=dispute_id
    ):
        await audit.record(
            session,
            team_id=vendor.team_id if vendor else None,
            actor="stripe",
            action="dispute.closed",
            target=dispute_id,
            outcome=facts.status,
            detail={"charge": charge.id if charge else facts.stripe_charge_id},
        )


def _funds_message(dispute: dict[str, Any], facts: DisputeFacts, stage: str) -> dict[str, Any]:
    """From the dispute's balance transaction of that kind (the amount and the fee Stripe
    took or gave back); the disputed amount when Stripe lists none."""
    category = _FUNDS_CATEGORY[stage]
    moves = [
        txn
        for txn in dispute.get("balance_transactions") or []
        if isinstance(txn, dict) and txn.get("reporting_category") == category
    ]
    # A balance transaction is in the account's settlement currency, not always the dispute's.
    currency = str(moves[-1]["currency"]).lower() if moves else facts.amount.currency
    amount = abs(int(moves[-1]["amount"])) if moves else facts.amount.amount
    if stage == "funds_withdrawn":
        fee = int(moves[-1].get("fee") or 0) if moves else 0
        return funds_withdrawn_message(
            facts, withdrawn=Money(amount, currency), fee=Money(fee, currency)
        )
    return funds_reinstated_message(facts, reinstated=Money(amount, currency))
