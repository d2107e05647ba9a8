"""`GET /metrics`: what an operator alerts on, in Prometheus' text format.

Two kinds of figures, kept apart on purpose:
- Read from the database at scrape time (`connectbot_events`, `connectbot_outbox_messages`,
  `connectbot_charges`, `connectbot_refunds`, …). They are the same whichever process answers
  the scrape, survive restarts, and cost a few indexed `count(*)` queries per scrape rather than
  a counter call beside every status change.
- Counted in this process (`connectbot_stripe_request_errors_total`,
  `connectbot_reconciler_passes_total`): things no table records. Each process counts its own;
  sum them across processes.

Every server app has its own `Metrics` with its own registry (never prometheus-client's global
one), so several servers in one process (the tests) never share or collide.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge
from prometheus_client.exposition import generate_latest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Charge, OutboxMessage, Refund, StripeEvent, utcnow

CONTENT_TYPE = CONTENT_TYPE_LATEST

# Every status a row can have, so each series exists (at 0) before the first row has it:
# an alert on `increase(...)` or `> 0` needs the series to be there.
CHARGE_STATUSES = (
    "awaiting_approval",
    "pending",
    "succeeded",
    "failed",
    "requires_action",
    "rejected",
)
REFUND_STATUSES = ("pending", "succeeded", "failed")
OUTBOX_STATUSES = ("pending", "sent", "dead")
EVENT_STATES = ("handled", "waiting", "failed")
STRIPE_ERROR_KINDS = (
    "invalid_request",  # 400
    "authentication",  # 401
    "card",  # 402
    "permission",  # 403
    "not_found",  # 404
    "conflict",  # 409 (idempotency_key_in_use, lock timeouts)
    "rate_limit",  # 429
    "server",  # 5xx
    "other_status",
    "network",  # no answer: connection refused, dropped, timed out
)


class Metrics:
    """The metric objects of one server app, on their own registry."""

    def __init__(self) -> None:
        self.registry = r = CollectorRegistry(auto_describe=True)
        self.events = Gauge(
            "connectbot_events",
            "Stripe events stored, by state: handled, waiting (not handled yet, will be "
            "retried), failed (gave up after the last attempt).",
            ["state"],
            registry=r,
        )
        self.outbox = Gauge(
            "connectbot_outbox_messages",
            "Slack messages in the outbox, by status (pending, sent, dead).",
            ["status"],
            registry=r,
        )
        self.outbox_oldest = Gauge(
            "connectbot_outbox_oldest_pending_seconds",
            "How long the oldest unsent Slack message has waited (0 when none).",
            registry=r,
        )
        self.charges = Gauge(
            "connectbot_charges",
            "Charges by status (succeeded, failed, pending, requires_action, ...).",
            ["status"],
            registry=r,
        )
        self.charges_oldest_pending = Gauge(
            "connectbot_charges_oldest_pending_seconds",
            "Age of the oldest charge still waiting for Stripe's answer (0 when none).",
            registry=r,
        )
        self.refunds = Gauge(
            "connectbot_refunds",
            "Refunds by status (pending, succeeded, failed).",
            ["status"],
            registry=r,
        )
        self.stripe_errors = Counter(
            "connectbot_stripe_request_errors",
            "Stripe API requests from this process that got an error status or no answer, "
            "by kind (each retry counts).",
            ["kind"],
            registry=r,
        )
        self.reconciler_passes = Counter(
            "connectbot_reconciler_passes",
            "Reconciliation passes run by this process, by outcome (ok, failed).",
            ["outcome"],
            registry=r,
        )
        for state in EVENT_STATES:
            self.events.labels(state=state)
        for status in OUTBOX_STATUSES:
            self.outbox.labels(status=status)
        for status in CHARGE_STATUSES:
            self.charges.labels(status=status)
        for status in REFUND_STATUSES:
            self.refunds.labels(status=status)
        for kind in STRIPE_ERROR_KINDS:
            self.stripe_errors.labels(kind=kind)
        for outcome in ("ok", "failed"):
            self.reconciler_passes.labels(outcome=outcome)

    def reconciler_pass(self, *, ok: bool) -> None:
        """Count one reconciliation pass (charges and refunds), ok or failed."""
        self.reconciler_passes.labels(outcome="ok" if ok else "failed").inc()

    def stripe_error(self, kind: str) -> None:
        """Count one Stripe request that failed; unknown kinds count as `other_status`."""
        self.stripe_errors.labels(kind=kind if kind in STRIPE_ERROR_KINDS else "other_status").inc()

    async def render(self, session: AsyncSession, *, max_event_attempts: int) -> bytes:
        """Refresh the database gauges from `session` and return the exposition text."""
        await self._refresh(session, max_event_attempts=max_event_attempts)
        return generate_latest(self.registry)

    async def _refresh(self, session: AsyncSession, *, max_event_attempts: int) -> None:
        m = self
        handled = await _count(session, StripeEvent, StripeEvent.processed_at.is_not(None))
        failed = await _count(
            session,
            StripeEvent,
            StripeEvent.processed_at.is_(None),
            StripeEvent.attempts >= max_event_attempts,
        )
        waiting = await _count(
            session,
            StripeEvent,
            StripeEvent.processed_at.is_(None),
            StripeEvent.attempts < max_event_attempts,
        )
        for state, value in (("handled", handled), ("waiting", waiting), ("failed", failed)):
            m.events.labels(state=state).set(value)
        await _by_status(session, OutboxMessage, m.outbox, OUTBOX_STATUSES)
        await _by_status(session, Charge, m.charges, CHARGE_STATUSES)
        await _by_status(session, Refund, m.refunds, REFUND_STATUSES)
        m.outbox_oldest.set(
            await _age(session, OutboxMessage.created_at, OutboxMessage.status == "pending")
        )
        m.charges_oldest_pending.set(
            await _age(session, Charge.created_at, Charge.status == "pending")
        )


async def _count(session: AsyncSession, model: Any, *where: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def _by_status(session: AsyncSession, model: Any, gauge: Any, known: tuple[str, ...]) -> None:
    rows = (await session.execute(select(model.status, func.count()).group_by(model.status))).all()
    found = {str(status): int(n) for status, n in rows}
    for status in {*known, *found}:
        gauge.labels(status=status).set(found.get(status, 0))


async def _age(session: AsyncSession, column: Any, *where: Any) -> float:
    oldest = await session.scalar(select(func.min(column)).where(*where))
    return 0.0 if oldest is None else max(0.0, (utcnow() - oldest).total_seconds())


def stripe_error_kind(status: int) -> str | None:
    """The kind of a Stripe answer's HTTP status, or None when it is not an error."""
    if status < 400:
        return None
    named = {
        400: "invalid_request",
        401: "authentication",
        402: "card",
        403: "permission",
        404: "not_found",
        409: "conflict",
        429: "rate_limit",
    }
    if status in named:
        return named[status]
    return "server" if status >= 500 else "other_status"


def stripe_trace(metrics: Metrics, *, api_base: str) -> aiohttp.TraceConfig:
    """An aiohttp trace that counts failed requests to `api_base` (Slack's are not counted).

    Tracing the one shared HTTP session keeps the Stripe code free of metric calls; the
    synchronous Connect OAuth client does not go through it.
    """
    base = api_base.rstrip("/")
    trace = aiohttp.TraceConfig()

    def is_stripe(url: Any) -> bool:
        return str(url).startswith(base)

    async def on_end(_s: Any, _c: Any, params: aiohttp.TraceRequestEndParams) -> None:
        kind = stripe_error_kind(params.response.status)
        if kind and is_stripe(params.url):
            metrics.stripe_error(kind)

    async def on_exception(_s: Any, _c: Any, params: aiohttp.TraceRequestExceptionParams) -> None:
        if is_stripe(params.url) and not isinstance(params.exception, asyncio.CancelledError):
            metrics.stripe_error("network")

    trace.on_request_end.append(on_end)
    trace.on_request_exception.append(on_exception)
    return trace
