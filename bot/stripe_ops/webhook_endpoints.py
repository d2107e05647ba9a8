"""The platform's webhook endpoints, as `connectbot check` judges them.

connectbot needs two endpoints at `PUBLIC_URL/stripe/webhook`: one for events on the platform's
own account and one for events on connected accounts (https://docs.stripe.com/connect/webhooks).
Stripe's WebhookEndpoint object does not say which kind an endpoint is (`connect` is a creation
parameter only), so each endpoint is held to the same rule: enabled, every event type connectbot
handles (or `*`), and connectbot's API version.
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
    endpoints send to `url`. `chosen`: the types admins asked `/notify` to announce, which an
    endpoint must be sent too (named apart from connectbot's own)."""
    everything = list(endpoints)
    ours = [e for e in everything if e.get("url") == url]
    findings: list[Finding] = []
    for endpoint in ours:
        problems = _problems(endpoint, handled=handled, api_version=api_version, chosen=chosen)
        findings += [Finding(False, p) for p in problems]
        if not problems:
            findings.append(
                Finding(
                    True,
                    f"{endpoint['id']} at {url}: enabled, API version {api_version}, "
                    f"all {len(handled)} event types connectbot handles",
                )
            )
    if len(ours) < NEEDED:
        elsewhere = sorted({str(e.get("url")) for e in everything} - {url})
        findings.append(
            Finding(
                False,
                f"{len(ours)} of {NEEDED} webhook endpoints send to {url}: create one for events "
                "on your account and one for events on connected accounts"
                + (f" (other endpoints send to {', '.join(elsewhere)})" if elsewhere else ""),
            )
        )
    return findings


def _problems(
    endpoint: dict[str, Any], *, handled: set[str], api_version: str, chosen: Collection[str]
) -> list[str]:
    name = str(endpoint.get("id"))
    problems: list[str] = []
    if endpoint.get("status") != "enabled":
        problems.append(f"{name} is {endpoint.get('status')}: Stripe sends it no events")
    enabled = set(endpoint.get("enabled_events") or [])
    missing = [] if "*" in enabled else sorted(handled - enabled)
    if missing:
        problems.append(f"{name} lacks event types connectbot handles: {', '.join(missing)}")
    unsent = [] if "*" in enabled else sorted(set(chosen) - handled - enabled)
    if unsent:
        problems.append(f"{name} lacks event types /notify announces: {', '.join(unsent)}")
    version = endpoint.get("api_version")
    if version != api_version:
        shown = version or "your account's default API version"
        problems.append(
            f"{name} renders events at {shown}, not {api_version}: set its API version "
            f"to {api_version} (meanwhile connectbot reads each object fresh from Stripe)"
        )
    return problems


def types_not_sent(
    endpoints: Iterable[dict[str, Any]], *, url: str, types: Iterable[str]
) -> list[str]:
    """Of `types`, those that no enabled endpoint at `url` is sent (sorted): all of them when
    no endpoint sends to `url`, none when one enables every event (`*`: "all events", API
    reference https://docs.stripe.com/api/webhook_endpoints/object). Either endpoint
    counts: whether an event comes from the platform or a connected account is not known
    ahead of it."""
    ours = [e for e in endpoints if e.get("url") == url and e.get("status") == "enabled"]
    sent: set[str] = set()
    for endpoint in ours:
        sent |= set(endpoint.get("enabled_events") or [])
    return [] if "*" in sent else sorted(set(types) - sent)
