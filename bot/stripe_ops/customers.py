"""Platform customers on Stripe, and sharing them with vendors.

Sharing clones the customer's default card onto the vendor's account and creates the customer
there. Progress is stored after each Stripe step, and each step has an idempotency key derived
from (platform customer, vendor account, source card), so a retry after a failure halfway
completes the share instead of duplicating it. No database transaction is held open across a
Stripe call: SQLite has one writer, and a slow Stripe must not stall every other write.
"""

from __future__ import annotations

import hashlib
import logging

import stripe
from sqlalchemy import update
from stripe.params import CustomerCreateParams

from bot.money import Refusal
from bot.services import Services
from storage.models import Customer, SharedCustomer, Vendor
from storage.repos import audit
from storage.repos import customers as repo

log = logging.getLogger(__name__)

STRIPE_TROUBLE = (
    "Stripe did not complete the request ({detail}). Nothing was duplicated; try again shortly."
)


def stripe_refusal(exc: stripe.StripeError) -> Refusal:
    """A user-facing sentence for a Stripe failure (the details go to the log)."""
    log.warning("stripe request failed: %r", exc)
    detail = str(exc.user_message or type(exc).__name__).rstrip(".")
    if isinstance(exc, stripe.InvalidRequestError) and exc.code == "resource_missing":
        # Retrying cannot bring back what Stripe no longer has (deleted in the Dashboard, or
        # made with other keys): say what is missing and who can act on it.
        return Refusal(
            f'Stripe answered "{detail}": it was deleted in the Stripe Dashboard or belongs to '
            "another Stripe account, so retrying will not help. Ask an admin to check the "
            "Stripe Dashboard and the keys connectbot uses."
        )
    if isinstance(exc, stripe.PermissionError | stripe.AuthenticationError):
        return Refusal(
            f"Stripe refused access ({detail}); the vendor may have disconnected the platform."
        )
    return Refusal(STRIPE_TROUBLE.format(detail=detail))


def check_vendor(vendor: Vendor | None) -> Refusal | None:
    """None when customers may be shared with (and charged for) `vendor`; else why not."""
    if vendor is None:
        return Refusal(
            "That person isn't a connected vendor yet. Send them a link with "
            "`/connect-vendor @them` first."
        )
    if vendor.status == "disconnected":
        return Refusal(
            f"<@{vendor.slack_user_id}>'s Stripe account is disconnected; they need to connect "
            "again with `/connect-vendor` first."
        )
    if vendor.status != "connected":
        return Refusal(
            f"<@{vendor.slack_user_id}> hasn't finished connecting their Stripe account."
        )
    if not vendor.charges_enabled:
        return Refusal(
            f"Stripe hasn't enabled charges on <@{vendor.slack_user_id}>'s account yet; they "
            "need to finish their account details in Stripe first."
        )
    return None


def check_customer(customer: Customer | None, email: str = "") -> Refusal | None:
    """None when `customer` has a card to share; else why not."""
    if customer is None:
        shown = f"`{email}`" if email else "That customer"
        return Refusal(f"{shown} isn't a customer yet; add them with `/add-customer` first.")
    if not customer.default_payment_method_id:
        return Refusal(
            f"`{customer.email}` has no card on file yet. Send them the `/add-customer` link "
            "and share once they have saved a card."
        )
    return None


async def find_or_create_customer(
    services: Services, *, team_id: str, email: str, name: str | None, actor: str
) -> tuple[Customer, bool] | Refusal:
    """The platform customer for `email` in the workspace, and whether it was new to us.

    Looks in our table first, then on Stripe by email (a search, never a full listing), and
    only then creates one; the creation's idempotency key is derived from workspace and email,
    so a retry (or a concurrent /add-customer) gets the same Stripe customer. A Stripe failure
    is a Refusal. `email` must already be normalized (`parse_email`).
    """
    email = email.lower()
    async with services.sessions() as session:
        known = await repo.by_email(session, team_id, email)
    if known is not None:
        return known, False
    try:
        stripe_id = await _stripe_customer(services, team_id=team_id, email=email, name=name)
    except stripe.StripeError as exc:
        return stripe_refusal(exc)
    async with services.sessions.begin() as session:
        stored = await repo.add(
            session, team_id=team_id, email=email, name=name, stripe_customer_id=stripe_id
        )
        await audit.record(
            session,
            team_id=team_id,
            actor=actor,
            action="customer.add",
            target=email,
            outcome="added",
            detail={"stripe_customer": stored.stripe_customer_id},
        )
    return stored, True


async def _stripe_customer(
    services: Services, *, team_id: str, email: str, name: str | None
) -> str:
    api = services.stripe.api.v1
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


async def share_customer(
    services: Services, *, customer_id: int, vendor_id: int, actor: str = "connectbot"
) -> SharedCustomer | Refusal:
    """The customer on the vendor's account, with a clone of their current default card.

    Refuses (no Stripe call) unknown, not yet connected, disconnected and charges-disabled
    vendors, unknown customers and customers without a card. A complete mapping for the
    customer's current card is returned without calling Stripe. When the customer's card was
    replaced since the last share, the new card is cloned and made the default of the existing
    vendor customer (the vendor keeps one customer per person). A Stripe failure is a Refusal;
    the stored progress makes the next call finish the job. `actor` is named in the audit row.
    """
    async with services.sessions() as session:
        vendor = await session.get(Vendor, vendor_id)
        customer = await repo.by_id(session, customer_id)
        share = await repo.share_of(session, customer_id, vendor_id)
    refusal = check_vendor(vendor) or check_customer(customer)
    if refusal is not None:
        return refusal
    assert vendor is not None and customer is not None
    source = customer.default_payment_method_id
    assert source is not None
    if share is not None and repo.is_complete(share, source):
        return share

    async with services.sessions.begin() as session:
        share = await repo.start_share(
            session, customer_id=customer_id, vendor_id=vendor_id, source_payment_method_id=source
        )
        if share.source_payment_method_id != source:
            # The card was replaced after an earlier share: clone the new one.
            share.source_payment_method_id = source
            share.vendor_payment_method_id = None
    try:
        await _complete(services, share, customer, vendor)
    except stripe.StripeError as exc:
        return stripe_refusal(exc)
    async with services.sessions.begin() as session:
        await audit.record(
            session,
            team_id=vendor.team_id,
            actor=actor,
            action="customer.share",
            target=f"{customer.email} -> {vendor.stripe_account_id}",
            outcome="shared",
            detail={
                "vendor_customer": share.vendor_customer_id,
                "vendor_payment_method": share.vendor_payment_method_id,
                "source_payment_method": source,
            },
        )
    return share


async def _complete(
    services: Services, share: SharedCustomer, customer: Customer, vendor: Vendor
) -> None:
    """Run the missing steps, storing each result as soon as Stripe returns it."""
    api = services.stripe.api.v1
    account = vendor.stripe_account_id
    source = share.source_payment_method_id
    key = f"connectbot-share:{customer.stripe_customer_id}:{account}:{source}"
    first_share = share.vendor_customer_id is None
    if share.vendor_payment_method_id is None:
        clone = await api.payment_methods.create_async(
            params={"customer": customer.stripe_customer_id, "payment_method": source},
            options={"stripe_account": account, "idempotency_key": f"{key}:clone"},
        )
        if not first_share:
            # The card changed after an earlier share: attach the new clone to the vendor's
            # customer and make it the default; store it only after both, so a failure
            # between them is retried under the same keys.
            vendor_customer = str(share.vendor_customer_id)
            await api.payment_methods.attach_async(
                clone.id,
                params={"customer": vendor_customer},
                options={"stripe_account": account, "idempotency_key": f"{key}:attach"},
            )
            await api.customers.update_async(
                vendor_customer,
                params={"invoice_settings": {"default_payment_method": clone.id}},
                options={"stripe_account": account, "idempotency_key": f"{key}:default"},
            )
        await _save(services, share, vendor_payment_method_id=clone.id)
    if not first_share:
        return
    method = str(share.vendor_payment_method_id)
    params: CustomerCreateParams = {
        "email": customer.email,
        "payment_method": method,  # attaches the clone (Stripe requires it for the default)
        "invoice_settings": {"default_payment_method": method},
        "metadata": {
            "connectbot_customer": str(customer.id),
            "platform_customer": customer.stripe_customer_id,
        },
    }
    if customer.name:
        params["name"] = customer.name
    created = await api.customers.create_async(
        params=params, options={"stripe_account": account, "idempotency_key": f"{key}:customer"}
    )
    await _save(services, share, vendor_customer_id=created.id)


async def _save(services: Services, share: SharedCustomer, **values: str) -> None:
    """Store one step's result at once, in its own short transaction."""
    async with services.sessions.begin() as session:
        await session.execute(
            update(SharedCustomer).where(SharedCustomer.id == share.id).values(**values)
        )
    for name, value in values.items():
        setattr(share, name, value)
