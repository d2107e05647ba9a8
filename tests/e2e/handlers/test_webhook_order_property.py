"""A whole scenario's webhooks in any order, duplicated and late: one final state.

The scenario: a $100 charge (fee $10) through /charge, a $40 /refund, a $25 refund in the
vendor's Dashboard (no fee refund), a dispute, and the vendor revoking the platform's access.
Each of Stripe's events is delivered after the action that made it, at any later point, any
number of times, in any order; and the charge's answer from Stripe may be lost, so that its
success is learnt from `payment_intent.succeeded` (delivered, in any position, before /refund).
The state connectbot ends in (rows, Stripe's figures, Slack messages) must be the one it
reaches when every answer arrives and every event comes once, at once and in order.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from storage.models import AuditEntry, Charge, Refund, Vendor
from tests.databases import fresh_database
from tests.e2e.deliveries import (
    Event,
    charge_without_answer,
    dashboard_refund,
    deauthorize,
    new_events,
    post_event,
    refund_command,
    slack_posts,
)
from tests.e2e.scenario import (
    charge_row,
    charge_through_modal,
    connected_vendor,
    customer_with_card,
)
from tests.harness import OPERATOR, Connectbot, running_connectbot

VENDOR = "U0VENDOR1"
VENDOR_CHANNEL = "C0VENDORS"


class Schedule(Protocol):
    def slot(self, made_at: int, last: int) -> int:
        """After which action (index, from `made_at` to `last`) an event is delivered."""

    def copies(self) -> int:
        """How many times it is delivered."""

    def order(self, count: int) -> list[int]:
        """The order in which the `count` deliveries due after one action are made."""

    def answer_lost(self) -> bool:
        """Whether every answer to the charge's PaymentIntent request is lost."""


class InOrder:
    """Every event once, right after the action that made it, in Stripe's order."""

    def slot(self, made_at: int, last: int) -> int:
        return made_at

    def copies(self) -> int:
        return 1

    def order(self, count: int) -> list[int]:
        return list(range(count))

    def answer_lost(self) -> bool:
        return False


@dataclass
class Drawn:
    """Slots, duplicates and orders drawn by Hypothesis."""

    data: st.DataObject

    def slot(self, made_at: int, last: int) -> int:
        return self.data.draw(st.integers(made_at, last), label="slot")

    def copies(self) -> int:
        return self.data.draw(st.integers(1, 3), label="copies")

    def order(self, count: int) -> list[int]:
        return self.data.draw(st.permutations(range(count)), label="order")

    def answer_lost(self) -> bool:
        return self.data.draw(st.booleans(), label="answer lost")


@dataclass
class Story:
    """What the actions made, for the next ones and for the checks."""

    vendor: Vendor | None = None
    charge: Charge | None = None
    answer_lost: bool = False


Action = Callable[[Connectbot, Story], Awaitable[None]]


async def make_charge(cb: Connectbot, story: Story) -> None:
    if story.answer_lost:  # the row stays pending until payment_intent.succeeded comes
        story.charge = await charge_without_answer(cb, VENDOR)
        return
    text = f"<@{VENDOR}> 100.00 jane@example.com"
    story.charge = await charge_through_modal(cb, text, user=OPERATOR)
    assert story.charge.status == "succeeded"


async def refund_40(cb: Connectbot, story: Story) -> None:
    assert story.charge is not None
    story.charge = await charge_row(cb, story.charge.id)
    assert story.charge.status == "succeeded"
    assert "Refunded $40.00" in await refund_command(cb, f"{story.charge.id} 40")


async def refund_25_in_the_dashboard(cb: Connectbot, story: Story) -> None:
    assert story.vendor is not None and story.charge is not None
    account, stripe_charge = story.vendor.stripe_account_id, str(story.charge.stripe_charge_id)
    await dashboard_refund(cb, account, stripe_charge, 2_500)


async def dispute(cb: Connectbot, story: Story) -> None:
    assert story.charge is not None
    await cb.stripe.dispute(str(story.charge.stripe_charge_id))


async def revoke(cb: Connectbot, story: Story) -> None:
    assert story.vendor is not None
    await deauthorize(cb, story.vendor.stripe_account_id)


ACTIONS: list[Action] = [make_charge, refund_40, refund_25_in_the_dashboard, dispute, revoke]


async def play(cb: Connectbot, schedule: Schedule) -> dict[str, Any]:
    """Run the scenario with deliveries as `schedule` says; the final state."""
    story = Story(
        vendor=await connected_vendor(cb, VENDOR, channel_id=VENDOR_CHANNEL),
        answer_lost=schedule.answer_lost(),
    )
    await customer_with_card(cb, "jane@example.com")
    seen: set[str] = set()
    for event in await new_events(cb, seen):  # the set-up's own events, in order
        await post_event(cb, event)
    await cb.settled()
    due: list[tuple[int, Event]] = []
    last = len(ACTIONS) - 1
    for index, action in enumerate(ACTIONS):
        await action(cb, story)
        for event in await new_events(cb, seen):
            # /refund needs the charge's success, which only this event brings when it is lost.
            settles = story.answer_lost and event["type"] == "payment_intent.succeeded"
            slot = index if settles else schedule.slot(index, last)
            due += [(slot, event)] * schedule.copies()
        now = [event for slot, event in due if slot == index]
        for position in schedule.order(len(now)):
            await post_event(cb, now[position])
        await cb.settled()
    assert story.charge is not None
    return await final_state(cb, story.charge.id)


async def final_state(cb: Connectbot, charge_id: str) -> dict[str, Any]:
    """connectbot's rows and messages, with ids that differ between runs left out."""
    async with cb.sessions() as session:
        charge = await session.get(Charge, charge_id)
        assert charge is not None
        vendor = await session.get(Vendor, charge.vendor_id)
        assert vendor is not None
        refunds = (await session.scalars(select(Refund).where(Refund.charge_id == charge_id))).all()
        disputes = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "dispute.created"))
        ).all()
    return {
        "charge": (charge.status, charge.amount_refunded, charge.fee_refunded),
        "refunds": sorted((r.amount, r.fee_refunded, r.status, r.requested_by) for r in refunds),
        "disputes": ["this charge" if d.target == charge_id else d.target for d in disputes],
        "vendor": vendor.status,
        "slack": await slack_posts(cb),
    }


def stripes_figures(cb: Connectbot, state: dict[str, Any]) -> None:
    """The final state agrees with the fake Stripe's own objects."""
    objects = cb.stripe.everything()
    [charge] = [o for o in objects.values() if o.get("object") == "charge"]
    fee = objects[charge["application_fee"]]
    disputes = [o for o in objects.values() if o.get("object") == "dispute"]
    refunds = sorted(r["amount"] for r in charge["refunds"]["data"])
    assert state["charge"] == ("succeeded", charge["amount_refunded"], fee["amount_refunded"])
    assert sorted(r[0] for r in state["refunds"]) == refunds
    assert sum(r[1] for r in state["refunds"]) == fee["amount_refunded"]
    assert len(state["disputes"]) == len(disputes)
    revoked = cb.stripe.revoked(charge["id"])
    assert (state["vendor"] == "disconnected") == revoked


async def run(backend: str, schedule: Schedule) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        async with fresh_database(backend, Path(folder), migrated=True) as url:
            async with running_connectbot(url, deliver_webhooks=False) as cb:
                state = await play(cb, schedule)
                stripes_figures(cb, state)
                return state


IN_ORDER: dict[str, dict[str, Any]] = {}


def in_order(backend: str) -> dict[str, Any]:
    """The state reached with every event once, in order (computed once per backend)."""
    if backend not in IN_ORDER:
        IN_ORDER[backend] = asyncio.run(run(backend, InOrder()))
    return IN_ORDER[backend]


def test_the_scenario_in_order(backend: str) -> None:
    state = in_order(backend)
    assert state["charge"] == ("succeeded", 6_500, 400)
    assert state["refunds"] == [
        (2_500, 0, "succeeded", "stripe"),
        (4_000, 400, "succeeded", OPERATOR),
    ]
    assert state["disputes"] == ["this charge"]
    assert state["vendor"] == "disconnected"
    posts: list[tuple[str, str]] = state["slack"]
    assert len(posts) == len(set(posts)), "a message was posted twice"
    vendor_channel = [text for channel, text in posts if channel == VENDOR_CHANNEL]
    # The charge, two refunds, the dispute and its funds withdrawn, the disconnection.
    assert len(vendor_channel) == 6


#: Each example is a fresh server and database: few of them, fewer on PostgreSQL.
EXAMPLES = {"sqlite": 8, "postgresql": 4}


def test_any_order_any_duplicates_reach_the_same_state(backend: str) -> None:
    expected = in_order(backend)

    @settings(
        max_examples=EXAMPLES[backend],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(data=st.data())
    def same_state(data: st.DataObject) -> None:
        assert asyncio.run(run(backend, Drawn(data))) == expected

    same_state()
