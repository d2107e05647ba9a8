"""Payments that went wrong on a vendor's account, told to their channel, ops and the vendor.

* An early fraud warning on a charge (`radar.early_fraud_warning.created`): the charge is read
  from the vendor's account before the transaction (the warning names it, not its amount).
* A payment made outside connectbot that failed (`charge.failed`). A charge connectbot made
  carries `metadata.connectbot_charge_id` (Stripe copies the PaymentIntent's metadata onto its
  charges, https://support.stripe.com/questions/how-metadata-works-with-related-objects), and
  its failure is already told to the operator privately with the decline reason
  (`bot.charges.outcomes`): it is not announced again.
* A canceled PaymentIntent (`payment_intent.canceled`), connectbot's or not.

Each is keyed by the Stripe object and what happened to it, so duplicates post once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.charges.lookup import charge_for, id_of
from bot.config import Settings
from bot.money import Money
from bot.notifications.routing import tell_everyone_concerned
from bot.services import Services
from bot.stripe_ops.disputes import read_charge
from bot.stripe_ops.errors import StripeUnavailable
from bot.views.dashboard import vendor_label
from bot.views.payment_alerts import (
    PaymentFacts,
    early_fraud_warning_message,
    outside_charge_failed_message,
    payment_canceled_message,
)
from storage.models import Charge
from storage.repos import vendors


def _money(obj: dict[str, Any] | None) -> Money | None:
    if not obj or obj.get("amount") is None or not obj.get("currency"):
        return None
    return Money(int(obj["amount"]), str(obj["currency"]).lower())


async def _facts(
    session: AsyncSession,
    object_id: str,
    amount: Money | None,
    *,
    account: str | None,
    livemode: bool,
    charge: Charge | None,
) -> tuple[PaymentFacts, Any]:
    vendor = await vendors.by_account(session, account) if account else None
    label = vendor_label(vendor.slack_user_id if vendor else None, account, livemode=livemode)
    facts = PaymentFacts(
        object_id=object_id,
        amount=amount,
        vendor_label=label,
        account=account,
        livemode=livemode,
        charge_ref=charge.id if charge else None,
    )
    return facts, vendor


async def read_warned_charge(services: Services, event: dict[str, Any]) -> dict[str, Any] | None:
    """Before the transaction: the charge a fraud warning names, from its account (None when
    Stripe cannot tell: the message then says "an unknown amount" rather than wait)."""
    stripe_charge = id_of(event["data"]["object"].get("charge"))
    if not stripe_charge:
        return None
    account = event.get("account")
    found = await read_charge(services.stripe, str(account) if account else None, stripe_charge)
    return None if isinstance(found, StripeUnavailable) else found


async def announce_fraud_warning(
    session: AsyncSession,
    settings: Settings,
    warning: dict[str, Any],
    *,
    charge_read: dict[str, Any] | None,
    account: str | None,
    livemode: bool,
) -> None:
    """The warning, its charge (connectbot's id when it is one of its charges) and the advice."""
    stripe_charge = id_of(warning.get("charge")) or ""
    metadata = (charge_read or {}).get("metadata") or {}
    charge = await charge_for(
        session,
        stripe_charge_id=stripe_charge,
        payment_intent_id=id_of(warning.get("payment_intent")),
        connectbot_charge_id=metadata.get("connectbot_charge_id"),
    )
    amount = _money(charge_read) or (Money(charge.amount, charge.currency) if charge else None)
    facts, vendor = await _facts(
        session, stripe_charge, amount, account=account, livemode=livemode, charge=charge
    )
    msg = early_fraud_warning_message(
        facts,
        fraud_type=str(warning.get("fraud_type") or "misc"),
        actionable=bool(warning.get("actionable", True)),
    )
    key = f"fraud_warning:{warning['id']}"
    await tell_everyone_concerned(session, settings, vendor=vendor, message=msg, key=key)


async def announce_outside_failure(
    session: AsyncSession,
    settings: Settings,
    stripe_charge: dict[str, Any],
    *,
    account: str | None,
    livemode: bool,
) -> None:
    """A failed charge that connectbot did not make; nothing for one it made."""
    metadata = stripe_charge.get("metadata") or {}
    if metadata.get("connectbot_charge_id"):
        return  # connectbot's: the operator already heard, privately, with the decline reason
    known = await charge_for(
        session,
        stripe_charge_id=str(stripe_charge["id"]),
        payment_intent_id=id_of(stripe_charge.get("payment_intent")),
        connectbot_charge_id=None,
    )
    if known is not None:
        return
    facts, vendor = await _facts(
        session,
        str(stripe_charge["id"]),
        _money(stripe_charge),
        account=account,
        livemode=livemode,
        charge=None,
    )
    msg = outside_charge_failed_message(
        facts,
        reason=stripe_charge.get("failure_message"),
        code=stripe_charge.get("failure_code"),
        description=stripe_charge.get("description"),
    )
    key = f"charge_failed:{stripe_charge['id']}"
    await tell_everyone_concerned(session, settings, vendor=vendor, message=msg, key=key, ops=False)


async def announce_canceled(
    session: AsyncSession,
    settings: Settings,
    intent: dict[str, Any],
    *,
    account: str | None,
    livemode: bool,
) -> None:
    """A canceled PaymentIntent and why, naming connectbot's charge when it is one."""
    metadata = intent.get("metadata") or {}
    charge = await charge_for(
        session,
        stripe_charge_id=None,
        payment_intent_id=str(intent["id"]),
        connectbot_charge_id=metadata.get("connectbot_charge_id"),
    )
    facts, vendor = await _facts(
        session,
        str(intent["id"]),
        _money(intent),
        account=account,
        livemode=livemode,
        charge=charge,
    )
    msg = payment_canceled_message(facts, reason=intent.get("cancellation_reason"))
    key = f"payment_canceled:{intent['id']}"
    await tell_everyone_concerned(session, settings, vendor=vendor, message=msg, key=key, ops=False)
