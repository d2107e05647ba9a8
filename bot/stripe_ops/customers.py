"""Customers on Stripe: the platform's, and their copies on a vendor's account.

Every function takes the Stripe connection and plain values, returns Stripe ids or typed
results, and raises stripe-python's errors; wording them for people is the caller's job
(`bot/customers`). Each write carries an idempotency key, so a retry after a failure halfway
repeats nothing on Stripe.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import stripe
from stripe.params import CustomerCreateParams, CustomerUpdateParams

from bot.stripe_ops.client import StripeConnection
from bot.stripe_ops.keys import answer_was_replayed


async def find_or_create_platform_customer(
    stripe_connection: StripeConnection, *, team_id: str, email: str, name: str | None
) -> str:
    """The id of the platform customer with `email` (lowercase): found on Stripe by email (a
    search, never a full listing), else created under a key derived from workspace and email,
    so a retry (or a concurrent caller) gets the same customer."""
    api = stripe_connection.api.v1
    if "'" not in email:  # a quote cannot be spelled inside a search value
        found = await api.customers.search_async(params={"query": f"email:'{email}'", "limit": 1})
        if found.data:
            return str(found.data[0].id)
    else:
        listed = await api.customers.list_async(params={"email": email, "limit": 1})
        if listed.data:
            return str(listed.data[0].id)
    params: CustomerCreateParams = {"email": email, "metadata": {"connectbot_team": team_id}}
    if name:
        params["name"] = name
    digest = hashlib.sha256(f"{team_id}:{email}".encode()).hexdigest()[:32]
    try:
        created = await api.customers.create_async(
            params=params, options={"idempotency_key": f"connectbot-customer:{digest}"}
        )
    except stripe.IdempotencyError:
        # Created earlier under this key with another name: the listing by email (consistent,
        # unlike search) finds that customer.
        listed = await api.customers.list_async(params={"email": email, "limit": 1})
        if not listed.data:
            raise
        return str(listed.data[0].id)
    return str(created.id)


@dataclass(frozen=True)
class ShareRequest:
    """One customer's card going onto one vendor's account (all Stripe ids)."""

    account: str
    platform_customer: str
    source_payment_method: str

    @property
    def key(self) -> str:
        """The idempotency key stem of every step of this share."""
        return (
            f"connectbot-share:{self.platform_customer}:{self.account}:{self.source_payment_method}"
        )


async def clone_card(stripe_connection: StripeConnection, share: ShareRequest) -> str:
    """The id of a clone of the platform customer's card, on the vendor's account."""
    clone = await stripe_connection.api.v1.payment_methods.create_async(
        params={"customer": share.platform_customer, "payment_method": share.source_payment_method},
        options={"stripe_account": share.account, "idempotency_key": f"{share.key}:clone"},
    )
    return str(clone.id)


async def make_default_card(
    stripe_connection: StripeConnection, share: ShareRequest, *, vendor_customer: str, method: str
) -> None:
    """Attach the clone `method` to the vendor's existing customer and make it the default."""
    api = stripe_connection.api.v1
    await api.payment_methods.attach_async(
        method,
        params={"customer": vendor_customer},
        options={"stripe_account": share.account, "idempotency_key": f"{share.key}:attach"},
    )
    await api.customers.update_async(
        vendor_customer,
        params={"invoice_settings": {"default_payment_method": method}},
        options={"stripe_account": share.account, "idempotency_key": f"{share.key}:default"},
    )


async def create_vendor_customer(
    stripe_connection: StripeConnection,
    share: ShareRequest,
    *,
    method: str,
    email: str,
    name: str | None,
    connectbot_customer: str,
) -> str:
    """The id of a new customer on the vendor's account with the clone `method` as default."""
    params: CustomerCreateParams = {
        "email": email,
        "payment_method": method,  # attaches the clone (Stripe requires it for the default)
        "invoice_settings": {"default_payment_method": method},
        "metadata": {
            "connectbot_customer": connectbot_customer,
            "platform_customer": share.platform_customer,
        },
    }
    if name:
        params["name"] = name
    created = await stripe_connection.api.v1.customers.create_async(
        params=params,
        options={"stripe_account": share.account, "idempotency_key": f"{share.key}:customer"},
    )
    return str(created.id)


async def set_default_card(
    stripe_connection: StripeConnection, customer: str, method: str, *, key: str
) -> None:
    """Make `method` the platform customer's default card, under idempotency key `key`."""
    api = stripe_connection.api.v1
    params: CustomerUpdateParams = {"invoice_settings": {"default_payment_method": method}}
    try:
        await api.customers.update_async(customer, params=params, options={"idempotency_key": key})
    except stripe.StripeError as exc:
        if not answer_was_replayed(exc):
            raise
        # Stripe saved an error under this key and replays it for 24 hours, so the caller would
        # never get past it. Setting a default card is the same however often it is done, so
        # ask once more under a key of its own.
        await api.customers.update_async(
            customer,
            params=params,
            options={"idempotency_key": f"{key}:{secrets.token_hex(8)}"},
        )


async def card_created_at(stripe_connection: StripeConnection, method: str) -> int:
    """When the card `method` was saved (Unix seconds)."""
    found = await stripe_connection.api.v1.payment_methods.retrieve_async(method)
    return int(found.created)
