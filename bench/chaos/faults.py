"""Faults at a set rate: on every Stripe endpoint (OAuth included), on every Slack method,
on webhook delivery (reordered, duplicated, held back), and SIGKILLs of server processes.

Faults are armed through the fakes' own fault machinery (`State.faults`), so each strikes as
the fake documents it. An armed fault strikes the next request of the same method and route;
arming follows the traffic (each request seen arms a fault for its endpoint with probability
`rate`), so every endpoint connectbot uses is faulted in proportion to its use. A fault is
counted when it struck, not when it was armed.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field

from bench.chaos.servers import ServerPool
from sandbox.slack_fake.api import STATE_KEY as SLACK_STATE
from sandbox.slack_fake.state import Fault as SlackFault
from sandbox.slack_fake.testing import SlackFake
from sandbox.stripe_fake.fidelity import match_route
from sandbox.stripe_fake.store import STATE_KEY as STRIPE_STATE
from sandbox.stripe_fake.store import Fault as StripeFault
from sandbox.stripe_fake.testing import StripeFake

# The four kinds of Stripe fault a run injects by default: 500, 429, a timeout, and executed
# then the answer lost. The fake has a fifth, a 500 saved under the idempotency key
# ("500_after_commit"): charges, refunds and saving a card recover from it, but creating a
# customer, sharing one with a vendor and creating an onboarding account do not yet (each is
# blocked for the key's 24 hours; see docs/reliability.md), so it is opt-in with
# CHAOS_STRIPE_FAULTS=500,429,timeout,drop,500_after_commit.
STRIPE_KINDS = ("500", "429", "timeout", "drop")
ALL_STRIPE_KINDS = (*STRIPE_KINDS, "500_after_commit")
SLACK_KINDS = ("429", "500", "503", "timeout", "drop")
TICK = 0.2


@dataclass
class FaultLog:
    struck: Counter[str] = field(default_factory=Counter)  # "stripe 500", "slack drop", …
    webhook_holds: int = 0

    @property
    def total(self) -> int:
        return sum(self.struck.values()) + self.webhook_holds


@dataclass
class Injector:
    stripe: StripeFake
    slack: SlackFake
    pool: ServerPool
    rng: random.Random
    rate: float
    stripe_kinds: tuple[str, ...] = STRIPE_KINDS
    log: FaultLog = field(default_factory=FaultLog)
    _stripe_seen: int = 0
    _slack_seen: int = 0
    _stripe_armed: list[StripeFault] = field(default_factory=list)
    _slack_armed: list[SlackFault] = field(default_factory=list)

    async def run(self) -> None:
        """Until cancelled: arm faults as traffic flows."""
        state = self.stripe.app[STRIPE_STATE]
        self._stripe_seen = len(state.requests)
        await self.stripe.webhook_rules(reorder=True, seed=self.rng.randrange(2**31))
        await self.stripe.webhook_rules(duplicate_rate=min(1.0, 2 * self.rate))
        while True:
            self._arm_stripe()
            self._arm_slack()
            self._count()
            await asyncio.sleep(TICK)

    def _arm_stripe(self) -> None:
        state = self.stripe.app[STRIPE_STATE]
        fresh, self._stripe_seen = state.requests[self._stripe_seen :], len(state.requests)
        for entry in fresh:
            if self.rng.random() >= self.rate:
                continue
            route = match_route(entry["method"], entry["path"])
            fault = StripeFault(
                method=entry["method"],
                path=route[0] if route else entry["path"],
                kind=self.rng.choice(self.stripe_kinds),
                count=1,
                # Past connectbot's 20 s client timeout now and then, mostly a slow answer.
                seconds=self.rng.choice([1.0, 3.0, 25.0]),
            )
            state.faults.append(fault)
            self._stripe_armed.append(fault)

    def _arm_slack(self) -> None:
        state = self.slack.app[SLACK_STATE]
        fresh, self._slack_seen = state.calls[self._slack_seen :], len(state.calls)
        for call in fresh:
            if self.rng.random() >= self.rate:
                continue
            kind = self.rng.choice(SLACK_KINDS)
            fault = SlackFault(method=call["method"], kind=kind, count=1, seconds=4.0)
            state.faults.append(fault)
            self._slack_armed.append(fault)

    def _count(self) -> None:
        for fault in [f for f in self._stripe_armed if f.count == 0]:
            self.log.struck[f"Stripe {fault.kind}"] += 1
            self._stripe_armed.remove(fault)
        for slack_fault in [f for f in self._slack_armed if f.count == 0]:
            self.log.struck[f"Slack {slack_fault.kind}"] += 1
            self._slack_armed.remove(slack_fault)

    async def webhooks(self) -> None:
        """Until cancelled: now and then hold every delivery back for a moment, then release
        them together (delayed, and reordered by the fake's `reorder`)."""
        while True:
            await asyncio.sleep(self.rng.uniform(1.0, 4.0))
            await self.stripe.webhook_rules(hold="all")
            self.log.webhook_holds += 1
            await asyncio.sleep(self.rng.uniform(0.2, 2.5))
            await self.stripe.release_webhooks()

    async def kills(self, every: tuple[float, float] = (3.0, 7.0)) -> None:
        """Until cancelled: SIGKILL a random ready server every few seconds and start another
        in its place (while at least one other stays up to take the traffic)."""
        restarts: set[asyncio.Task[None]] = set()
        try:
            while True:
                await asyncio.sleep(self.rng.uniform(*every))
                ready = [s for s in self.pool.servers if s.ready]
                if len(ready) < 2:
                    continue
                task = asyncio.create_task(self.pool.kill_and_restart(self.rng.choice(ready)))
                restarts.add(task)
                task.add_done_callback(restarts.discard)
        finally:
            if restarts:
                await asyncio.gather(*restarts)

    async def stop(self) -> None:
        """Disarm everything not yet struck and let webhooks flow in order, once each."""
        self._count()
        self.stripe.app[STRIPE_STATE].faults.clear()
        self.slack.app[SLACK_STATE].faults.clear()
        self._stripe_armed.clear()
        self._slack_armed.clear()
        await self.stripe.webhook_rules(reorder=False, duplicate_rate=0, hold=None)
        await self.stripe.release_webhooks()
