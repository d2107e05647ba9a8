"""/fees: per-vendor count, gross, platform fees, refunds and net, to the cent, by role."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from storage.models import Charge
from tests.e2e.scenario import charge_through_modal, connected_vendor, customer_with_card
from tests.e2e.stripe_totals import StripeTotals, plural, shown, stripe_totals
from tests.harness import OPERATOR, Connectbot

VERA, VICTOR = "U0VERA", "U0VICTOR"


async def fees(cb: Connectbot, text: str, *, user: str = OPERATOR) -> tuple[str, str | None]:
    """(ack text, response text) of `/fees text`."""
    reply = await cb.slack_sender.command("/fees", text, user_id=user)
    assert reply.status == 200
    if reply.body:
        return reply.body, None
    key = str(reply.response_key)
    [response] = await cb.until(lambda: cb.slack.responses(key), what="the summary")
    assert response["response_type"] == "in_channel"
    return "", str(response["text"])


def line_from_stripe(user: str, totals: StripeTotals) -> str:
    """The /fees line for `user`, built from Stripe's figures alone."""
    return (
        f"<@{user}>: {plural(totals.charges, 'charge')}, gross {shown(totals.gross)}, "
        f"platform fees {shown(totals.fees)}, refunds {shown(totals.refunds)}, "
        f"net to vendor {shown(totals.net)}"
    )


async def test_fee_summary_per_vendor_with_refunds(cb: Connectbot) -> None:
    vera = await connected_vendor(cb, VERA)
    victor = await connected_vendor(cb, VICTOR)
    await customer_with_card(cb, "jane@example.com")
    first = await charge_through_modal(cb, f"<@{VERA}> 100.00 jane@example.com", user=OPERATOR)
    await charge_through_modal(cb, f"<@{VERA}> 50.00 jane@example.com", user=OPERATOR)
    await charge_through_modal(cb, f"<@{VICTOR}> 20.00 jane@example.com", user=OPERATOR)
    declined = await customer_with_card(cb, "bob@example.com", card="pm_card_chargeDeclined")
    failed = await charge_through_modal(cb, f"<@{VICTOR}> 99.00 {declined.email}", user=OPERATOR)
    assert failed.status == "failed"  # not counted below
    reply = await cb.slack_sender.command("/refund", f"{first.id} 40", user_id=OPERATOR)
    key = str(reply.response_key)
    await cb.until(lambda: cb.slack.responses(key), what="the refund")
    await cb.events_handled()

    _, summary = await fees(cb, "today")
    assert summary is not None
    all_line, vera_line, victor_line = summary.splitlines()[1:]
    # Totals across all vendors come first: 3 charges, $170 gross, $13 fees, $40 refunded.
    assert all_line == (
        "All vendors, USD: 3 charges from 2 vendors, gross $170.00, platform fees $13.00, "
        "refunds $40.00, net to vendors $117.00"
    )
    # Vera: $150 gross, fees $15 - $4 refunded = $11, refunds $40, net 150 - 40 - 11 = $99.
    assert vera_line == (
        f"<@{VERA}>: 2 charges, gross $150.00, platform fees $11.00, refunds $40.00, "
        "net to vendor $99.00"
    )
    assert victor_line == (
        f"<@{VICTOR}>: 1 charge, gross $20.00, platform fees $2.00, refunds $0.00, "
        "net to vendor $18.00"
    )
    # The same figures as Stripe's PaymentIntents, refunds and application fees.
    vera_at_stripe = stripe_totals(cb, vera.stripe_account_id)
    assert vera_at_stripe == StripeTotals(
        charges=2, gross=150_00, fees=11_00, refunds=40_00, disputes=0
    )
    assert vera_line == line_from_stripe(VERA, vera_at_stripe)
    assert victor_line == line_from_stripe(VICTOR, stripe_totals(cb, victor.stripe_account_id))

    _, only_victor = await fees(cb, f"<@{VICTOR}> month")
    assert only_victor is not None and VERA not in only_victor
    assert only_victor.splitlines()[1:] == [victor_line]


async def test_vendors_see_only_their_own_fees_and_others_are_refused(cb: Connectbot) -> None:
    await connected_vendor(cb, VERA)
    victor = await connected_vendor(cb, VICTOR)
    await customer_with_card(cb, "jane@example.com")
    await charge_through_modal(cb, f"<@{VERA}> 10.00 jane@example.com", user=OPERATOR)
    await charge_through_modal(cb, f"<@{VICTOR}> 30.00 jane@example.com", user=OPERATOR)

    _, own = await fees(cb, f"week <@{VERA}>", user=VICTOR)  # asks about Vera, gets himself
    assert own is not None and VERA not in own and "gross $30.00" in own
    assert own.splitlines()[1:] == [
        line_from_stripe(VICTOR, stripe_totals(cb, victor.stripe_account_id))
    ]
    refused, _ = await fees(cb, "", user="U0STRANGER")
    assert "Only connectbot operators, admins and vendors" in refused


async def test_bad_periods_are_refused_with_usage(cb: Connectbot) -> None:
    answer, _ = await fees(cb, "2026-13")
    assert "Usage" in answer
    answer, _ = await fees(cb, "2026-02-10..2026-02-01")
    assert "Usage" in answer
    _, empty = await fees(cb, "2020-01")
    assert empty == "Fees for January 2020: no charges."


async def _age(cb: Connectbot, charge_id: str, to: datetime) -> None:
    """Move a charge's creation back in time (a charge made on an earlier day)."""
    async with cb.sessions.begin() as session:
        await session.execute(update(Charge).where(Charge.id == charge_id).values(created_at=to))


async def test_yesterday_last_week_and_last_month(cb: Connectbot) -> None:
    await connected_vendor(cb, VERA)
    await customer_with_card(cb, "jane@example.com")
    charge = await charge_through_modal(cb, f"<@{VERA}> 10.00 jane@example.com", user=OPERATOR)
    tz = ZoneInfo(cb.settings.digest_tz)
    today = datetime.now(tz).date()
    noon = time(12, tzinfo=tz)

    yesterday = today - timedelta(days=1)
    _, quiet = await fees(cb, "yesterday")
    assert quiet == f"Fees for yesterday ({yesterday.isoformat()}): no charges."
    await _age(cb, charge.id, datetime.combine(yesterday, noon))
    _, summary = await fees(cb, "yesterday")
    assert summary is not None and "gross $10.00" in summary
    _, single_day = await fees(cb, yesterday.isoformat())  # the same day, named by date
    assert single_day is not None and single_day.splitlines()[1:] == summary.splitlines()[1:]
    _, nothing_today = await fees(cb, "today")
    assert nothing_today is not None and nothing_today.endswith("no charges.")

    monday = today - timedelta(days=today.weekday() + 7)
    await _age(cb, charge.id, datetime.combine(monday + timedelta(days=6), noon))  # a Sunday
    _, last_week = await fees(cb, "last-week")
    assert last_week is not None
    assert last_week.startswith(f"Fees for last week ({monday}..{monday + timedelta(days=6)}):")
    assert "gross $10.00" in last_week

    end_of_last_month = today.replace(day=1) - timedelta(days=1)
    await _age(cb, charge.id, datetime.combine(end_of_last_month, noon))
    _, last_month = await fees(cb, "LAST-MONTH")
    assert last_month is not None and "gross $10.00" in last_month
    assert last_month.startswith(f"Fees for {end_of_last_month:%B %Y}:")
    _, this_month = await fees(cb, "month")
    assert this_month is not None and this_month.endswith("no charges.")


async def test_the_refusal_and_the_usage_name_every_period(cb: Connectbot) -> None:
    answer, _ = await fees(cb, "fortnight")
    refusal, usage = answer.split("\n\n", 1)
    for word in ("`today`", "`yesterday`", "`week`", "`last-week`", "`month`", "`last-month`"):
        assert word in refusal
    assert "a day like `2025-03-14`" in refusal and "a month like `2025-03`" in refusal
    assert (
        "today|yesterday|week|last-week|month|last-month|YYYY-MM|YYYY-MM-DD|"
        "YYYY-MM-DD..YYYY-MM-DD" in usage
    )
