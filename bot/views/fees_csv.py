"""The /fees CSV export's wording and cells (pure: rows in, text out).

One row per charge, then one totals row per currency. Amounts are plain decimals in the
currency's major unit (`100.00`, JPY `100`), dates ISO in `DIGEST_TZ`. Text that came from
people (emails, descriptions) is defused against formula injection: a spreadsheet runs a cell
that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula, so such a cell
gets a leading `'` (https://owasp.org/www-community/attacks/CSV_Injection).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol
from zoneinfo import ZoneInfo

from bot.money import Money, format_money, plain_amount

COLUMNS: Final = (
    "date",
    "vendor",
    "account",
    "PaymentIntent",
    "customer email",
    "currency",
    "gross",
    "fee",
    "refunded",
    "fee refunded",
    "net",
    "charge",
    "description",
)
TOTAL: Final = "TOTAL"  # the `date` cell of a totals row
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


class ExportedCharge(Protocol):
    """One charge as the export reads it (amounts in minor units)."""

    @property
    def id(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def vendor_user_id(self) -> str: ...
    @property
    def stripe_account_id(self) -> str: ...
    @property
    def payment_intent_id(self) -> str | None: ...
    @property
    def customer_email(self) -> str | None: ...
    @property
    def currency(self) -> str: ...
    @property
    def amount(self) -> int: ...
    @property
    def application_fee_amount(self) -> int: ...
    @property
    def amount_refunded(self) -> int: ...
    @property
    def fee_refunded(self) -> int: ...
    @property
    def description(self) -> str | None: ...


def safe_cell(text: str | None) -> str:
    """`text` as a CSV cell no spreadsheet runs as a formula (None is empty)."""
    if not text:
        return ""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _plain(amount: int, currency: str) -> str:
    return plain_amount(Money(amount, currency))


def charge_net(charge: ExportedCharge) -> int:
    """What the vendor keeps of one charge: gross - refunded - (fee - fee refunded)."""
    fees = charge.application_fee_amount - charge.fee_refunded
    return charge.amount - charge.amount_refunded - fees


def charge_cells(charge: ExportedCharge, tz: ZoneInfo) -> list[str]:
    """One charge's row, in `COLUMNS` order."""
    c = charge.currency
    return [
        charge.created_at.astimezone(tz).date().isoformat(),
        safe_cell(charge.vendor_user_id),
        safe_cell(charge.stripe_account_id),
        safe_cell(charge.payment_intent_id),
        safe_cell(charge.customer_email),
        c.upper(),
        _plain(charge.amount, c),
        _plain(charge.application_fee_amount, c),
        _plain(charge.amount_refunded, c),
        _plain(charge.fee_refunded, c),
        _plain(charge_net(charge), c),
        safe_cell(charge.id),
        safe_cell(charge.description),
    ]


@dataclass
class CurrencySums:
    """Running sums of one currency's charges, in minor units. `fees` and `net` as /fees
    counts them: the fee net of fee refunds, and gross - refunds - fees."""

    currency: str
    count: int = 0
    gross: int = 0
    fee: int = 0
    refunds: int = 0
    fee_refunded: int = 0

    @property
    def fees(self) -> int:
        return self.fee - self.fee_refunded

    @property
    def net(self) -> int:
        return self.gross - self.refunds - self.fees

    def add(self, charge: ExportedCharge) -> None:
        self.count += 1
        self.gross += charge.amount
        self.fee += charge.application_fee_amount
        self.refunds += charge.amount_refunded
        self.fee_refunded += charge.fee_refunded


def totals_cells(sums: CurrencySums) -> list[str]:
    """A currency's totals row: `TOTAL`, the charge count in the vendor column, the sums."""
    c = sums.currency
    count = f"{sums.count} charge{'' if sums.count == 1 else 's'}"
    return [
        TOTAL,
        count,
        "",
        "",
        "",
        c.upper(),
        _plain(sums.gross, c),
        _plain(sums.fee, c),
        _plain(sums.refunds, c),
        _plain(sums.fee_refunded, c),
        _plain(sums.net, c),
        "",
        "",
    ]


def _m(amount: int, currency: str) -> str:
    return format_money(Money(amount, currency))


def export_comment(label: str, sums: Sequence[CurrencySums], vendor_user_id: str | None) -> str:
    """The one line the file is shared with: per currency, the same figures as /fees."""
    who = f" of <@{vendor_user_id}>" if vendor_user_id else ""
    parts = [
        f"{s.currency.upper()}: {s.count:,} charge{'' if s.count == 1 else 's'}, "
        f"gross {_m(s.gross, s.currency)}, platform fees {_m(s.fees, s.currency)}, "
        f"refunds {_m(s.refunds, s.currency)}, net to vendors {_m(s.net, s.currency)}"
        for s in sums
    ]
    return f"Fees{who} for {label} as CSV · " + " · ".join(parts)


def export_filename(period: str, vendor_user_id: str | None) -> str:
    """`fees-2025-03-01..2025-03-31.csv`, with the vendor's id when there is one."""
    vendor = f"-{vendor_user_id}" if vendor_user_id else ""
    return f"fees-{period}{vendor}.csv"


def preparing(label: str) -> str:
    return f"Preparing the CSV of fees for {label}; it will appear in this channel."


def nothing_to_export(label: str) -> str:
    return f"Fees for {label}: no charges, so there is no CSV to share."


def not_shared(error: str | None) -> str:
    """Why the CSV did not reach the channel, and what the person can do about it."""
    if error == "not_in_channel":
        return (
            "I can't share files in this channel because I'm not a member. Invite me "
            "(`/invite @connectbot`) and type the command again, or run it in a channel I'm in."
        )
    if error == "channel_not_found":
        return (
            "I can't see this conversation (a private channel or a DM I'm not part of), so the "
            "CSV was not shared. Invite me, or run the command in my DM or a channel I'm in."
        )
    if error == "is_archived":
        return "This channel is archived, so the CSV was not shared. Run the command elsewhere."
    if error == "missing_scope":
        return (
            "connectbot's Slack app may not upload files yet (it needs the `files:write` "
            "scope): ask an admin to reinstall it from the manifest, then try again."
        )
    return "Slack did not take the CSV, so nothing was shared. Type the command again."
