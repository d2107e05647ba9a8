"""Fixtures for the sandbox fakes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
import stripe

from sandbox.stripe_fake.testing import StripeFake, running_stripe_fake

from .stripe_helpers import stripe_client


@pytest.fixture
async def stripe_fake() -> AsyncIterator[StripeFake]:
    """The fake Stripe on a free port (no webhooks)."""
    async with running_stripe_fake() as fake:
        yield fake


@pytest.fixture
async def client(stripe_fake: StripeFake) -> AsyncIterator[stripe.StripeClient]:
    """A real stripe-python client pointed at `stripe_fake` (no retries)."""
    async with stripe_client(stripe_fake.url) as c:
        yield c


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain HTTP session, for requests stripe-python would never send."""
    async with aiohttp.ClientSession() as session:
        yield session
