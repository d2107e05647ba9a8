"""The platform's webhook endpoints, as `connectbot check` and `/notify add` judge them.

connectbot needs two endpoints at `PUBLIC_URL/stripe/webhook`: one for events on the platform's
own account and one for events on connected accounts (https://docs.stripe.com/connect/webhooks).
Stripe's WebhookEndpoint object does not say which kind an endpoint is (`connect` is a creation
parameter only), so each endpoint is held to the same rule (`coverage`): enabled and sent every
event type asked about (or `*`). `connectbot check` asks about the types connectbot handles and
those admins chose with `/notify`, and wants connectbot's API version too; `/notify add` asks
about the types it is adding.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

import stripe

from bot.stripe_ops.client import StripeConnection
from bot.stripe_ops.errors import Trouble, triage

log = logging.getLogger(__name__)

NEEDED = 2  # the account endpoint and the Connect endpoint


@dataclass(frozen=True)
class Finding:
    ok: bool
    detail: str


async def list_webhook_endpoints(stripe_connection: StripeConnection) -> list[dict[str, Any]]:
    """Every webhook endpoint of the platform (all pages). Raises Stripe's errors."""
    found: list[dict[str, Any]] = []
    page = await stripe_connection.api.v1.webhook_endpoints.list_async(params={"limit": 100})
    async for endpoint in page.auto_paging_iter():
        found.append(endpoint.to_dict())
    return found


async def read_webhook_endpoints(
    stripe_connection: StripeConnection,
) -> list[dict[str, Any]] | Trouble:
    """Every webhook endpoint of the platform, or a `Trouble` when Stripe fails (logged)."""
    try:
        return await list_webhook_endpoints(stripe_connection)
    except stripe.StripeError as exc:
        log.warning("could not list the webhook endpoints: %s", exc)
        return triage(exc)


@dataclass(frozen=True)
class EndpointCoverage:
    """One endpoint at connectbot's URL: its `status`, its `api_version` and, of the event
    types asked about, those it is not sent (`missing`, sorted)."""

    id: str
    status: str
    api_version: str | None
    missing: tuple[str, ...]

    @property
    def enabled(self) -> bool:
        # "The status of the webhook. It can be enabled or disabled": Stripe sends a disabled
        # endpoint nothing (https://docs.stripe.com/api/webhook_endpoints/object).
        return self.status == "enabled"

    @property
    def sent_all(self) -> bool:
        return self.enabled and not self.missing


@dataclass(frozen=True)
class Coverage:
    """Whether Stripe tells connectbot about some event types: the endpoints at `url`, in
    Stripe's order, and the other URLs the platform's endpoints send to (`elsewhere`)."""

    url: str
    endpoints: tuple[EndpointCoverage, ...]
    elsewhere: tuple[str, ...]

    @property
    def too_few(self) -> bool:
        return len(self.endpoints) < NEEDED

    @property
    def lacking(self) -> tuple[EndpointCoverage, ...]:
        """The endpoints at `url` that are disabled or not sent some of the types."""
        return tuple(e for e in self.endpoints if not e.sent_all)

    @property
    def complete(self) -> bool:
        return not self.too_few and not self.lacking


def coverage(endpoints: Iterable[dict[str, Any]], *, url: str, types: Iterable[str]) -> Coverage:
    """The one rule for whether Stripe tells connectbot about `types`, which `connectbot check`
    and `/notify add` both apply: every endpoint at `url` enabled and sent each type (or `*`),
    and at least two endpoints there.

    Every endpoint, because a platform's account endpoint is sent only events on its own account
    and its Connect endpoint only events on connected accounts
    (https://docs.stripe.com/connect/webhooks), and a type such as `customer.created` happens on
    both; which endpoint is which cannot be told, since `connect` is a creation parameter the
    WebhookEndpoint object does not return (https://docs.stripe.com/api/webhook_endpoints/create,
    https://docs.stripe.com/api/webhook_endpoints/object). So one endpoint sent a type is not
    enough, and fewer than two endpoints means one kind of event never arrives at all.
    Judges only; never refuses."""
    wanted = set(types)
    everything = list(endpoints)
    ours = tuple(
        EndpointCoverage(
            id=str(e.get("id")),
            status=str(e.get("status")),
            api_version=e.get("api_version"),
            missing=tuple(_not_sent(e, wanted)),
        )
        for e in everything
        if e.get("url") == url
    )
    elsewhere = tuple(sorted({str(e.get("url")) for e in everything} - {url}))
    return Coverage(url, ours, elsewhere)


def _not_sent(endpoint: dict[str, Any], types: set[str]) -> list[str]:
    # `enabled_events` of ['*'] "indicates that all events are enabled"
    # (https://docs.stripe.com/api/webhook_endpoints/object).
    enabled = set(endpoint.get("enabled_events") or [])
    return [] if "*" in enabled else sorted(types - enabled)


def judge_endpoints(
    endpoints: Iterable[dict[str, Any]],
    *,
    url: str,
    handled: set[str],
    api_version: str,
    chosen: Collection[str] = (),
) -> list[Finding]:
    """One finding per problem (disabled, event types missing, another API version) of each
    endpoint at `url`, an `ok` one per endpoint without problems, and one when fewer than two
    endpoints send to `url` (the rule of `coverage`). `chosen`: the types admins asked
    `/notify` to announce, which an endpoint must be sent too (named apart from connectbot's
    own)."""
    covered = coverage(endpoints, url=url, types=handled | set(chosen))
    findings: list[Finding] = []
    for endpoint in covered.endpoints:
        problems = _problems(endpoint, handled=handled, api_version=api_version)
        findings += [Finding(False, p) for p in problems]
        if not problems:
            findings.append(
                Finding(
                    True,
                    f"{endpoint.id} at {url}: enabled, API version {api_version}, "
                    f"all {len(handled)} event types connectbot handles",
                )
            )
    if covered.too_few:
        elsewhere = covered.elsewhere
        findings.append(
            Finding(
                False,
                f"{len(covered.endpoints)} of {NEEDED} webhook endpoints send to {url}: create "
                "one for events on your account and one for events on connected accounts"
                + (f" (other endpoints send to {', '.join(elsewhere)})" if elsewhere else ""),
            )
        )
    return findings


def _problems(endpoint: EndpointCoverage, *, handled: set[str], api_version: str) -> list[str]:
    name = endpoint.id
    problems: list[str] = []
    if not endpoint.enabled:
        problems.append(f"{name} is {endpoint.status}: Stripe sends it no events")
    missing = [t for t in endpoint.missing if t in handled]
    if missing:
        problems.append(f"{name} lacks event types connectbot handles: {', '.join(missing)}")
    unsent = [t for t in endpoint.missing if t not in handled]
    if unsent:
        problems.append(f"{name} lacks event types /notify announces: {', '.join(unsent)}")
    version = endpoint.api_version
    if version != api_version:
        shown = version or "your account's default API version"
        problems.append(
            f"{name} renders events at {shown}, not {api_version}: set its API version "
            f"to {api_version} (meanwhile connectbot reads each object fresh from Stripe)"
        )
    return problems
