"""The fake Stripe's rules for payment methods, customers, off-session payments and fee refunds.

Each test pins one rule the fake enforces (the sources are cited beside the code in
sandbox/stripe_fake): customers.create attaches its payment_method, a default must be attached,
an unattached method is good for one payment, clones follow the Connect guide, an off-session
card needing authentication is a failed charge, and application fees are refunded only by the
platform, in proportion, by the same rule connectbot uses.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
import stripe
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.money import fee_refund_for
from sandbox.stripe_fake.payment_methods import CONSUMED_MESSAGE
from sandbox.stripe_fake.refunds import proportional_fee
from sandbox.stripe_fake.testing import StripeFake

from .stripe_helpers import connected_account, customer_with_card, stripe_client, vendor_card


async def pay(
    c: stripe.StripeClient, method: str, *, account: str | None = None, **extra: Any
) -> stripe.PaymentIntent:
    params: Any = {
        "amount": 2000,
        "currency": "usd",
        "payment_method": method,
        "confirm": True,
        "off_session": True,
        **extra,
    }
    options: Any = {"stripe_account": account} if account else {}
    return await c.v1.payment_intents.create_async(params=params, options=options)


# --- customers.create(payment_method=…) and the default payment method ----------------------


async def test_customer_create_attaches_its_payment_method(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    card = await client.v1.payment_methods.create_async(
        params={"type": "card", "card": {"token": "tok_visa"}}
    )
    assert card.customer is None
    cus = await client.v1.customers.create_async(
        params={
            "payment_method": card.id,
            "invoice_settings": {"default_payment_method": card.id},
        }
    )
    assert cus.invoice_settings is not None
    assert cus.invoice_settings.default_payment_method == card.id
    assert (await client.v1.payment_methods.retrieve_async(card.id)).customer == cus.id
    listed = await client.v1.customers.payment_methods.list_async(cus.id)
    assert [m.id for m in listed.data] == [card.id]
    attached = [e for e in await stripe_fake.events() if e["type"] == "payment_method.attached"]
    assert [e["data"]["object"]["customer"] for e in attached] == [cus.id]
    # Attached, the method is good for more than one payment.
    for _ in range(3):
        assert (await pay(client, card.id, customer=cus.id)).status == "succeeded"


async def test_a_default_must_be_attached_to_that_customer(client: stripe.StripeClient) -> None:
    loose = await client.v1.payment_methods.create_async(
        params={"type": "card", "card": {"token": "tok_visa"}}
    )
    with pytest.raises(stripe.InvalidRequestError) as err:
        await client.v1.customers.create_async(
            params={"email": "a@x.io", "invoice_settings": {"default_payment_method": loose.id}}
        )
    assert err.value.http_status == 400
    assert err.value.param == "invoice_settings[default_payment_method]"
    assert err.value.user_message == (
        f"The customer does not have a payment method with the ID {loose.id}. "
        "The payment method must be attached to the customer."
    )
    assert (await client.v1.customers.list_async()).data == []  # nothing was created

    cus, card = await customer_with_card(client)
    other, _ = await customer_with_card(client)
    for method in (loose.id, "pm_card_visa"):
        with pytest.raises(stripe.InvalidRequestError) as err:
            await client.v1.customers.update_async(
                cus,
                params={
                    "email": "new@x.io",
                    "invoice_settings": {"default_payment_method": method},
                },
            )
        assert "must be attached to the customer" in str(err.value.user_message)
    with pytest.raises(stripe.InvalidRequestError) as err:
        await client.v1.customers.update_async(
            other, params={"invoice_settings": {"default_payment_method": card}}
        )
    assert "must be attached to the customer" in str(err.value.user_message)
    with pytest.raises(stripe.InvalidRequestError) as err:
        await client.v1.customers.update_async(
            cus, params={"invoice_settings": {"default_payment_method": "pm_nothere"}}
        )
    assert err.value.code == "resource_missing"
    unchanged = await client.v1.customers.retrieve_async(cus)
    assert unchanged.email == "buyer@example.com"  # a refused update changes nothing
    updated = await client.v1.customers.update_async(
        cus, params={"invoice_settings": {"default_payment_method": card}}
    )
    assert updated.invoice_settings is not None
    assert updated.invoice_settings.default_payment_method == card


async def test_customer_create_refuses_a_method_of_another_customer(
    client: stripe.StripeClient,
) -> None:
    _, card = await customer_with_card(client)
    with pytest.raises(stripe.InvalidRequestError) as err:
        await client.v1.customers.create_async(params={"payment_method": card})
    assert err.value.code == "payment_method_unexpected_state"
    assert len((await client.v1.customers.list_async()).data) == 1


# --- one use for a method attached to nobody ----------------------------------------------


@pytest.mark.parametrize("first", ["tok_visa", "tok_chargeDeclined"])
async def test_an_unattached_method_is_good_for_one_payment(
    client: stripe.StripeClient, first: str
) -> None:
    loose = await client.v1.payment_methods.create_async(
        params={"type": "card", "card": {"token": first}}
    )
    if first == "tok_visa":
        assert (await pay(client, loose.id)).status == "succeeded"
    else:
        with pytest.raises(stripe.CardError):  # a declined attempt uses it up too
            await pay(client, loose.id)
    cus = await client.v1.customers.create_async(params={})
    attempts = (
        lambda: pay(client, loose.id),
        lambda: pay(client, loose.id, customer=cus.id),
        lambda: client.v1.payment_methods.attach_async(loose.id, params={"customer": cus.id}),
        lambda: client.v1.customers.create_async(params={"payment_method": loose.id}),
    )
    for attempt in attempts:
        with pytest.raises(stripe.InvalidRequestError) as err:
            await attempt()
        assert err.value.http_status == 400
        assert err.value.user_message == CONSUMED_MESSAGE
        assert err.value.code is None and err.value.param is None


async def test_a_method_of_another_customer_is_refused(client: stripe.StripeClient) -> None:
    _, card = await customer_with_card(client)
    other = await client.v1.customers.create_async(params={})
    for extra in ({"customer": other.id}, {}):
        with pytest.raises(stripe.InvalidRequestError) as err:
            await pay(client, card, **extra)
        assert err.value.param == "payment_method"
        assert "belongs to a different Customer" in str(err.value.user_message)
    intents = await client.v1.payment_intents.list_async()
    assert intents.data == []


# --- cloning onto a connected account --------------------------------------------------------


async def test_a_clone_is_unattached_and_good_for_one_charge(client: stripe.StripeClient) -> None:
    cus, card = await customer_with_card(client)
    acct = await connected_account(client)
    opts: Any = {"stripe_account": acct}
    clone = await client.v1.payment_methods.create_async(
        params={"customer": cus, "payment_method": card}, options=opts
    )
    assert clone.customer is None and clone.id != card
    assert (await pay(client, clone.id, account=acct)).status == "succeeded"
    with pytest.raises(stripe.InvalidRequestError) as err:
        await pay(client, clone.id, account=acct)
    assert err.value.user_message == CONSUMED_MESSAGE
    # The platform's method is untouched: clone it again for the next charge.
    again = await client.v1.payment_methods.create_async(
        params={"customer": cus, "payment_method": card}, options=opts
    )
    assert (await pay(client, again.id, account=acct)).status == "succeeded"


async def test_a_clone_attached_on_the_connected_account_is_reusable(
    client: stripe.StripeClient,
) -> None:
    cus, card = await customer_with_card(client)
    acct = await connected_account(client)
    opts: Any = {"stripe_account": acct}
    clone = await client.v1.payment_methods.create_async(
        params={"customer": cus, "payment_method": card}, options=opts
    )
    there = await client.v1.customers.create_async(
        params={
            "payment_method": clone.id,
            "invoice_settings": {"default_payment_method": clone.id},
        },
        options=opts,
    )
    for _ in range(3):
        assert (await pay(client, clone.id, account=acct, customer=there.id)).status == "succeeded"
    stranger = await client.v1.customers.create_async(params={}, options=opts)
    with pytest.raises(stripe.InvalidRequestError) as err:
        await pay(client, clone.id, account=acct, customer=stranger.id)
    assert "belongs to a different Customer" in str(err.value.user_message)


async def test_clone_needs_the_customer_that_owns_the_method(client: stripe.StripeClient) -> None:
    cus, card = await customer_with_card(client)
    other, _ = await customer_with_card(client)
    acct = await connected_account(client)
    opts: Any = {"stripe_account": acct}
    with pytest.raises(stripe.InvalidRequestError) as err:
        await client.v1.payment_methods.create_async(
            params={"customer": other, "payment_method": card}, options=opts
        )
    assert err.value.user_message == (
        f"The customer does not have a payment method with the ID {card}. "
        "The payment method must be attached to the customer."
    )
    with pytest.raises(stripe.InvalidRequestError) as err:
        await client.v1.payment_methods.create_async(params={"payment_method": card}, options=opts)
    assert err.value.param == "customer"
    with pytest.raises(stripe.InvalidRequestError) as err:  # only onto a connected account
        await client.v1.payment_methods.create_async(
            params={"customer": cus, "payment_method": card}
        )
    listed = await client.v1.payment_methods.create_async(
        params={"customer": cus, "payment_method": card}, options=opts
    )
    assert listed.card is not None and listed.card.last4 == "4242"


async def test_cloning_an_unattached_method_uses_it_up(client: stripe.StripeClient) -> None:
    loose = await client.v1.payment_methods.create_async(
        params={"type": "card", "card": {"token": "tok_visa"}}
    )
    acct = await connected_account(client)
    opts: Any = {"stripe_account": acct}
    await client.v1.payment_methods.create_async(params={"payment_method": loose.id}, options=opts)
    with pytest.raises(stripe.InvalidRequestError) as err:
        await client.v1.payment_methods.create_async(
            params={"payment_method": loose.id}, options=opts
        )
    assert err.value.user_message == CONSUMED_MESSAGE
    with pytest.raises(stripe.InvalidRequestError):
        await pay(client, loose.id)


async def test_clone_across_modes_is_not_found(stripe_fake: StripeFake) -> None:
    async with (
        stripe_client(stripe_fake.url) as test,
        stripe_client(stripe_fake.url, key="sk_live_fake") as live,
    ):
        cus, card = await customer_with_card(test)
        acct = await connected_account(test)
        with pytest.raises(stripe.InvalidRequestError) as err:
            await live.v1.payment_methods.create_async(
                params={"customer": cus, "payment_method": card},
                options={"stripe_account": acct},
            )
    assert err.value.http_status == 404 and err.value.code == "resource_missing"
    assert err.value.user_message == (
        f"No such PaymentMethod: '{card}'; a similar object exists in test mode, "
        "but a live mode key was used to make this request."
    )


# --- off-session authentication ----------------------------------------------------------------


async def test_off_session_authentication_is_a_failed_charge(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    cus, card = await customer_with_card(client, "pm_card_authenticationRequired")
    with pytest.raises(stripe.CardError) as err:
        await pay(client, card, customer=cus)
    assert err.value.http_status == 402
    assert err.value.code == "authentication_required"
    error: Any = err.value.error
    assert error.decline_code == "authentication_required"
    assert error.message == "Your card was declined. This transaction requires authentication."
    charge_id = error.charge
    assert charge_id and charge_id.startswith("ch_")
    intent = error.payment_intent.to_dict()
    assert intent["status"] == "requires_payment_method"
    assert intent["latest_charge"] == charge_id and intent["payment_method"] is None
    assert intent["last_payment_error"]["charge"] == charge_id
    assert intent["last_payment_error"]["code"] == "authentication_required"
    assert intent["last_payment_error"]["payment_method"]["id"] == card

    charge = await client.v1.charges.retrieve_async(charge_id)
    assert (charge.status, charge.paid, charge.captured) == ("failed", False, False)
    assert charge.failure_code == "authentication_required"
    assert charge.outcome is not None and charge.outcome.reason == "authentication_required"
    assert charge.outcome.type == "issuer_declined"
    assert charge.payment_intent == intent["id"]
    stored = await client.v1.payment_intents.retrieve_async(intent["id"])
    assert stored.to_dict() == intent

    events = [
        e
        for e in await stripe_fake.events()
        if e["type"].startswith(("charge.", "payment_intent."))
    ]
    assert [e["type"] for e in events] == [
        "payment_intent.created",
        "charge.failed",
        "payment_intent.payment_failed",
    ]
    assert events[1]["data"]["object"]["id"] == charge_id
    assert events[2]["data"]["object"] == intent


async def test_on_session_authentication_asks_for_action_without_a_charge(
    client: stripe.StripeClient,
) -> None:
    cus, card = await customer_with_card(client, "pm_card_authenticationRequired")
    intent = await client.v1.payment_intents.create_async(
        params={
            "amount": 2000,
            "currency": "usd",
            "customer": cus,
            "payment_method": card,
            "confirm": True,
        }
    )
    assert intent.status == "requires_action" and intent.latest_charge is None
    assert intent.next_action is not None
    assert (await client.v1.charges.list_async()).data == []


# --- application fees on refunds ----------------------------------------------------------------


async def direct_charge(c: stripe.StripeClient, amount: int, fee: int) -> tuple[str, str, str]:
    """(account, charge id, application fee id) of a succeeded direct charge."""
    acct, _, clone = await vendor_card(c)
    intent = await pay(
        c,
        clone,
        account=acct,
        amount=amount,
        application_fee_amount=fee,
    )
    [fee_obj] = (await c.v1.application_fees.list_async()).data
    return acct, str(intent.latest_charge), fee_obj.id


async def test_a_dashboard_refund_refunds_no_application_fee(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    acct, charge_id, fee_id = await direct_charge(client, 10_000, 1_000)
    refund = await stripe_fake.dashboard_refund(acct, charge_id, 4_000)
    assert (refund["object"], refund["amount"], refund["status"]) == ("refund", 4_000, "succeeded")
    opts: Any = {"stripe_account": acct}
    charge = await client.v1.charges.retrieve_async(charge_id, options=opts)
    assert charge.amount_refunded == 4_000 and not charge.refunded
    fee = await client.v1.application_fees.retrieve_async(fee_id)
    assert fee.amount_refunded == 0 and fee.refunds is not None and fee.refunds.data == []
    events = await stripe_fake.events()
    refund_events = [e for e in events if e["type"] in ("refund.created", "charge.refunded")]
    assert [(e["type"], e["account"]) for e in refund_events] == [
        ("refund.created", acct),
        ("charge.refunded", acct),
    ]
    assert not [e for e in events if e["type"] == "application_fee.refunded"]

    # The platform may refund its fee itself; an API refund of the rest with
    # refund_application_fee returns only the rest's share of the fee.
    await client.v1.application_fees.refunds.create_async(fee_id, params={"amount": 400})
    await client.v1.refunds.create_async(
        params={"charge": charge_id, "refund_application_fee": True}, options=opts
    )
    fee = await client.v1.application_fees.retrieve_async(fee_id)
    assert fee.amount_refunded == 1_000 and fee.refunded
    assert [r.amount for r in fee.refunds.data] == [600, 400]  # type: ignore[union-attr]


async def test_after_a_dashboard_refund_an_api_refund_returns_only_its_share(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    acct, charge_id, fee_id = await direct_charge(client, 10_000, 1_000)
    await stripe_fake.dashboard_refund(acct, charge_id, 5_000)
    await client.v1.refunds.create_async(
        params={"charge": charge_id, "refund_application_fee": True},
        options={"stripe_account": acct},
    )
    fee = await client.v1.application_fees.retrieve_async(fee_id)
    assert fee.amount_refunded == 500  # half the charge, half the fee; not all of it


async def test_dashboard_refund_refusals(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    acct, charge_id, _ = await direct_charge(client, 5_000, 500)
    await stripe_fake.dashboard_refund(acct, charge_id)
    with pytest.raises(aiohttp.ClientResponseError) as err:  # nothing remains
        await stripe_fake.dashboard_refund(acct, charge_id)
    assert err.value.status == 400
    other = await connected_account(client)
    with pytest.raises(aiohttp.ClientResponseError) as err:  # the charge is not on that account
        await stripe_fake.dashboard_refund(other, charge_id)
    assert err.value.status == 404


@pytest.mark.parametrize(
    ("fee", "charged", "parts", "shares"),
    [
        (1_000, 10_000, [10_000], [1_000]),  # a full refund returns the full fee
        (1_000, 10_000, [3_333, 3_335, 3_332], [333, 334, 333]),
        (530, 10_000, [3_333, 6_667], [177, 353]),
        (1, 3, [1, 1, 1], [0, 1, 0]),  # the parts still add up to the fee
        (1_000, 10_000, [2_500, 2_500], [250, 250]),
    ],
)
def test_proportional_fee_table(
    fee: int, charged: int, parts: list[int], shares: list[int]
) -> None:
    refunded = fee_refunded = 0
    got = []
    for part in parts:
        share = proportional_fee(fee, charged, refunded, part, fee_refunded)
        got.append(share)
        refunded += part
        fee_refunded += share
    assert got == shares


@st.composite
def refund_figures(draw: st.DrawFn) -> tuple[int, int, int, int, int]:
    charged = draw(st.integers(1, 10**9))
    fee = draw(st.integers(0, charged))
    already = draw(st.integers(0, charged))
    amount = draw(st.integers(0, charged - already))
    fee_already = draw(st.integers(0, fee))
    return fee, charged, already, amount, fee_already


@settings(max_examples=2_000, deadline=None)
@given(figures=refund_figures())
def test_the_fake_and_connectbot_refund_the_same_fee(
    figures: tuple[int, int, int, int, int],
) -> None:
    """Stripe documents the proportion, not its rounding: both sides must use one rule."""
    fee, charged, already, amount, fee_already = figures
    assert proportional_fee(*figures) == fee_refund_for(
        fee=fee,
        charged=charged,
        already_refunded=already,
        refund_amount=amount,
        fee_already_refunded=fee_already,
    )


async def test_a_decline_fault_on_one_account_declines_one_payment_there_only(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    """An issuer declining one payment (a `decline` fault naming an account): the other
    account's payment goes through, and the fault is spent on the one it declined."""
    declined_at, _, clone = await vendor_card(client)
    elsewhere, _, other_clone = await vendor_card(client)
    await stripe_fake.fault("POST", "/v1/payment_intents", "decline", account=declined_at)
    fine = await pay(client, other_clone, account=elsewhere)
    assert fine.status == "succeeded"
    with pytest.raises(stripe.CardError) as declined:
        await pay(client, clone, account=declined_at)
    assert (declined.value.code, declined.value.error.decline_code) == (
        "card_declined",
        "generic_decline",
    )
    intent = declined.value.error.payment_intent
    assert intent is not None and intent.status == "requires_payment_method"
    # The fault is spent: the next payment on that account is the card's own outcome.
    again = await pay(client, "pm_card_visa", account=declined_at)
    assert again.status == "succeeded"


async def test_an_account_made_with_a_live_key_is_a_live_one(stripe_fake: StripeFake) -> None:
    async with (
        stripe_client(stripe_fake.url) as test,
        stripe_client(stripe_fake.url, key="sk_live_fake") as live,
    ):
        made = {
            mode: (await c.v1.accounts.create_async(params={"type": "standard"})).id
            for mode, c in (("test", test), ("live", live))
        }
    for account in made.values():
        await stripe_fake.set_account(account, charges_enabled=True)
    updated = {
        e["account"]: e["livemode"]
        for e in await stripe_fake.events()
        if e["type"] == "account.updated"
    }
    assert updated == {made["test"]: False, made["live"]: True}
    # Any event about a live account's objects is live too, whichever route made it.
    for account in made.values():
        await stripe_fake.set_capability(account, "card_payments", "inactive")
    changed = {
        e["account"]: e["livemode"]
        for e in await stripe_fake.events()
        if e["type"] == "capability.updated"
    }
    assert changed == {made["test"]: False, made["live"]: True}
