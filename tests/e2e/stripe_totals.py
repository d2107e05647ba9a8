"""A vendor's figures as the fake Stripe has them, for checking what /fees, App Home and the
digest show against Stripe's objects rather than against connectbot's own rows.

Everything here reads the fake's state (`cb.stripe.held`): PaymentIntents, refunds and
disputes on the vendor's connected account, and the platform's application fees collected from
it. Nothing is taken from connectbot's database or formatted with connectbot's code.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.harness import Connectbot

SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£"}


@dataclass(frozen=True)
class StripeTotals:
    """One vendor's succeeded charges in one currency, from Stripe's objects (minor units)."""

    charges: int
    gross: int
    fees: int  # application fees kept: collected minus refunded
    refunds: int
    disputes: int

    @property
    def net(self) -> int:
        """What the vendor keeps: gross, less refunds, less the platform's fees."""
        return self.gross - self.refunds - self.fees


def stripe_totals(cb: Connectbot, account: str, currency: str = "usd") -> StripeTotals:
    """The figures of `account`'s succeeded PaymentIntents in `currency` (all of them: the
    tests that use this make every charge on one day)."""
    held = cb.stripe.held
    intents = [
        i
        for i in held("payment_intent", account)
        if i["status"] == "succeeded" and i["currency"] == currency
    ]
    charges = {i["latest_charge"] for i in intents}
    fees = [f for f in held("application_fee", None) if f["charge"] in charges]
    assert all(f["account"] == account for f in fees)
    refunds = [
        r for r in held("refund", account) if r["charge"] in charges and r["status"] == "succeeded"
    ]
    return StripeTotals(
        charges=len(intents),
        gross=sum(i["amount"] for i in intents),
        fees=sum(f["amount"] - f["amount_refunded"] for f in fees),
        refunds=sum(r["amount"] for r in refunds),
        disputes=sum(d["charge"] in charges for d in held("dispute", account)),
    )


def shown(amount: int, currency: str = "usd") -> str:
    """`amount` (minor units of a two-decimal currency) as people read it: `$1,234.50`."""
    return f"{SYMBOLS[currency]}{amount / 100:,.2f}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
