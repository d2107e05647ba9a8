"""The platform fee on every charge, not only the first, and on refunds the vendor makes itself.

For each charge the fee connectbot records, the `application_fee_amount` of the PaymentIntent
request the fake Stripe received, and Stripe's application fee object all agree to the cent:
for the second and third charge to an already shared customer, for a vendor with their own fee,
and in a zero-decimal currency.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.services import SERVICES
from storage.models import Charge, Refund, Vendor
from tests.e2e.scenario import charge_through_modal, connected_vendor, customer_with_card
from tests.harness import ADMIN, OPERATOR, Connectbot

VENDOR = "U0VENDOR1"


async def intent_requests(cb: Connectbot) -> dict[str, dict[str, Any]]:
    """The PaymentIntent creations the fake received, by idempotency key (first of each)."""
    found: dict[str, dict[str, Any]] = {}
    for entry in await cb.stripe.requests():
        if entry["method"] == "POST" and entry["path"] == "/v1/payment_intents":
            found.setdefault(str(entry["idempotency_key"]), entry)
    return found


async def stripe_fee_of(cb: Connectbot, charge: Charge) -> tuple[int, str]:
    """(amount, currency) of Stripe's application fee object for `charge`."""
    api = cb.app[SERVICES].stripe.api.v1
    fees = await api.application_fees.list_async(params={"charge": str(charge.stripe_charge_id)})
    [fee] = fees.data
    return fee.amount, fee.currency


async def assert_fee_agrees(cb: Connectbot, charge: Charge, expected: int) -> None:
    """The DB's fee is `expected`, and so are the request's and Stripe's fee object."""
    assert charge.status == "succeeded"
    assert charge.application_fee_amount == expected
    request = (await intent_requests(cb))[charge.idempotency_key]
    assert request["params"]["application_fee_amount"] == str(expected)
    assert request["params"]["amount"] == str(charge.amount)
    assert request["params"]["currency"] == charge.currency
    assert await stripe_fee_of(cb, charge) == (expected, charge.currency)


async def set_vendor_fee(cb: Connectbot, text: str) -> str:
    reply = await cb.slack_sender.command("/vendors", f"fee <@{VENDOR}|v> {text}", user_id=ADMIN)
    assert reply.status == 200 and reply.response_key is not None
    key = reply.response_key
    replies = await cb.until(lambda: cb.slack.responses(key), what="the fee answer")
    return str(replies[0]["text"])


async def test_second_and_third_charges_carry_the_recorded_fee(cb: Connectbot) -> None:
    vendor = await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    made = []
    for amount, fee in (("100.00", 1_000), ("25.50", 255), ("7.99", 80)):  # 10%, half up
        charge = await charge_through_modal(
            cb, f"<@{VENDOR}|v> {amount} jane@example.com", user=OPERATOR
        )
        await assert_fee_agrees(cb, charge, fee)
        made.append(charge)

    # One clone, attached to the vendor's customer, served all three charges.
    log = await cb.stripe.requests()
    clones = [r for r in log if r["method"] == "POST" and r["path"] == "/v1/payment_methods"]
    assert len(clones) == 1
    sent = [(await intent_requests(cb))[c.idempotency_key] for c in made]
    assert {r["stripe_account"] for r in sent} == {vendor.stripe_account_id}
    assert len({(r["params"]["customer"], r["params"]["payment_method"]) for r in sent}) == 1


async def test_a_vendor_with_their_own_fee(cb: Connectbot) -> None:
    await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    assert "2.9% + $0.30" in await set_vendor_fee(cb, "2.9% + 0.30")
    # 2.9% of 1050 = 30.45 -> 30, plus 30 fixed = 60, on every charge.
    for _ in range(2):
        charge = await charge_through_modal(
            cb, f"<@{VENDOR}|v> 10.50 jane@example.com", user=OPERATOR
        )
        await assert_fee_agrees(cb, charge, 60)


async def test_a_zero_decimal_currency(cb: Connectbot) -> None:
    await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    first = await charge_through_modal(
        cb, f"<@{VENDOR}|v> 1050 jpy jane@example.com", user=OPERATOR
    )
    await assert_fee_agrees(cb, first, 105)  # the default 10% of ¥1,050
    assert (first.amount, first.currency) == (1_050, "jpy")

    assert "2.9% + ¥30" in await set_vendor_fee(cb, "2.9% + 30 jpy")
    # 2.9% of ¥1,050 = 30.45 -> 30, plus ¥30 = ¥60; then ¥1,051: 30.479 -> 30, + 30 = 60 again.
    for amount in ("1050", "¥1,051"):
        charge = await charge_through_modal(
            cb, f"<@{VENDOR}|v> {amount} jpy jane@example.com", user=OPERATOR
        )
        await assert_fee_agrees(cb, charge, 60)


async def recorded(cb: Connectbot, charge_id: str) -> tuple[Charge, list[Refund]]:
    async with cb.sessions() as session:
        charge = await session.get(Charge, charge_id)
        refunds = (
            await session.scalars(
                select(Refund).where(Refund.charge_id == charge_id).order_by(Refund.id)
            )
        ).all()
    assert charge is not None
    return charge, list(refunds)


async def test_a_dashboard_refund_returns_no_fee_and_the_rest_only_its_share(
    cb: Connectbot,
) -> None:
    vendor: Vendor = await connected_vendor(cb, VENDOR)
    await customer_with_card(cb, "jane@example.com")
    charge = await charge_through_modal(cb, f"<@{VENDOR}|v> 100.00 jane@example.com", user=OPERATOR)
    await cb.stripe.dashboard_refund(vendor.stripe_account_id, str(charge.stripe_charge_id), 5_000)
    await cb.events_handled()
    after, refunds = await recorded(cb, charge.id)
    assert (after.amount_refunded, after.fee_refunded) == (5_000, 0)
    assert [(r.amount, r.fee_refunded) for r in refunds] == [(5_000, 0)]
    assert (await stripe_fee_of_refunded(cb, charge)) == 0

    reply = await cb.slack_sender.command("/refund", charge.id, user_id=OPERATOR)
    key = reply.response_key
    assert key is not None
    answer = await cb.until(lambda: cb.slack.responses(key), what="the refund answer")
    assert "Refunded $50.00" in answer[-1]["text"]
    assert "platform fee refunded $5.00" in answer[-1]["text"]  # half the fee, not all of it
    await cb.events_handled()
    after, refunds = await recorded(cb, charge.id)
    assert (after.amount_refunded, after.fee_refunded) == (10_000, 500)
    assert await stripe_fee_of_refunded(cb, charge) == 500


async def stripe_fee_of_refunded(cb: Connectbot, charge: Charge) -> int:
    api = cb.app[SERVICES].stripe.api.v1
    fees = await api.application_fees.list_async(params={"charge": str(charge.stripe_charge_id)})
    [fee] = fees.data
    return fee.amount_refunded
