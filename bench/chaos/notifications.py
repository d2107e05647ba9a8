"""Every notification that should exist was posted exactly once.

"Should exist": every outbox message connectbot queued, and in particular one in the channel
and one DM to the vendor for each succeeded charge, one for each refund connectbot made and one
for each dispute. "Posted": a Web API call that took effect on the fake Slack (its answer may
have been lost on the way back).

The one documented duplicate window: chat.postMessage has no idempotency key, so a message
whose post took effect but whose success never reached the database is posted again by the next
attempt. That happens when the process is killed between Slack's answer and the commit, or when
Slack's answer is lost on the way (the relay cannot tell the two apart). Such a duplicate is
counted apart, and only when the network log proves it: an earlier post of the same message
whose answer was lost, or that was made by a process SIGKILLed within `KILL_WINDOW` seconds
after it. Any other extra post is a violation.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.chaos.network import SlackCall
from bench.chaos.servers import ServerPool
from storage.models import Charge, OutboxMessage, Refund

KILL_WINDOW = 5.0  # seconds from Slack's answer to the commit, with a loaded machine's margin
_METHODS = {"post": "chat.postMessage", "dm": "chat.postMessage", "ephemeral": "chat.postEphemeral"}

Key = tuple[str, str, str]  # method, channel, text


@dataclass
class Duplicates:
    after_kill: int = 0
    after_lost_answer: int = 0
    violations: list[str] = field(default_factory=list)


def _key(method: str, params: dict[str, Any]) -> Key:
    return method, str(params.get("channel")), str(params.get("text"))


def _expected(message: OutboxMessage) -> Key | None:
    method = _METHODS.get(message.kind)
    if method is None:  # an edit: repeating it changes nothing anyone sees
        return None
    channel = f"D{message.target}" if message.kind == "dm" else message.target
    return method, channel, str(message.payload.get("text"))


def posted_once(
    messages: list[OutboxMessage],
    slack_calls: list[dict[str, Any]],
    network_calls: list[SlackCall],
    pool: ServerPool,
) -> Duplicates:
    """Compare sent outbox messages with the calls that took effect on the fake Slack."""
    expected: Counter[Key] = Counter()
    for message in messages:
        key = _expected(message)
        if key is not None and message.status == "sent":
            expected[key] += 1
    took_effect = Counter(_key(c["method"], c["params"]) for c in slack_calls if c.get("ok"))
    unconfirmed: dict[Key, list[SlackCall]] = {}
    for call in network_calls:
        unconfirmed.setdefault(_key(call.method, call.params), []).append(call)
    result = Duplicates()
    for key, count in expected.items():
        posted = took_effect.get(key, 0)
        method, channel, text = key
        if posted < count:
            result.violations.append(
                f"{method} to {channel} posted {posted} times, queued {count}: {text[:60]!r}"
            )
            continue
        extra = posted - count
        lost = kill = 0
        for call in unconfirmed.get(key, []):
            killed = pool.killed_at(call.incarnation)
            if not call.answered:
                lost += 1
            elif killed is not None and 0 <= killed - call.at <= KILL_WINDOW:
                kill += 1
        excused_lost = min(extra, lost)
        excused_kill = min(extra - excused_lost, kill)
        result.after_lost_answer += excused_lost
        result.after_kill += excused_kill
        if extra > excused_lost + excused_kill:
            result.violations.append(
                f"{method} to {channel} posted {posted} times for {count} queued, "
                f"{extra - excused_lost - excused_kill} without a lost answer or a kill to "
                f"explain it: {text[:60]!r}"
            )
    return result


def should_exist(
    messages: list[OutboxMessage],
    charges: list[Charge],
    refunds: list[Refund],
    disputes: list[str],
    vendor_users: dict[int, str],
) -> list[str]:
    """The notifications each settled outcome calls for were queued."""
    keys = [m.dedupe_key for m in messages]

    def queued(prefix: str, suffix: str = "") -> bool:
        return any(k.startswith(prefix) and k.endswith(suffix) for k in keys)

    found = []
    for charge in charges:
        if charge.status != "succeeded":
            continue
        key = f"charge:{charge.id}:succeeded"
        if not queued(key, ":channel"):
            found.append(f"no channel message for succeeded charge {charge.id}")
        if not queued(key, f":dm:{vendor_users.get(charge.vendor_id)}"):
            found.append(f"no DM to the vendor for succeeded charge {charge.id}")
    for refund in refunds:
        if refund.status != "succeeded" or refund.idempotency_key.startswith("outside:"):
            continue
        if not (queued(f"refund:{refund.stripe_refund_id}:") or queued(f"refund:{refund.id}:")):
            found.append(f"no message for refund {refund.id} ({refund.stripe_refund_id})")
    for dispute in disputes:
        if not queued(f"dispute:{dispute}:"):
            found.append(f"no message for dispute {dispute}")
    return found
