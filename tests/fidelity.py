"""What connectbot sent to the fake Stripe, held against stripe-python and Stripe's OpenAPI.

Every end-to-end test ends with `assert_stripe_requests_faithful`: a request the fake found
fault with fails the test. The fake records, per request: an unknown or ill-typed parameter per
stripe-python's `stripe.params` (a request option such as `stripe_account` sent as a parameter
included), a value Stripe refuses (sandbox/stripe_fake/values.py), an object named under an
account it does not live on, and a response field stripe-python's resource classes do not
declare. Here the gate adds Connect OAuth requests whose params stripe-python's OAuth
TypedDicts do not know, and an operation or top-level parameter that neither the OpenAPI
document in the shared specs folder nor stripe-python knows (without that folder the OpenAPI
half is skipped and says so once).

Every end-to-end test also ends with `assert_ledger_agrees`: connectbot's charges, refunds and
application fees agree with the fake Stripe to the cent, on every account (tests/ledger.py).
"""

from __future__ import annotations

import functools
import json
import warnings
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sandbox.stripe_fake.fidelity import check_openapi, match_route, oauth_problems
from sandbox.stripe_fake.store import STATE_KEY
from sandbox.stripe_fake.testing import StripeFake
from storage.models import ApplicationFee, Charge, Refund, StripeEvent, Vendor
from tests.ledger import Ledger, ledger_problems

SPEC_FILE = (
    Path(__file__).resolve().parents[1].parent / "shared" / "specs" / "stripe-openapi-2022-04.json"
)


@functools.cache
def openapi_spec() -> dict[str, Any] | None:
    if not SPEC_FILE.exists():
        warnings.warn(f"Stripe OpenAPI check skipped: {SPEC_FILE} is absent", stacklevel=2)
        return None
    result: dict[str, Any] = json.loads(SPEC_FILE.read_text())
    return result


async def assert_stripe_requests_faithful(fake: StripeFake) -> list[dict[str, Any]]:
    """Fail on any fidelity problem in the fake's request log; return the log."""
    log = await fake.requests()
    problems = [f"{e['method']} {e['path']}: {p}" for e in log for p in e.get("problems", [])]
    for entry in log:
        if entry["path"].startswith("/oauth/"):
            problems += [
                f"{entry['method']} {entry['path']}: {p}"
                for p in oauth_problems(entry["path"], entry["params"])
            ]
    spec = openapi_spec()
    if spec is not None:
        for entry in log:
            if not entry["path"].startswith("/v1/"):
                continue
            route = match_route(entry["method"], entry["path"])
            if route is None:
                problems.append(f"{entry['method']} {entry['path']}: no such route")
                continue
            problems += check_openapi(entry["method"], route[0], entry["params"], spec)
    assert problems == [], "requests Stripe would refuse:\n" + "\n".join(problems)
    return log


async def assert_ledger_agrees(
    fake: StripeFake, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Fail if connectbot's charges, refunds or fees disagree with the fake Stripe's objects."""
    async with sessions() as session:
        handled = await session.scalars(
            select(StripeEvent.id).where(StripeEvent.processed_at.is_not(None))
        )
        ledger = Ledger(
            vendors={v.id: v for v in (await session.scalars(select(Vendor))).all()},
            charges=list((await session.scalars(select(Charge))).all()),
            refunds=list((await session.scalars(select(Refund))).all()),
            fees=list((await session.scalars(select(ApplicationFee))).all()),
            handled_events=set(handled.all()),
        )
    problems = ledger_problems(fake.app[STATE_KEY], ledger)
    assert problems == [], "connectbot and Stripe disagree:\n" + "\n".join(problems)
