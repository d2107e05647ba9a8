"""Stripe requests per operation, counted in the fake Stripe's request log.

Onboarding is the onboarding tests' own happy path (`/connect-vendor`, the vendor approves at
Stripe, their browser lands on the callback).

Each operation runs from a settled state to a settled state (webhooks delivered and handled),
so work an operation causes later (an event handler calling Stripe) is counted with it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bench.figures import Figure
from tests.e2e.scenario import charge_through_modal, connected_vendor, customer_with_card
from tests.e2e.vendors.test_onboarding import connect
from tests.harness import OPERATOR, Connectbot

NEW_VENDOR = "U0BENCHNEW"
OTHER_VENDOR = "U0BENCHOTHER"
EMAIL = "bench.counted@example.com"


async def counted(cb: Connectbot, operation: Callable[[], Awaitable[Any]]) -> int:
    """How many requests the fake Stripe received while `operation` ran and settled."""
    await cb.events_handled()
    before = len(await cb.stripe.requests())
    await operation()
    await cb.events_handled()
    return len(await cb.stripe.requests()) - before


async def reply(cb: Connectbot, command: str, text: str, *, user: str) -> dict[str, Any]:
    """Type `command text` as `user`; the first reply through its response URL."""
    sent = await cb.slack_sender.command(command, text, user_id=user)
    assert sent.status == 200 and sent.response_key, f"{command} was not acknowledged"
    key = sent.response_key
    [first, *_] = await cb.until(lambda: cb.slack.responses(key), what=f"{command}'s reply")
    return dict(first)


async def stripe_counts(cb: Connectbot) -> list[Figure]:
    """Onboarding, a first charge (sharing the customer), a charge to a shared customer,
    `/share-customer` with another vendor, and `/fees month`."""
    await customer_with_card(cb, EMAIL)
    await connected_vendor(cb, OTHER_VENDOR)
    charge = f"<@{NEW_VENDOR}> 10.00 {EMAIL}"
    operations: list[tuple[str, str, Callable[[], Awaitable[Any]]]] = [
        ("onboarding", "onboarding (OAuth)", lambda: connect(cb, NEW_VENDOR)),
        (
            "first_charge",
            "first charge, sharing the customer",
            lambda: charge_through_modal(cb, charge, user=OPERATOR),
        ),
        (
            "shared_charge",
            "charge to a shared customer",
            lambda: charge_through_modal(cb, charge, user=OPERATOR),
        ),
        (
            "share_customer",
            "/share-customer",
            lambda: reply(cb, "/share-customer", f"<@{OTHER_VENDOR}> {EMAIL}", user=OPERATOR),
        ),
        ("fees", "/fees month", lambda: reply(cb, "/fees", "month", user=OPERATOR)),
    ]
    figures = []
    for name, what, operation in operations:
        count = await counted(cb, operation)
        figures.append(Figure(f"stripe_requests_{name}", f"Stripe requests: {what}", "", count))
    return figures
