"""What must hold once the faults stop and everything has settled. Each check returns the
violations it found, one line each; none of them is ever excused except the one documented
duplicate window of the outbox (see `notifications.py`).
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.chaos.servers import SECRETS
from sandbox.stripe_fake.store import State
from sandbox.stripe_fake.testing import StripeFake
from storage.models import (
    ApplicationFee,
    Charge,
    OutboxMessage,
    Refund,
    StripeEvent,
    Vendor,
)
from storage.repos.charges import charge_account
from tests.fidelity import assert_stripe_requests_faithful
from tests.ledger import Ledger, ledger_problems

FEE_PERCENT = Decimal(10)  # the servers run with the default policy; the crowd sets no override
# Stripe keys, restricted keys, webhook secrets and bot tokens, whatever their value; plus the
# exact secrets the servers were given.
SECRET_PATTERN = re.compile(
    r"(?<![A-Za-z0-9])(?:sk|rk)_(?:test|live)_|whsec_|xoxb-|"
    + "|".join(re.escape(s) for s in SECRETS)
)
# A secret with the rest of its token, to redact what is quoted.
WHOLE_SECRET = re.compile(rf"(?:{SECRET_PATTERN.pattern})[A-Za-z0-9_-]*")
TRACEBACK = "Traceback (most recent call last)"


def leaks(text: str) -> list[str]:
    """What in `text` must never be shown: a traceback, a secret (named, never quoted)."""
    found = []
    if TRACEBACK in text:
        found.append("a traceback")
    match = SECRET_PATTERN.search(text)
    if match:
        found.append(f"a secret ({match.group(0)[:5]}…)")
    return found


async def rows(sessions: async_sessionmaker[AsyncSession], model: Any) -> list[Any]:
    async with sessions() as session:
        return list((await session.scalars(select(model))).all())


async def nothing_pending(sessions: async_sessionmaker[AsyncSession], stripe: State) -> list[str]:
    """No charge, refund, message or event still in flight; every webhook delivered."""
    found = [
        f"charge {c.id} is still {c.status}"
        for c in await rows(sessions, Charge)
        if c.status in ("pending", "awaiting_approval")
    ]
    found += [
        f"refund {r.id} of {r.charge_id} is still pending"
        for r in await rows(sessions, Refund)
        if r.status == "pending"
    ]
    found += [
        f"outbox message {m.dedupe_key} is {m.status} ({m.last_error})"
        for m in await rows(sessions, OutboxMessage)
        if m.status != "sent"
    ]
    found += [
        f"Stripe event {e.id} ({e.type}) was never handled ({e.attempts} attempts: {e.last_error})"
        for e in await rows(sessions, StripeEvent)
        if e.processed_at is None
    ]
    # A request the fake is still holding (a timeout fault) may yet act and send an event.
    found += [
        f"Stripe request {r['method']} {r['path']} is still being answered"
        for r in stripe.requests
        if r.get("status") is None
    ]
    types = {e["id"]: e["type"] for e in stripe.events}
    found += [
        f"webhook {d.event_id} ({types.get(d.event_id)}) is {d.status} after {d.attempts} tries"
        for d in stripe.webhooks.deliveries
        if d.status != "delivered" and not d.duplicate
    ]
    return found


async def ledger_agrees(sessions: async_sessionmaker[AsyncSession], stripe: State) -> list[str]:
    """connectbot and Stripe agree to the cent on every charge, refund, fee and fee refund."""
    handled = {e.id for e in await rows(sessions, StripeEvent) if e.processed_at is not None}
    ledger = Ledger(
        vendors={v.id: v for v in await rows(sessions, Vendor)},
        charges=await rows(sessions, Charge),
        refunds=await rows(sessions, Refund),
        fees=await rows(sessions, ApplicationFee),
        handled_events=handled,
    )
    return ledger_problems(stripe, ledger)


def expected_fee(amount: int) -> int:
    return int((Decimal(amount) * FEE_PERCENT / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


async def charges_confirmed_once(
    sessions: async_sessionmaker[AsyncSession], stripe: State, submitted_views: set[str]
) -> list[str]:
    """Every charge comes from a modal someone submitted, has the policy's fee, and has at most
    one PaymentIntent (exactly one when it succeeded), with that fee, on its vendor's account."""
    vendors = {v.id: v for v in await rows(sessions, Vendor)}
    intents: dict[str, list[dict[str, Any]]] = {}
    for obj_id, obj in stripe.objects.items():
        if obj.get("object") == "payment_intent":
            charge_id = (obj.get("metadata") or {}).get("connectbot_charge_id")
            if charge_id:
                intents.setdefault(charge_id, []).append({**obj, "_account": stripe.owners[obj_id]})
    found = []
    all_charges = await rows(sessions, Charge)
    per_modal = Counter(c.idempotency_key.removeprefix("charge:") for c in all_charges)
    found += [f"modal {view} became {n} charges" for view, n in per_modal.items() if n > 1] + [
        f"no one submitted the modal {view}" for view in per_modal if view not in submitted_views
    ]
    for charge in all_charges:
        name = f"charge {charge.id}"
        if charge.application_fee_amount != expected_fee(charge.amount):
            found.append(
                f"{name}: fee {charge.application_fee_amount}, policy says "
                f"{expected_fee(charge.amount)} on {charge.amount}"
            )
        mine = intents.get(charge.id, [])
        if len(mine) > 1 or (charge.status == "succeeded" and len(mine) != 1):
            found.append(f"{name} ({charge.status}) has {len(mine)} PaymentIntents")
        # The account the charge was made on (a vendor connected again may have another now).
        account = charge_account(charge, vendors[charge.vendor_id])
        for intent in mine:
            if intent["_account"] != account:
                found.append(f"{name}: {intent['id']} is on {intent['_account']}, not {account}")
            if intent.get("application_fee_amount") != charge.application_fee_amount:
                found.append(
                    f"{name}: {intent['id']} has fee {intent.get('application_fee_amount')}"
                )
    return found


async def requests_faithful(stripe: StripeFake) -> list[str]:
    """No request that Stripe would refuse was sent (tests/fidelity.py's gate)."""
    try:
        await assert_stripe_requests_faithful(stripe)
    except AssertionError as refused:
        return [line for line in str(refused).splitlines()[1:] if line.strip()]
    return []


def logs_clean(log_dir: Path) -> list[str]:
    """No traceback and no secret in any server's log. A traceback is quoted (secrets
    redacted) so that a failed run, in CI above all, says what went wrong."""
    found = []
    for log in sorted(log_dir.glob("server-*.log")):
        text = log.read_text(errors="replace")
        for what in leaks(text):
            quoted = tracebacks(text)[:1] if what == "a traceback" else []
            found.append("\n".join([f"{log.name} shows {what}", *quoted]))
    return found


LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def tracebacks(text: str, *, most_lines: int = 60) -> list[str]:
    """Each traceback in a server log with the log record that printed it, up to the next
    record, with any secret replaced by `<secret>`."""
    lines = text.splitlines()
    excerpts = []
    for at, line in enumerate(lines):
        if not line.startswith(TRACEBACK):
            continue
        start = at - 1 if at > 0 and LOG_RECORD.match(lines[at - 1]) else at
        end = at + 1
        while end < len(lines) and not LOG_RECORD.match(lines[end]) and end - at < most_lines:
            end += 1
        block = "\n".join(lines[start:end])
        excerpts.append(WHOLE_SECRET.sub("<secret>", block))
    return excerpts


def slack_clean(slack_state: Any) -> list[str]:
    """No traceback and no secret in anything connectbot sent to Slack."""
    found: Counter[str] = Counter()
    for call in slack_state.calls:
        for what in leaks(repr(call.get("params"))):
            found[f"a {call['method']} call shows {what}"] += 1
    for key, used in slack_state.responses.items():
        for what in leaks(repr(used)):
            found[f"a response URL answer ({key}) shows {what}"] += 1
    for view in slack_state.views.values():
        for what in leaks(repr(view)):
            found[f"a view shows {what}"] += 1
    return [f"{line} (×{n})" if n > 1 else line for line, n in found.items()]
