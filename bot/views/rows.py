"""The report rows views read, as shapes: views stay pure and never import `storage`.

`storage/repos/reports.py` and `storage/repos/refundable.py` return frozen dataclasses that
have these attributes; a view states only what it reads from them (every amount in minor units).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Totals(Protocol):
    """Succeeded charges in one currency over a period: `net` is gross - refunds - fees."""

    @property
    def currency(self) -> str: ...
    @property
    def count(self) -> int: ...
    @property
    def gross(self) -> int: ...
    @property
    def fees(self) -> int: ...
    @property
    def refunds(self) -> int: ...
    @property
    def net(self) -> int: ...


class CurrencyTotals(Totals, Protocol):
    """All vendors together in one currency, and how many vendors that is."""

    @property
    def vendors(self) -> int: ...


class VendorTotals(Totals, Protocol):
    """One vendor in one currency."""

    @property
    def vendor_user_id(self) -> str: ...
    @property
    def stripe_account_id(self) -> str: ...


class ListedCharge(Protocol):
    """One charge as a list shows it to a person (customer email or None)."""

    @property
    def id(self) -> str: ...
    @property
    def amount(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def vendor_user_id(self) -> str: ...
    @property
    def customer_email(self) -> str | None: ...


class RecentCharge(ListedCharge, Protocol):
    """A charge as the App Home lists it: its status, when it was made, and its PaymentIntent
    (None before Stripe was asked) on the vendor's `account` in `livemode`, for its link."""

    @property
    def status(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def payment_intent_id(self) -> str | None: ...
    @property
    def account(self) -> str | None: ...
    @property
    def livemode(self) -> bool: ...


class RefundableCharge(ListedCharge, Protocol):
    """A succeeded charge, what it has refunded or in flight, and the `remaining` rest."""

    @property
    def refunded(self) -> int: ...
    @property
    def remaining(self) -> int: ...
