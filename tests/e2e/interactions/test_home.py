"""App Home: operators see vendors, today's volume and the last charges; vendors their own."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.scenario import charge_through_modal, connected_vendor, customer_with_card
from tests.e2e.stripe_totals import shown, stripe_totals
from tests.harness import ADMIN, OPERATOR, Connectbot

VERA, VICTOR, STRANGER = "U0VERA", "U0VICTOR", "U0STRANGER"


def texts(node: Any) -> list[str]:
    """Every `text` string in a view, in order (what the person reads)."""
    if isinstance(node, dict):
        return [
            t
            for key, value in node.items()
            for t in ([value] if key == "text" and isinstance(value, str) else texts(value))
        ]
    if isinstance(node, list):
        return [t for item in node for t in texts(item)]
    return []


async def open_home(cb: Connectbot, user: str) -> tuple[dict[str, Any], str]:
    """Open the App Home as `user`; the freshly published view and all its text."""
    before = len(await cb.posted("views.publish"))
    reply = await cb.slack_sender.app_home_opened(user)
    assert reply.status == 200

    async def published() -> list[dict[str, Any]]:
        calls = await cb.posted("views.publish")
        return calls[before:]

    [call] = await cb.until(published, what="the App Home to be published")
    assert call["params"]["user_id"] == user
    view = await cb.slack.home(user)
    assert view["type"] == "home"
    return view, "\n".join(texts(view["blocks"]))


def today_fields(view: dict[str, Any]) -> dict[str, list[str]]:
    """Today's figures as the App Home shows them: per currency, the five field texts."""
    shown_today: dict[str, list[str]] = {}
    for block in view["blocks"]:
        fields = [f["text"] for f in block.get("fields") or []]
        if fields and fields[0].startswith("*Charges ("):
            shown_today[fields[0].split("(")[1].split(")")[0].lower()] = fields
    return shown_today


def today_at_stripe(cb: Connectbot, accounts: list[str]) -> dict[str, list[str]]:
    """The same fields, from the fake Stripe's PaymentIntents and application fees."""
    expected: dict[str, list[str]] = {}
    for currency in ("usd", "eur"):
        totals = [stripe_totals(cb, account, currency) for account in accounts]
        count = sum(t.charges for t in totals)
        if count:
            expected[currency] = [
                f"*Charges ({currency.upper()})*\n{count}",
                f"*Volume*\n{shown(sum(t.gross for t in totals), currency)}",
                f"*Refunds*\n{shown(sum(t.refunds for t in totals), currency)}",
                f"*Platform fees*\n{shown(sum(t.fees for t in totals), currency)}",
                f"*Net to vendors*\n{shown(sum(t.net for t in totals), currency)}",
            ]
    return expected


async def three_charges(cb: Connectbot) -> tuple[Any, Any, Any, list[str]]:
    vera = await connected_vendor(cb, VERA)
    victor = await connected_vendor(
        cb, VICTOR, charges_enabled=False, status="onboarding", livemode=True
    )
    await customer_with_card(cb, "jane@example.com")
    declined = await customer_with_card(cb, "bob@example.com", card="pm_card_chargeDeclined")
    first = await charge_through_modal(cb, f"<@{VERA}> 100.00 jane@example.com", user=OPERATOR)
    second = await charge_through_modal(cb, f"<@{VERA}> 25.50 eur jane@example.com", user=OPERATOR)
    failed = await charge_through_modal(cb, f"<@{VERA}> 9.00 {declined.email}", user=OPERATOR)
    assert (first.status, second.status, failed.status) == ("succeeded", "succeeded", "failed")
    return first, second, failed, [vera.stripe_account_id, victor.stripe_account_id]


async def test_an_operator_sees_vendors_todays_volume_and_the_last_charges(cb: Connectbot) -> None:
    first, second, failed, accounts = await three_charges(cb)
    view, text = await open_home(cb, OPERATOR)
    assert len(view["blocks"]) <= 100
    # Each account links to its Connect page in its own mode: Vera's test, Victor's live.
    vera, victor = accounts
    board = "https://dashboard.stripe.com"
    assert (
        f"*<@{VERA}>* · <{board}/test/connect/accounts/{vera}|{vera}> · "
        ":large_green_circle: connected · Charges :white_check_mark:"
    ) in text
    assert (
        f"*<@{VICTOR}>* · <{board}/connect/accounts/{victor}|{victor}> · "
        ":large_yellow_circle: onboarding · Charges :x:"
    ) in text
    # Today, per currency: only succeeded charges count; fees are 10%.
    assert "*Charges (EUR)*\n1" in text and "*Volume*\n€25.50" in text
    assert "*Platform fees*\n€2.55" in text
    assert "*Charges (USD)*\n1" in text and "*Volume*\n$100.00" in text
    assert "*Platform fees*\n$10.00" in text
    assert today_fields(view) == today_at_stripe(cb, accounts)  # Stripe's figures, too
    # Last charges, newest first, failed ones included with their status.
    lines = [t for t in texts(view["blocks"]) if "`cb_ch_" in t]
    assert [line.rsplit("`", 2)[-2] for line in lines] == [failed.id, second.id, first.id]
    # Each charge's PaymentIntent links to its page on Vera's account.
    pi = failed.payment_intent_id
    assert lines[0] == (
        f"*$9.00* · <@{VERA}> · bob@example.com · :x: failed\n"
        f"PaymentIntent <{board}/{vera}/test/payments/{pi}|{pi}> · `{failed.id}`"
    )
    assert lines[2].startswith(f"*$100.00* · <@{VERA}> · jane@example.com · :white_check_mark:")

    # Admins count as operators; a later charge shows the next time the tab opens.
    third = await charge_through_modal(cb, f"<@{VERA}> 1.00 jane@example.com", user=OPERATOR)
    view, again = await open_home(cb, ADMIN)
    assert third.id in again and "*Volume*\n$101.00" in again
    assert today_fields(view) == today_at_stripe(cb, accounts)


async def test_only_the_last_ten_charges_are_listed(cb: Connectbot) -> None:
    vera = await connected_vendor(cb, VERA)
    await customer_with_card(cb, "jane@example.com")
    made = [
        await charge_through_modal(cb, f"<@{VERA}> {n}.00 jane@example.com", user=OPERATOR)
        for n in range(1, 12)
    ]
    view, text = await open_home(cb, OPERATOR)
    assert sum("`cb_ch_" in t for t in texts(view["blocks"])) == 10
    assert made[0].id not in text
    assert all(c.id in text for c in made[1:])
    assert "*Charges (USD)*\n11" in text and "*Volume*\n$66.00" in text
    assert today_fields(view) == today_at_stripe(cb, [vera.stripe_account_id])


async def test_a_vendor_sees_only_their_own_account_and_charges(cb: Connectbot) -> None:
    vera_vendor = await connected_vendor(cb, VERA)
    await connected_vendor(cb, VICTOR)
    await customer_with_card(cb, "jane@example.com")
    vera = await charge_through_modal(cb, f"<@{VERA}> 40.00 jane@example.com", user=OPERATOR)
    victor = await charge_through_modal(cb, f"<@{VICTOR}> 70.00 jane@example.com", user=OPERATOR)

    view, text = await open_home(cb, VERA)
    assert today_fields(view) == today_at_stripe(cb, [vera_vendor.stripe_account_id])
    assert "Your Stripe account" in text and f"*<@{VERA}>*" in text
    # Her own account stays code (its link opens the platform's Connect page); her charge's
    # PaymentIntent links to its page on her account.
    account = vera_vendor.stripe_account_id
    assert f"*<@{VERA}>* · `{account}` · " in text and "connect/accounts" not in text
    pi = vera.payment_intent_id
    link = f"<https://dashboard.stripe.com/{account}/test/payments/{pi}|{pi}>"
    assert f"PaymentIntent {link} · `{vera.id}`" in text
    assert vera.id in text and "*$40.00* · jane@example.com" in text
    assert "*Volume*\n$40.00" in text and "*Platform fees*\n$4.00" in text
    assert victor.id not in text and VICTOR not in text and "$70.00" not in text
    assert "Vendors (" not in text


async def test_refunds_and_net_stand_beside_volume_and_fees(cb: Connectbot) -> None:
    vera = await connected_vendor(cb, VERA)
    victor = await connected_vendor(cb, VICTOR)
    await customer_with_card(cb, "jane@example.com")
    big = await charge_through_modal(cb, f"<@{VERA}> 100.00 jane@example.com", user=OPERATOR)
    await charge_through_modal(cb, f"<@{VICTOR}> 20.00 jane@example.com", user=OPERATOR)
    reply = await cb.slack_sender.command("/refund", f"{big.id} 60", user_id=OPERATOR)
    key = str(reply.response_key)
    await cb.until(lambda: cb.slack.responses(key), what="the refund")
    await cb.events_handled()

    view, text = await open_home(cb, OPERATOR)
    # $120 volume, $60 refunded with its $6 of fee: fees $12 - $6 = $6, net 120 - 60 - 6 = $54.
    assert today_fields(view)["usd"] == [
        "*Charges (USD)*\n2",
        "*Volume*\n$120.00",
        "*Refunds*\n$60.00",
        "*Platform fees*\n$6.00",
        "*Net to vendors*\n$54.00",
    ]
    accounts = [vera.stripe_account_id, victor.stripe_account_id]
    assert today_fields(view) == today_at_stripe(cb, accounts)
    # The vendors with the most volume today, most first.
    top = next(t for t in texts(view["blocks"]) if t.startswith("*Most volume today*"))
    assert top.splitlines()[1:] == [
        f"<@{VERA}> · $100.00 · 1 charge",
        f"<@{VICTOR}> · $20.00 · 1 charge",
    ]
    assert "shows any other vendor" not in text  # both are listed

    view, text = await open_home(cb, VERA)
    assert today_fields(view)["usd"][2:] == [
        "*Refunds*\n$60.00",
        "*Platform fees*\n$4.00",
        "*Net to vendors*\n$36.00",
    ]


async def test_anyone_else_is_told_how_to_connect(cb: Connectbot) -> None:
    await connected_vendor(cb, VERA)
    await customer_with_card(cb, "jane@example.com")
    charge = await charge_through_modal(cb, f"<@{VERA}> 40.00 jane@example.com", user=OPERATOR)
    view, text = await open_home(cb, STRANGER)
    assert "`/connect-vendor`" in text
    assert charge.id not in text and VERA not in text and "$" not in json.dumps(view["blocks"])
