"""A Stripe outage met while handling an event is retried and logged as one line, never as a
traceback (tracebacks are kept for bugs; `make chaos` fails on any in a log)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from storage.models import Vendor
from tests.e2e.scenario import connected_vendor
from tests.harness import Connectbot


async def test_an_event_whose_stripe_read_fails_is_retried_without_a_traceback(
    cb: Connectbot, caplog: pytest.LogCaptureFixture
) -> None:
    vendor = await connected_vendor(cb, "U0VENDOR", charges_enabled=False)
    caplog.set_level(logging.INFO)
    # stripe-python tries a GET three times (max_network_retries=2): the first handling fails.
    await cb.stripe.fault("GET", "/v1/accounts/{account}", "500", count=3)
    await cb.stripe.set_account(
        vendor.stripe_account_id, charges_enabled=True, payouts_enabled=True
    )

    async def enabled() -> bool:
        async with cb.sessions() as session:
            row = await session.scalar(select(Vendor).where(Vendor.id == vendor.id))
        return row is not None and row.charges_enabled

    await cb.until(enabled, what="the account.updated event handled on a later attempt")
    assert "will be handled again" in caplog.text
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.exc_info]
