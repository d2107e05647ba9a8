"""Helpers for the fake Stripe tests: a real stripe-python client pointed at the fake."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import stripe


@asynccontextmanager
async def stripe_client(url: str, key: str = "sk_test_fake") -> AsyncIterator[stripe.StripeClient]:
    http = stripe.AIOHTTPClient()
    client = stripe.StripeClient(
        key,
        http_client=http,
        base_addresses={"api": url, "connect": url},
        max_network_retries=0,
        client_id="ca_test_connectbot",
    )
    try:
        yield client
    finally:
        await http.close_async()


def sync_client(url: str, key: str = "sk_test_fake") -> stripe.StripeClient:
    return stripe.StripeClient(
        key,
        base_addresses={"api": url, "connect": url},
        max_network_retries=0,
        client_id="ca_test_connectbot",
    )


async def customer_with_card(c: stripe.StripeClient, pm: str = "pm_card_visa") -> tuple[str, str]:
    """A platform customer and a card attached to it (what Checkout leaves): (cus, pm)."""
    cus = await c.v1.customers.create_async(params={"email": "buyer@example.com"})
    card = await c.v1.payment_methods.attach_async(pm, params={"customer": cus.id})
    return cus.id, card.id


async def connected_account(c: stripe.StripeClient) -> str:
    """A new connected Standard account's id."""
    return (await c.v1.accounts.create_async(params={"type": "standard"})).id


async def setup_session(c: stripe.StripeClient, **extra: str) -> tuple[str, str]:
    """A setup-mode Checkout session for a new customer: (its hosted page URL, its id).

    `extra` may hold the customer's `email` and the session's other parameters (`cancel_url`).
    """
    email = {"email": extra.pop("email")} if "email" in extra else {}
    cus = await c.v1.customers.create_async(params=email)  # type: ignore[arg-type]
    params = {
        "mode": "setup",
        "customer": cus.id,
        "currency": "usd",
        "success_url": "https://shop.example/ok",
        **extra,
    }
    session = await c.v1.checkout.sessions.create_async(params=params)  # type: ignore[arg-type]
    assert session.url is not None
    return session.url, session.id


async def vendor_card(c: stripe.StripeClient, pm: str = "pm_card_visa") -> tuple[str, str, str]:
    """A platform customer's card cloned onto a new connected account, as connectbot shares a
    customer with a vendor: (account, platform customer, the clone's id on the account).
    """
    cus, card = await customer_with_card(c, pm)
    acct = await connected_account(c)
    clone = await c.v1.payment_methods.create_async(
        params={"customer": cus, "payment_method": card}, options={"stripe_account": acct}
    )
    return acct, cus, clone.id


async def direct_charge(
    c: stripe.StripeClient, amount: int = 5000, fee: int = 500, pm: str = "pm_card_visa"
) -> tuple[str, stripe.PaymentIntent]:
    """A confirmed off-session direct charge with an application fee on a new connected
    account: (account, PaymentIntent).
    """
    acct, _, clone = await vendor_card(c, pm)
    pi = await c.v1.payment_intents.create_async(
        params={
            "amount": amount,
            "currency": "usd",
            "payment_method": clone,
            "confirm": True,
            "off_session": True,
            "application_fee_amount": fee,
        },
        options={"stripe_account": acct},
    )
    return acct, pi
