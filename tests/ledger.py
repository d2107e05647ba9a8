"""Does connectbot's ledger agree with the fake Stripe, to the cent, on every account?

`ledger_problems` compares settled rows only: a `pending` charge or refund is still in flight
(a test may leave one on purpose), and connectbot may lag Stripe while events about an object
are not yet handled. In that case its refunded figures may be *lower* than Stripe's, never
higher; once every event about the charge is handled (and no refund of it is in flight) they
must be equal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sandbox.stripe_fake.store import State
from storage.models import ApplicationFee, Charge, Refund, Vendor
from storage.repos.charges import charge_account

Json = dict[str, Any]


@dataclass(frozen=True)
class Ledger:
    """connectbot's side: its rows, and the Stripe events it has handled."""

    vendors: dict[int, Vendor]
    charges: list[Charge]
    refunds: list[Refund]
    fees: list[ApplicationFee]
    handled_events: set[str]


def ledger_problems(stripe: State, ledger: Ledger) -> list[str]:
    """Every way connectbot's rows and the fake Stripe's objects disagree."""
    lagging = _lagging_ids(stripe, ledger.handled_events)
    in_flight = {r.charge_id for r in ledger.refunds if r.status == "pending"}
    problems: list[str] = []
    for charge in ledger.charges:
        vendor = ledger.vendors.get(charge.vendor_id)
        account = charge_account(charge, vendor) if vendor else None
        if charge.status == "succeeded":
            problems += _succeeded(stripe, charge, account, lagging, charge.id in in_flight)
    problems += _money_taken(stripe, ledger.charges, lagging)
    by_id = {c.id: c for c in ledger.charges}
    for refund in ledger.refunds:
        refunded = by_id.get(refund.charge_id)
        if refund.status == "succeeded" and refund.stripe_refund_id and refunded:
            vendor = ledger.vendors.get(refunded.vendor_id)
            problems += _refund(stripe, refund, refunded, vendor)
    for fee in ledger.fees:
        problems += _fee(stripe, fee, lagging)
    return problems


def _lagging_ids(stripe: State, handled: set[str]) -> set[str]:
    """Ids of objects that an event connectbot has not handled yet is about."""
    ids: set[str] = set()
    for event in stripe.events:
        if event["id"] in handled:
            continue
        obj = event["data"]["object"]
        for key in ("id", "charge", "payment_intent"):
            value = obj.get(key)
            if isinstance(value, str):
                ids.add(value)
    return ids


def _owned(stripe: State, obj_id: str | None, kind: str, account: str | None) -> Json | None:
    if not obj_id:
        return None
    obj = stripe.objects.get(obj_id)
    if obj is None or obj.get("object") != kind or stripe.owners.get(obj_id) != account:
        return None
    return obj


def _succeeded(
    stripe: State, charge: Charge, account: str | None, lagging: set[str], refunding: bool
) -> list[str]:
    name = f"charge {charge.id}"
    intent = _owned(stripe, charge.payment_intent_id, "payment_intent", account)
    if intent is None:
        return [f"{name}: no PaymentIntent {charge.payment_intent_id} on {account}"]
    problems = [
        f"{name}: {field} is {mine!r} here, {theirs!r} on Stripe"
        for field, mine, theirs in (
            ("amount", charge.amount, intent["amount"]),
            ("currency", charge.currency, intent["currency"]),
            (
                "application_fee_amount",
                charge.application_fee_amount,
                intent["application_fee_amount"] or 0,
            ),
            ("status", "succeeded", intent["status"]),
            ("stripe_charge_id", charge.stripe_charge_id, intent["latest_charge"]),
        )
        if mine != theirs
    ]
    stripe_charge = _owned(stripe, intent["latest_charge"], "charge", account)
    if stripe_charge is None:
        return [*problems, f"{name}: no Stripe charge {intent['latest_charge']} on {account}"]
    fee = _owned(stripe, stripe_charge.get("application_fee"), "application_fee", None)
    figures = (
        ("amount_refunded", charge.amount_refunded, stripe_charge["amount_refunded"]),
        ("fee_refunded", charge.fee_refunded, fee["amount_refunded"] if fee else 0),
    )
    behind = refunding or bool({charge.payment_intent_id, stripe_charge["id"]} & lagging)
    for field, mine, theirs in figures:
        if mine > theirs or (mine != theirs and not behind):
            problems.append(f"{name}: {field} is {mine} here, {theirs} on Stripe")
    return problems


# Rows whose PaymentIntent must never have succeeded. A `requires_action` one may yet (the
# customer authenticates); connectbot hears of it through an event.
_NEVER_PAID = ("failed", "rejected", "awaiting_approval")


def _money_taken(stripe: State, charges: Iterable[Charge], lagging: set[str]) -> list[str]:
    """Succeeded PaymentIntents made for a connectbot charge: one each, and the row knows."""
    rows = {c.id: c for c in charges}
    made: Counter[str] = Counter()
    problems: list[str] = []
    for obj_id, intent in stripe.objects.items():
        if intent.get("object") != "payment_intent" or intent.get("status") != "succeeded":
            continue
        charge_id = (intent.get("metadata") or {}).get("connectbot_charge_id")
        if not charge_id:
            continue
        made[charge_id] += 1
        row = rows.get(charge_id)
        if row is None:
            problems.append(f"PaymentIntent {obj_id} succeeded for {charge_id}, which has no row")
        elif row.status in _NEVER_PAID or (
            row.status == "requires_action" and obj_id not in lagging
        ):
            problems.append(f"charge {charge_id} is {row.status} but {obj_id} took the money")
    problems += [f"charge {cid} was paid {n} times on Stripe" for cid, n in made.items() if n > 1]
    return problems


def _refund(stripe: State, refund: Refund, charge: Charge, vendor: Vendor | None) -> list[str]:
    account = charge_account(charge, vendor) if vendor else None
    found = _owned(stripe, refund.stripe_refund_id, "refund", account)
    name = f"refund {refund.id} of {charge.id}"
    if found is None:
        return [f"{name}: no Stripe refund {refund.stripe_refund_id} on {account}"]
    problems = []
    if found["amount"] != refund.amount:
        problems.append(f"{name}: amount is {refund.amount} here, {found['amount']} on Stripe")
    if found["charge"] != charge.stripe_charge_id:
        problems.append(
            f"{name}: refunds {found['charge']} on Stripe, not {charge.stripe_charge_id}"
        )
    return problems


def _fee(stripe: State, fee: ApplicationFee, lagging: set[str]) -> list[str]:
    found = _owned(stripe, fee.id, "application_fee", None)
    if found is None:
        return [f"application fee {fee.id}: not on the platform's Stripe account"]
    problems = [
        f"application fee {fee.id}: {field} is {mine!r} here, {theirs!r} on Stripe"
        for field, mine, theirs in (
            ("amount", fee.amount, found["amount"]),
            ("currency", fee.currency, found["currency"]),
            ("account", fee.stripe_account_id, found["account"]),
            ("charge", fee.stripe_charge_id, found["charge"]),
        )
        if mine != theirs
    ]
    mine, theirs = fee.amount_refunded, found["amount_refunded"]
    if mine > theirs or (mine != theirs and fee.id not in lagging):
        problems.append(
            f"application fee {fee.id}: amount_refunded is {mine} here, {theirs} on Stripe"
        )
    return problems
