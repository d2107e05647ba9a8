"""Settling `pending` charges that nobody is working on.

A charge stays `pending` when Stripe gave no answer, or when the process died between writing
the row and recording the outcome. On start-up and then periodically, each such row older than
a grace period is claimed (one process wins the claim) and settled by `recover_charge`: its
stored request is sent again with the same idempotency key, so Stripe replays the first result
if the request ever reached it. Because Stripe may prune a key once it is 24 hours old, a charge
older than an hour is first looked up on Stripe (and what is there adopted), and one older than
23 hours is only looked up, never sent again (bot/stripe_ops/keys.py). A charge whose last
answer was an error Stripe replayed under its key is looked up at once, whatever its age: a
replay would only get that error again. Either way the charge ends with at most one
PaymentIntent and the right outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.charges.execute import recover_charge
from bot.refunds.requests import reconcile_refunds
from bot.services import Services
from bot.worker import Worker
from storage.models import utcnow
from storage.repos import charges

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReconcileTuning:
    #: How often to look for stale `pending` charges.
    period_seconds: float = 30.0
    #: A charge touched more recently than this is someone's work in progress.
    grace: timedelta = timedelta(seconds=15)
    batch: int = 20


async def reconcile_pending(
    services: Services,
    *,
    grace: timedelta,
    limit: int = 20,
    stopping: Callable[[], bool] = lambda: False,
) -> list[tuple[str, str]]:
    """One pass: settle stale `pending` charges; returns (charge id, status after) per claim.

    A charge another process claimed first is skipped; a charge Stripe still doesn't answer
    for (or can't be looked up) stays `pending` (its `attempts` grows) until a later pass.
    Once `stopping()` is true no further charge is claimed (the one in hand is finished).
    """
    before = utcnow() - grace
    async with services.sessions() as session:
        stale = await charges.stale_pending(session, before=before, limit=limit)
    settled: list[tuple[str, str]] = []
    for charge_id in stale:
        if stopping():
            break
        async with services.sessions.begin() as session:
            won = await charges.claim_stale(session, charge_id, before=before)
        if not won:
            continue
        status = await recover_charge(services, charge_id, actor="reconciler")
        settled.append((charge_id, status))
    return settled


class Reconciler(Worker):
    """A pass at once (start-up), then one every `period_seconds`: stale charges, then refunds.

    Each claim is taken one at a time, so a stopping server finishes the charge in hand and
    claims no other; a cancelled one leaves that charge to its grace, as after a crash.
    """

    name = "reconciler"
    periodic = True

    def __init__(self, services: Services, *, tuning: ReconcileTuning = ReconcileTuning()) -> None:
        super().__init__(services.sessions, poll_seconds=tuning.period_seconds)
        self._services = services
        self._tuning = tuning

    async def one_pass(self) -> int:
        """Charges, then refunds; one failing does not keep the other from its turn."""
        ok = True
        tried = 0
        try:
            settled = await reconcile_pending(
                self._services,
                grace=self._tuning.grace,
                limit=self._tuning.batch,
                stopping=lambda: self.stopping,
            )
            if settled:
                log.info("reconciled %d pending charge(s): %s", len(settled), settled)
            tried += len(settled)
        except Exception:
            ok = False
            log.exception("charge reconciliation pass failed; retrying")
        try:
            # Refunds Stripe did not answer: replayed with their own keys (bot/refunds/).
            if not self.stopping:
                tried += await reconcile_refunds(self._services, grace=self._tuning.grace)
        except Exception:
            ok = False
            log.exception("refund reconciliation pass failed; retrying")
        self._services.metrics.reconciler_pass(ok=ok)
        return tried
