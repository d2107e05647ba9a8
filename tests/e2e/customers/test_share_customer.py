"""`share_customer`: one clone and one customer per vendor, completed (never doubled) on retry."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from bot.customers.sharing import share_customer
from bot.refusal import Refusal
from bot.services import SERVICES
from storage.models import SharedCustomer, Vendor
from tests.e2e.scenario import connected_vendor, customer_with_card
from tests.harness import Connectbot

VENDOR = "U0VENDOR1"


def held(cb: Connectbot, kind: str, account: str) -> list[dict[str, Any]]:
    """What the fake Stripe holds of `kind` on `account`."""
    return cb.stripe.held(kind, account)


async def requests_since(cb: Connectbot, before: int) -> list[dict[str, Any]]:
    return (await cb.stripe.requests())[before:]


async def test_share_clones_the_card_and_creates_the_customer_on_the_vendor_account(
    cb: Connectbot,
) -> None:
    vendor = await connected_vendor(cb, VENDOR)
    customer = await customer_with_card(cb, "jane@example.com", name="Jane Doe")
    before = len(await cb.stripe.requests())

    share = await share_customer(cb.app[SERVICES], customer_id=customer.id, vendor_id=vendor.id)

    assert isinstance(share, SharedCustomer)
    acct = vendor.stripe_account_id
    [clone] = held(cb, "payment_method", acct)
    [vendor_customer] = held(cb, "customer", acct)
    assert share.vendor_payment_method_id == clone["id"]
    assert share.vendor_customer_id == vendor_customer["id"]
    assert vendor_customer["email"] == "jane@example.com"
    assert vendor_customer["name"] == "Jane Doe"
    assert vendor_customer["invoice_settings"]["default_payment_method"] == clone["id"]
    assert clone["card"]["last4"] == "4242"
    sent = await requests_since(cb, before)
    assert [(r["method"], r["path"], r["stripe_account"]) for r in sent] == [
        ("POST", "/v1/payment_methods", acct),
        ("POST", "/v1/customers", acct),
    ]
    assert sent[0]["params"] == {
        "customer": customer.stripe_customer_id,
        "payment_method": customer.default_payment_method_id,
    }
    assert all(r["idempotency_key"] for r in sent)

    again = await share_customer(cb.app[SERVICES], customer_id=customer.id, vendor_id=vendor.id)
    assert isinstance(again, SharedCustomer) and again.id == share.id
    assert await requests_since(cb, before + 2) == []  # the stored mapping, no Stripe call


async def test_a_failure_halfway_is_completed_not_duplicated(cb: Connectbot) -> None:
    vendor = await connected_vendor(cb, VENDOR)
    customer = await customer_with_card(cb, "jane@example.com")
    # stripe-python tries three times (two retries); all three fail.
    await cb.stripe.fault("POST", "/v1/customers", "500", count=3)

    first = await share_customer(cb.app[SERVICES], customer_id=customer.id, vendor_id=vendor.id)

    assert isinstance(first, Refusal) and "try again" in first.message
    async with cb.sessions() as session:
        [row] = (await session.scalars(select(SharedCustomer))).all()
    assert row.vendor_payment_method_id is not None and row.vendor_customer_id is None

    second = await share_customer(cb.app[SERVICES], customer_id=customer.id, vendor_id=vendor.id)

    assert isinstance(second, SharedCustomer)
    acct = vendor.stripe_account_id
    assert [p["id"] for p in held(cb, "payment_method", acct)] == [row.vendor_payment_method_id]
    assert len(held(cb, "customer", acct)) == 1
    assert second.vendor_payment_method_id == row.vendor_payment_method_id


async def test_concurrent_shares_make_one_mapping_and_one_vendor_customer(cb: Connectbot) -> None:
    vendor = await connected_vendor(cb, VENDOR)
    customer = await customer_with_card(cb, "jane@example.com")
    services = cb.app[SERVICES]

    results = await asyncio.gather(
        *(share_customer(services, customer_id=customer.id, vendor_id=vendor.id) for _ in range(3))
    )

    assert all(isinstance(r, SharedCustomer) for r in results)
    assert len({r.vendor_customer_id for r in results if isinstance(r, SharedCustomer)}) == 1
    async with cb.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(SharedCustomer)) == 1
    assert len(held(cb, "customer", vendor.stripe_account_id)) == 1
    assert len(held(cb, "payment_method", vendor.stripe_account_id)) == 1


async def test_each_refusal_has_its_own_message_and_calls_no_stripe(cb: Connectbot) -> None:
    services = cb.app[SERVICES]
    ready = await connected_vendor(cb, VENDOR)
    off = await connected_vendor(cb, "U0VENDOR2", status="disconnected")
    disabled = await connected_vendor(cb, "U0VENDOR3", charges_enabled=False)
    carded = await customer_with_card(cb, "jane@example.com")
    async with cb.sessions.begin() as session:
        from storage.repos import customers

        cardless = await customers.add(
            session,
            team_id=carded.team_id,
            email="bob@example.com",
            name=None,
            stripe_customer_id="cus_notreal0001",
        )
    before = len(await cb.stripe.requests())

    async def refusal(customer_id: int, vendor_id: int) -> str:
        result = await share_customer(services, customer_id=customer_id, vendor_id=vendor_id)
        assert isinstance(result, Refusal)
        return result.message

    messages = [
        await refusal(carded.id, 999_999),
        await refusal(carded.id, off.id),
        await refusal(carded.id, disabled.id),
        await refusal(cardless.id, ready.id),
        await refusal(999_999, ready.id),
    ]
    assert "isn't a connected vendor" in messages[0]
    assert "disconnected" in messages[1]
    assert "hasn't enabled charges" in messages[2]
    assert "no card on file" in messages[3] and "bob@example.com" in messages[3]
    assert "isn't a customer" in messages[4]
    assert len(set(messages)) == 5
    assert await requests_since(cb, before) == []


async def test_a_replaced_card_is_cloned_onto_the_same_vendor_customer(cb: Connectbot) -> None:
    vendor = await connected_vendor(cb, VENDOR)
    customer = await customer_with_card(cb, "jane@example.com")
    services = cb.app[SERVICES]
    first = await share_customer(services, customer_id=customer.id, vendor_id=vendor.id)
    assert isinstance(first, SharedCustomer)
    new_card = await services.stripe.api.v1.payment_methods.attach_async(
        "pm_card_mastercard", params={"customer": customer.stripe_customer_id}
    )
    async with cb.sessions.begin() as session:
        row = await session.get(type(customer), customer.id)
        assert row is not None
        row.default_payment_method_id = new_card.id

    second = await share_customer(services, customer_id=customer.id, vendor_id=vendor.id)

    assert isinstance(second, SharedCustomer)
    acct = vendor.stripe_account_id
    [vendor_customer] = held(cb, "customer", acct)
    assert second.vendor_customer_id == first.vendor_customer_id == vendor_customer["id"]
    assert second.source_payment_method_id == new_card.id
    assert second.vendor_payment_method_id != first.vendor_payment_method_id
    assert vendor_customer["invoice_settings"]["default_payment_method"] == (
        second.vendor_payment_method_id
    )
    clone = cb.stripe.stored(str(second.vendor_payment_method_id))
    assert clone["card"]["last4"] == "4444" and clone["customer"] == vendor_customer["id"]


async def test_vendor_row_is_what_the_refusals_read(cb: Connectbot) -> None:
    """A vendor disconnected after a share is refused, even though the mapping exists."""
    vendor = await connected_vendor(cb, VENDOR)
    customer = await customer_with_card(cb, "jane@example.com")
    services = cb.app[SERVICES]
    assert isinstance(
        await share_customer(services, customer_id=customer.id, vendor_id=vendor.id),
        SharedCustomer,
    )
    async with cb.sessions.begin() as session:
        row = await session.get(Vendor, vendor.id)
        assert row is not None
        row.status = "disconnected"
    result = await share_customer(services, customer_id=customer.id, vendor_id=vendor.id)
    assert isinstance(result, Refusal) and "disconnected" in result.message
