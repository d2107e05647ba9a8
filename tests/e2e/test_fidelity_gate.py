"""The harness's closing fidelity check really fails a test that sent Stripe a bad request."""

from __future__ import annotations

from pathlib import Path

import pytest
import stripe

from bot.services import SERVICES
from tests.harness import running_connectbot


async def test_a_request_stripe_would_refuse_fails_the_test(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="requests Stripe would refuse"):
        async with running_connectbot(f"sqlite+aiosqlite:///{tmp_path}/f.db") as cb:
            client = cb.app[SERVICES].stripe.api
            with pytest.raises(stripe.InvalidRequestError):
                await client.v1.customers.create_async(params={"email_address": "x@example.com"})  # type: ignore[typeddict-unknown-key]
