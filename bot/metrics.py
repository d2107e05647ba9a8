"""`GET /metrics`: what an operator alerts on, in Prometheus' text format.

Two kinds of figures, kept apart on purpose:
- Read from the database at scrape time (`connectbot_events`, `connectbot_outbox_messages`,
  `connectbot_charges`, `connectbot_refunds`, …). They are the same whichever process answers
  the scrape, survive restarts, and cost a few indexed `count(*)` queries per scrape rather than
  a counter call beside every status change.
- Counted in this process (`connectbot_stripe_request_errors_total`,
  `connectbot_reconciler_passes_total`, and the latency histograms
  `connectbot_http_request_duration_seconds`, `connectbot_slack_command_duration_seconds`,
  `connectbot_stripe_request_duration_seconds`): things no table records. Each process counts
  its own; sum them across processes.

Every server app has its own `Metrics` with its own registry (never prometheus-client's global
one), so several servers in one process (the tests) never share or collide.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
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

# Seconds; from a cached lookup (1 ms) to Slack's 3-second limit and Stripe's slow answers.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20)


class Metrics:
    """The metric objects of one server app, on their own registry."""

    def __init__(self, *, slash_commands: Iterable[str] = ()) -> None:
        """`slash_commands`: the names counted by name; any other command counts as `other`."""
        self._slash_commands = frozenset(slash_commands)
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
        self.http_latency = Histogram(
            "connectbot_http_request_duration_seconds",
            "Time to answer an HTTP request, by route (the route's path template, e.g. "
            "/slack/events; `unmatched` for unknown paths), method and status class (2xx...).",
            ["route", "method", "status"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.command_latency = Histogram(
            "connectbot_slack_command_duration_seconds",
            "Time from a slash command's arrival to Slack's answer (its ack), by command.",
            ["command"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.stripe_latency = Histogram(
            "connectbot_stripe_request_duration_seconds",
            "Stripe API requests from this process (each retry counts), by method, endpoint "
            "(path with ids replaced by {id}) and outcome (ok, or the error kind as in "
            "connectbot_stripe_request_errors_total).",
            ["method", "endpoint", "outcome"],
            buckets=LATENCY_BUCKETS,
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

    def http_request(self, *, route: str, method: str, status: int, seconds: float) -> None:
        """Record one answered HTTP request; `route` is the path template, never the URL."""
        self.http_latency.labels(route=route, method=method, status=f"{status // 100}xx").observe(
            seconds
        )

    def slack_command(self, command: str, seconds: float) -> None:
        """Record the time to answer one slash command; commands connectbot does not declare
        are counted as `other` (so a stranger's typing cannot create series)."""
        name = command if command in self._slash_commands else "other"
        self.command_latency.labels(command=name).observe(seconds)

    def stripe_request(self, method: str, url: str, status: int | None, seconds: float) -> None:
        """Record one Stripe API request: its latency by endpoint, and its error if any
        (`status` None: no answer, a network error)."""
        kind = "network" if status is None else stripe_error_kind(status)
        if kind is not None:
            self.stripe_error(kind)
        self.stripe_latency.labels(
            method=method.upper(), endpoint=stripe_endpoint(url), outcome=kind or "ok"
        ).observe(seconds)

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


# A path segment that names a resource (payment_intents, confirm, v1); anything else in a
# Stripe path (pi_3Nx..., acct_1..., a number) is an id.
_RESOURCE = re.compile(r"[a-z]+(?:_[a-z]+)*|v\d")


def stripe_endpoint(url: str) -> str:
    """The path template of a Stripe API URL: `/v1/payment_intents/{id}/confirm`."""
    segments = urlsplit(url).path.strip("/").split("/")
    return "/" + "/".join(s if _RESOURCE.fullmatch(s) else "{id}" for s in segments if s)
