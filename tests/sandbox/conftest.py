"""Fixtures for the sandbox fakes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sandbox.stripe_fake.testing import StripeFake, running_stripe_fake


@pytest.fixture
async def stripe_fake() -> AsyncIterator[StripeFake]:
    """The fake Stripe on a free port (no webhooks)."""
    async with running_stripe_fake() as fake:
        yield fake
