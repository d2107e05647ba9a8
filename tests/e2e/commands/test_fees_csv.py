"""/fees <period> csv: the CSV file in the channel, its rows and totals against /fees, scoping,
and what happens where connectbot may not share files.

The file is read back through the fake Slack (the bytes uploaded), parsed with the csv module,
and its totals turned into /fees' own lines with the fake's currency symbols: a CSV total that
differs from /fees by a cent fails here.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from storage.models import AuditEntry, Charge
from tests.e2e.commands.test_fees import fees
from tests.e2e.scenario import (
    charge_through_modal,
    charges_in_db,
    connected_vendor,
    customer_with_card,
    refund,
)
from tests.e2e.stripe_totals import SYMBOLS
from tests.harness import OPERATOR, Connectbot

VERA, VICTOR = "U0VERA", "U0VICTOR"
COLUMNS = [
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
]
EXPONENT = {"USD": 2, "EUR": 2, "JPY": 0}


async def export(
    cb: Connectbot, text: str, *, user: str = OPERATOR, channel: str = "C_GENERAL"
) -> tuple[str, str]:
    """Type `/fees text` (with csv in it); (the private ack, the response that followed or "")."""
    reply = await cb.slack_sender.command("/fees", text, user_id=user, channel_id=channel)
    assert reply.status == 200
    await cb.settled()
    later = await cb.slack.responses(str(reply.response_key))
    return reply.body, " ".join(str(r.get("text")) for r in later)


async def shared_csv(
    cb: Connectbot, channel: str = "C_GENERAL"
) -> tuple[list[dict[str, str]], Any]:
    """The one file shared in `channel`: its rows as dicts (header checked), and the message."""
    [shared] = await cb.until(lambda: cb.slack.files(channel), what="the CSV in the channel")
    content = await cb.slack.file_content(shared["id"])
    reader = csv.reader(io.StringIO(content.decode("utf-8"), newline=""))
    header, *rows = list(reader)
    assert header == COLUMNS
    [message] = [m for m in await cb.slack.messages(channel) if m.get("files")]
    assert message["files"][0]["id"] == shared["id"]
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows], message


def minor(amount: str, currency: str) -> int:
    """A CSV amount back in minor units, refusing anything but a plain decimal of the right
    number of places (no float, no symbol, no grouping)."""
    places = EXPONENT[currency]
    whole, _, fraction = amount.lstrip("-").partition(".")
    assert whole.isdigit() and len(fraction) == places and (not places or fraction.isdigit())
    return int(Decimal(amount).scaleb(places))


def shown(amount: int, currency: str) -> str:
    """Minor units as /fees shows them, formatted here (not with connectbot's code)."""
    places = EXPONENT[currency]
    sign = "-" if amount < 0 else ""
    units, cents = divmod(abs(amount), 10**places)
    number = f"{units:,}" + (f".{cents:0{places}d}" if places else "")
    return f"{sign}{SYMBOLS[currency.lower()]}{number}"


def fees_lines(rows: list[dict[str, str]]) -> tuple[list[str], list[str]]:
    """From the CSV alone: /fees' "All vendors" line per currency (from the totals rows) and
    its per-vendor lines (summed from the charge rows); checks each row's net on the way."""
    per_vendor: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    vendors: dict[str, set[str]] = defaultdict(set)
    for row in (r for r in rows if r["date"] != "TOTAL"):
        c = row["currency"]
        gross, fee, refunded, fee_back = (
            minor(row[k], c) for k in ("gross", "fee", "refunded", "fee refunded")
        )
        assert minor(row["net"], c) == gross - refunded - (fee - fee_back)
        sums = per_vendor[(row["vendor"], c)]
        for i, value in enumerate((1, gross, fee - fee_back, refunded)):
            sums[i] += value
        vendors[c].add(row["vendor"])
    all_lines = []
    for total in (r for r in rows if r["date"] == "TOTAL"):
        c = total["currency"]
        gross, fee, refunded, fee_back, net = (
            minor(total[k], c) for k in ("gross", "fee", "refunded", "fee refunded", "net")
        )
        count = int(total["vendor"].split()[0])
        n = len(vendors[c])
        all_lines.append(
            f"All vendors, {c}: {count} charge{'s' * (count != 1)} from {n} vendor"
            f"{'s' * (n != 1)}, gross {shown(gross, c)}, platform fees {shown(fee - fee_back, c)}, "
            f"refunds {shown(refunded, c)}, net to vendors {shown(net, c)}"
        )
    vendor_lines = [
        f"<@{user}>: {n} charge{'s' * (n != 1)}, gross {shown(g, c)}, platform fees "
        f"{shown(f, c)}, refunds {shown(r, c)}, net to vendor {shown(g - r - f, c)}"
        for (user, c), (n, g, f, r) in per_vendor.items()
    ]
    return all_lines, vendor_lines


async def test_the_csv_matches_fees_to_the_cent(cb: Connectbot) -> None:
    await connected_vendor(cb, VERA)
    await connected_vendor(cb, VICTOR)
    await customer_with_card(cb, "jane@example.com")
    first = await charge_through_modal(cb, f"<@{VERA}> 100.00 jane@example.com", user=OPERATOR)
    await charge_through_modal(
        cb, f'<@{VERA}> 50.00 jane@example.com =HYPERLINK("http://evil.test")', user=OPERATOR
    )
    await charge_through_modal(cb, f"<@{VICTOR}> 20.00 jane@example.com", user=OPERATOR)
    await charge_through_modal(cb, f"<@{VERA}> 30.00 eur jane@example.com", user=OPERATOR)
    await charge_through_modal(cb, f"<@{VICTOR}> 12.34 eur jane@example.com @here", user=OPERATOR)
    assert "Refunded" in await refund(cb, f"{first.id} 40")  # partial: a fee refund with it
    await cb.events_handled()

    _, summary = await fees(cb, "month")
    assert summary is not None
    ack, later = await export(cb, "month csv")
    assert "Preparing the CSV of fees for this month" in ack and later == ""
    rows, message = await shared_csv(cb)

    all_lines, vendor_lines = fees_lines(rows)
    listed = summary.splitlines()[1:]
    assert all_lines == listed[: len(all_lines)]  # EUR then USD, as /fees orders them
    assert sorted(vendor_lines) == sorted(listed[len(all_lines) :])
    assert len(all_lines) == 2 and len(vendor_lines) == 4

    # One row per charge, oldest first, with Stripe's ids; then a totals row per currency.
    charges: list[Charge] = await charges_in_db(cb)
    by_intent = {c.payment_intent_id: c for c in charges}
    charge_rows = [r for r in rows if r["date"] != "TOTAL"]
    assert [r["charge"] for r in charge_rows] == [
        c.id for c in sorted(charges, key=lambda c: (c.created_at, c.id))
    ]
    assert [r["currency"] for r in rows[-2:]] == ["EUR", "USD"]
    for row in charge_rows:
        charge = by_intent[row["PaymentIntent"]]
        assert row["customer email"] == "jane@example.com"
        assert minor(row["gross"], row["currency"]) == charge.amount
        assert minor(row["fee refunded"], row["currency"]) == charge.fee_refunded
    refunded = next(r for r in charge_rows if r["charge"] == first.id)
    assert (refunded["gross"], refunded["fee"], refunded["refunded"]) == (
        "100.00",
        "10.00",
        "40.00",
    )
    assert (refunded["fee refunded"], refunded["net"]) == ("4.00", "54.00")
    # Text that a spreadsheet would run as a formula is defused; plain text is left alone.
    descriptions = {r["description"] for r in charge_rows}
    assert '\'=HYPERLINK("http://evil.test")' in descriptions and "'@here" in descriptions

    # The file is shared with a one-line summary holding /fees' figures.
    assert message["text"].startswith("Fees for this month")
    assert "USD: 3 charges, gross $170.00, platform fees $13.00, refunds $40.00" in message["text"]
    [asked] = await cb.posted("files.getUploadURLExternal")
    size = len(await cb.slack.file_content(message["files"][0]["id"]))
    assert int(asked["params"]["length"]) == size
    assert asked["params"]["filename"].startswith("fees-") and asked["params"]["filename"].endswith(
        ".csv"
    )


async def test_vendors_export_only_their_own_and_nothing_half_posts(cb: Connectbot) -> None:
    await connected_vendor(cb, VERA)
    await connected_vendor(cb, VICTOR)
    await customer_with_card(cb, "jane@example.com")
    await charge_through_modal(cb, f"<@{VERA}> 10.00 jane@example.com", user=OPERATOR)
    await charge_through_modal(cb, f"<@{VICTOR}> 30.00 jane@example.com", user=OPERATOR)

    # Victor names Vera and gets his own charges, with /fees' figures for him.
    _, own = await fees(cb, "week", user=VICTOR)
    await export(cb, f"week csv <@{VERA}>", user=VICTOR)
    rows, message = await shared_csv(cb)
    assert {r["vendor"] for r in rows if r["date"] != "TOTAL"} == {VICTOR}
    assert own is not None and fees_lines(rows)[1] == own.splitlines()[1:]
    assert message["text"].startswith(f"Fees of <@{VICTOR}> for this week")

    # A channel the bot was never invited to: told privately what to do, nothing shared.
    await cb.slack.declare_conversation("C0LOCKED", "public", [OPERATOR], bot_member=False)
    ack, later = await export(cb, "week csv", channel="C0LOCKED")
    assert "Preparing" in ack
    assert "not a member" in later and "/invite @connectbot" in later
    seen = await cb.slack.messages("C0LOCKED")
    assert all(m.get("ephemeral_for") == OPERATOR and not m.get("files") for m in seen)
    assert await cb.slack.files("C0LOCKED") == []

    # A period without charges uploads nothing.
    calls_before = len(await cb.slack.calls("files.getUploadURLExternal"))
    _, empty = await export(cb, "2020-01 csv")
    assert "no charges, so there is no CSV" in empty
    assert len(await cb.slack.calls("files.getUploadURLExternal")) == calls_before
    refused, _ = await export(cb, "week csv", user="U0STRANGER")
    assert "Only connectbot operators, admins and vendors" in refused
    # One audit row per file that left connectbot: Victor's; none for the refusals.
    async with cb.sessions() as session:
        shared = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "fees.export"))
        ).all()
    assert [(a.actor, a.outcome, a.detail["vendor"]) for a in shared] == [
        (VICTOR, "shared", VICTOR)
    ]
