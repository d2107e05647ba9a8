"""Stripe tells connectbot about connected accounts: deauthorization and capability changes."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import AuditEntry
from tests.e2e.vendors.test_onboarding import VENDOR, channel_texts, connect, stored_vendor
from tests.harness import Connectbot


async def test_the_vendor_disconnecting_in_stripe_marks_them_disconnected(cb: Connectbot) -> None:
    vendor = await connect(cb, VENDOR)
    await cb.until(lambda: channel_texts(cb), what="the connected note")
    # The vendor revokes access in their Stripe Dashboard: Stripe sends the webhook.
    form = {
        "client_id": "ca_connectbot",
        "stripe_user_id": vendor.stripe_account_id,
        "client_secret": "sk_test_connectbot",
    }
    async with cb.http.post(f"{cb.stripe.url}/oauth/deauthorize", data=form) as resp:
        assert resp.status == 200
    await cb.stripe.deliver()

    async def disconnected() -> bool:
        row = await stored_vendor(cb, VENDOR)
        return row is not None and row.status == "disconnected"

    await cb.until(disconnected, what="the vendor marked disconnected")
    await cb.until(
        lambda: _has(cb, "was disconnected from Stripe"), what="the disconnection message"
    )
    row = await stored_vendor(cb, VENDOR)
    assert row is not None and not row.charges_enabled and row.disconnected_at is not None
    async with cb.sessions() as session:
        entries = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "vendor.disconnect")
            )
        ).all()
    assert [(e.actor, e.outcome) for e in entries] == [("stripe", "disconnected")]


async def _has(cb: Connectbot, words: str) -> bool:
    return any(words in text for text in await channel_texts(cb))


async def test_charges_turning_off_and_on_are_announced_once_each(cb: Connectbot) -> None:
    vendor = await connect(cb, VENDOR)
    account = vendor.stripe_account_id
    await cb.until(lambda: channel_texts(cb), what="the connected note")
    await cb.stripe.set_account(account, charges_enabled=False)
    await cb.stripe.deliver()
    await cb.until(lambda: _has(cb, "can no longer take payments"), what="charges disabled")
    row = await stored_vendor(cb, VENDOR)
    assert row is not None and not row.charges_enabled and row.payouts_enabled

    await cb.stripe.set_account(account, payouts_enabled=False)  # no charges flip: no message
    await cb.stripe.set_account(account, charges_enabled=True)
    await cb.stripe.deliver()
    await cb.until(lambda: _has(cb, "can now take payments"), what="charges enabled")

    async def flags() -> bool:
        current = await stored_vendor(cb, VENDOR)
        return current is not None and current.charges_enabled and not current.payouts_enabled

    await cb.until(flags, what="capabilities kept current")
    await cb.settled()
    texts = await channel_texts(cb)
    assert len([t for t in texts if "take payments" in t]) == 2


async def test_the_authorized_webhook_changes_nothing(cb: Connectbot) -> None:
    await connect(cb, VENDOR)
    await cb.stripe.deliver()
    events = [e for e in await cb.stripe.events() if e["type"] == "account.application.authorized"]
    assert len(events) == 1 and events[0]["delivery"]
    await cb.settled()
    assert len(await channel_texts(cb)) == 1
    row = await stored_vendor(cb, VENDOR)
    assert row is not None and row.status == "connected"
