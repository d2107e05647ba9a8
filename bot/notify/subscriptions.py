"""`/notify add|list|remove`: what an admin chose, kept per workspace, every change audited.

Decisions (README, "/notify"):
- A type connectbot handles itself (`Services.handled_event_types`) already has its own message
  in the vendor's channel (else the ops channel); adding it without a channel is refused, with
  a channel that channel gets a copy in the generic form. A group (`payout.*`) is accepted
  without a channel; the types in it that connectbot handles keep their own message only.
- Removing without a channel removes the type from every channel it is announced in.
- Adding reads the platform's webhook endpoints from Stripe (after the ack, outside any
  transaction) and warns, by the rule `connectbot check` applies too
  (`bot.stripe_ops.webhook_endpoints.coverage`), when an endpoint at connectbot's URL is
  disabled or not sent the type, or fewer than two endpoints send there: Stripe would not tell
  connectbot about every such event. connectbot does not change the endpoints (it does not own
  them: `connectbot check` only judges them); the subscription is kept either way.
"""

from __future__ import annotations

from bot.parsing import NotifyChange, covered_by, groups_of
from bot.refusal import Refusal
from bot.services import Services
from bot.stripe_ops.errors import Trouble
from bot.stripe_ops.event_types import EVENT_TYPES
from bot.stripe_ops.webhook_endpoints import (
    NEEDED,
    Coverage,
    EndpointCoverage,
    coverage,
    read_webhook_endpoints,
)
from bot.stripe_ops.webhooks import WEBHOOK_PATH
from storage.repos import audit, notify_subscriptions

DEFAULT_PLACE = "the vendor's channel (else the ops channel)"
#: How many type names a message lists before saying "and N more".
SHOWN = 5


def _where(channel_id: str | None) -> str:
    return f"<#{channel_id}>" if channel_id else DEFAULT_PLACE


def _names(types: list[str]) -> str:
    shown = ", ".join(f"`{t}`" for t in types[:SHOWN])
    return shown + (f" and {len(types) - SHOWN} more" if len(types) > SHOWN else "")


async def add(services: Services, change: NotifyChange, *, caller: str, team: str) -> str | Refusal:
    """Announce `change.event_type` in `change.channel_id` (None: the vendor's channel, else the
    ops channel); the answer, with a warning when Stripe's endpoints are not sent the type.

    Refuses, without a channel, a type (or group) every type of which connectbot announces
    itself. Adding what is already there changes nothing and says so.
    """
    event_type, channel = change.event_type, change.channel_id
    covered = covered_by(event_type, EVENT_TYPES)
    own = sorted(covered_by(event_type, services.handled_event_types))
    if channel is None and own and len(own) == len(covered):
        return Refusal(
            f"connectbot already announces {_names(own)} itself, in {DEFAULT_PLACE}. To have "
            f"a copy in another channel too, name it: `/notify add {event_type} #channel`."
        )
    endpoints = await read_webhook_endpoints(services.stripe)
    async with services.sessions.begin() as session:
        added = await notify_subscriptions.add(
            session, team_id=team, event_type=event_type, channel_id=channel, by=caller
        )
        if added:
            await audit.record(
                session,
                actor=caller,
                action="notify.add",
                target=event_type,
                outcome="added",
                team_id=team,
                detail={"channel": channel},
            )
    if not added:
        answer = f"`{event_type}` is already announced in {_where(channel)}; nothing changed."
    else:
        answer = f"From now on `{event_type}` events are announced in {_where(channel)}."
    if own and channel is not None:
        answer += f" connectbot's own message for {_names(own)} stays; this is a copy."
    elif own:
        answer += f" {_names(own)}: connectbot handles these itself, they get no copy."
    return answer + _endpoint_warning(services, endpoints, covered)


def _endpoint_warning(
    services: Services, endpoints: list[dict[str, object]] | Trouble, covered: frozenset[str]
) -> str:
    """Empty when every endpoint at connectbot's URL is enabled and sent `covered` and there
    are enough of them; else what is wrong with which endpoint, and what to do about it."""
    url = services.settings.public_url + WEBHOOK_PATH
    if isinstance(endpoints, Trouble):
        return (
            f"\n\nI could not check your webhook endpoints ({_stripe_said(endpoints)}): make "
            f"sure both endpoints at {url} are sent these events."
        )
    found = coverage(endpoints, url=url, types=covered)
    if found.complete:
        return ""
    lines = [_endpoint_line(endpoint) for endpoint in found.lacking]
    if found.too_few:
        lines.append(_too_few_line(found, covered))
    return (
        "\n\n:warning: Stripe will not tell connectbot about every one of these events:\n"
        + "\n".join(f"• {line}" for line in lines)
        + "\nFix it in Stripe's Dashboard (Developers → Webhooks); the subscription is kept and "
        "works as soon as Stripe sends the events."
    )


def _stripe_said(trouble: Trouble) -> str:
    if trouble.kind == "no_answer":
        return "Stripe did not answer"
    return f"Stripe said: {trouble.message}"


def _endpoint_line(endpoint: EndpointCoverage) -> str:
    name = f"`{endpoint.id}`"
    if not endpoint.enabled:
        fix = f"{name} is {endpoint.status}, so Stripe sends it no events: enable it"
        if endpoint.missing:
            fix += f", and select {_names(list(endpoint.missing))} on it"
        return fix
    return f"{name} is not sent {_names(list(endpoint.missing))}: select them on it (or all events)"


def _too_few_line(found: Coverage, types: frozenset[str]) -> str:
    # Stripe sends an account endpoint only the platform's own events and a Connect endpoint
    # only connected accounts' (https://docs.stripe.com/connect/webhooks).
    kinds = "one for events on your account and one for events on connected accounts"
    elsewhere = (
        f" (other endpoints send to {', '.join(found.elsewhere)})" if found.elsewhere else ""
    )
    selected = f"with {_names(sorted(types))} selected"
    if not found.endpoints:
        return (
            f"No webhook endpoint sends to {found.url}{elsewhere}: create the {NEEDED} "
            f"connectbot needs there, {kinds}, each {selected}"
        )
    return (
        f"Only {len(found.endpoints)} of the {NEEDED} webhook endpoints connectbot needs sends "
        f"to {found.url}{elsewhere}: create the other there ({kinds}), {selected}"
    )


async def remove(
    services: Services, change: NotifyChange, *, caller: str, team: str
) -> str | Refusal:
    """Stop announcing `change.event_type` in `change.channel_id` (None: in every channel);
    refuses (says so) when it was not announced there."""
    event_type, channel = change.event_type, change.channel_id
    async with services.sessions.begin() as session:
        removed = await notify_subscriptions.remove(
            session,
            team_id=team,
            event_type=event_type,
            channel_id=channel if channel else notify_subscriptions.EVERY_CHANNEL,
        )
        for gone in removed:
            await audit.record(
                session,
                actor=caller,
                action="notify.remove",
                target=event_type,
                outcome="removed",
                team_id=team,
                detail={"channel": gone},
            )
    if not removed:
        where = f" in <#{channel}>" if channel else ""
        said = f"`{event_type}` is not announced{where}, so there is nothing to remove."
        groups = await _groups_chosen(services, team, event_type)
        if groups:
            return Refusal(f"{said} It is part of {_names(groups)}: remove that instead.")
        return Refusal(f"{said} `/notify list` shows what is.")
    places = ", ".join(_where(gone) for gone in removed)
    return f"`{event_type}` events are no longer announced in {places}."


async def _groups_chosen(services: Services, team: str, event_type: str) -> list[str]:
    """The groups the workspace chose that `event_type` belongs to (`payout.*` for
    `payout.paid`)."""
    async with services.sessions() as session:
        rows = await notify_subscriptions.of_team(session, team)
    return sorted({row.event_type for row in rows} & set(groups_of(event_type)))


async def listing(services: Services, *, team: str) -> str:
    """What the workspace's admins chose, and the types connectbot announces on its own."""
    async with services.sessions() as session:
        rows = await notify_subscriptions.of_team(session, team)
    own = sorted(services.handled_event_types)
    lines = ["*Stripe events announced because an admin chose them (`/notify`)*"]
    lines += [
        f"• `{row.event_type}` → {_where(row.channel_id)} · added by <@{row.created_by}> "
        f"on {row.created_at:%Y-%m-%d}"
        for row in rows
    ]
    if not rows:
        lines.append("None yet: an admin adds one with `/notify add customer.created [#channel]`.")
    if own:
        lines.append(
            "connectbot handles these itself, with its own messages: "
            + ", ".join(f"`{t}`" for t in own)
            + "."
        )
    return "\n".join(lines)
