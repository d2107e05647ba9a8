"""What people in the crowd do, one act at a time, as they would in Slack and a browser.

Each act takes the `Eyes` and a `random.Random` and returns the name it is counted under; it
raises `GaveUp` when what it waited for did not come (a fault, a kill), and `Skip` when there
was nothing to do it to yet (no connected vendor, no succeeded charge). Acts never check
outcomes: the invariants do, once everything has settled.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

from bench.chaos.people import (
    ADMIN,
    AUTHENTICATES,
    DECLINES,
    EMAILS,
    EVERYONE,
    OPERATORS,
    OPS_CHANNEL,
    VENDORS,
    VISA,
    Eyes,
    button,
    mention,
    modal_inputs,
)

Act = Callable[[Eyes, random.Random], Awaitable[str]]


class Skip(Exception):
    """Nothing to act on yet."""


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


async def connect(eyes: Eyes, rng: random.Random) -> str:
    """An operator sends a vendor the Connect link; the vendor approves (or declines)."""
    connected = {v.slack_user_id for v in await eyes.vendors()}
    vendor = rng.choice([v for v in VENDORS if v not in connected] or list(VENDORS))
    dm = f"D{vendor}"
    before = len(eyes.messages(dm))
    await eyes.sender.command(
        "/connect-vendor", mention(vendor), user_id=rng.choice(OPERATORS), channel_id=OPS_CHANNEL
    )

    async def link() -> str | None:
        for message in eyes.messages(dm)[before:]:
            found = button(message, label="Connect with Stripe")
            if found and found.get("url"):
                return str(found["url"])
        return None

    url = await eyes.until(link, "the Connect link in the vendor's DM")
    decision = "deny" if rng.random() < 0.15 else "approve"
    await eyes.browse(url, sandbox_decision=decision)
    return "connect (declined)" if decision == "deny" else "connect"


async def add_customer(eyes: Eyes, rng: random.Random) -> str:
    """An operator adds a customer; the customer saves a card on the Checkout page."""
    email = rng.choice(EMAILS)
    operator = rng.choice(OPERATORS)
    before = len(eyes.messages(OPS_CHANNEL))
    await eyes.sender.command(
        "/add-customer", f"{email} Customer {email[8:10]}", user_id=operator, channel_id=OPS_CHANNEL
    )

    async def link() -> str | None:
        for message in eyes.messages(OPS_CHANNEL)[before:]:
            found = button(message, label="Open the Checkout page")
            if message.get("ephemeral_for") == operator and found and email in str(message):
                return str(found.get("url") or "") or None
        return None

    url = await eyes.until(link, "the Checkout link")
    card = rng.choices([VISA, DECLINES, AUTHENTICATES], weights=[8, 1, 1])[0]
    await eyes.browse(url, sandbox_card=card)
    return "add customer"


async def charge(eyes: Eyes, rng: random.Random) -> str:
    """An operator charges a customer for a vendor through the modal; sometimes the submit is
    sent twice at once (a double click) or again later (a retry)."""
    vendors, customers = await eyes.vendors(), await eyes.customers_with_cards()
    if not vendors or not customers:
        raise Skip
    vendor, customer = rng.choice(vendors), rng.choice(customers)
    over = rng.random() < 0.2
    cents = rng.randint(50_001, 90_000) if over else rng.randint(100, 40_000)
    operator = rng.choice(OPERATORS)
    reply = await eyes.sender.command(
        "/charge",
        f"{mention(vendor.slack_user_id)} {money(cents)} {customer.email}",
        user_id=operator,
        channel_id=OPS_CHANNEL,
    )
    if reply.status != 200 or reply.body.strip():
        return "charge refused at /charge"

    async def modal() -> dict[str, object] | None:
        return eyes.opened_view(reply.trigger_id)

    view = await eyes.until(modal, "the charge modal")
    inputs = modal_inputs(view)
    how = rng.random()
    if how < 0.15:
        await asyncio.gather(
            eyes.sender.view_submission(view, inputs, user_id=operator),
            eyes.sender.view_submission(view, inputs, user_id=operator),
        )
        return "charge (double submit)"
    await eyes.sender.view_submission(view, inputs, user_id=operator)
    if how < 0.25:
        await asyncio.sleep(rng.uniform(0.5, 3))
        await eyes.sender.view_submission(view, inputs, user_id=operator)
        return "charge (submitted again)"
    return "charge over the threshold" if over else "charge"


async def decide(eyes: Eyes, rng: random.Random) -> str:
    """A second operator approves or rejects a charge waiting for approval (the requester may
    try first and be refused; two clicks may land at once)."""
    waiting = {c.id: c for c in await eyes.charges("awaiting_approval")}
    requests = [
        m
        for m in eyes.messages(OPS_CHANNEL)
        if button(m, action_id="charge_approve")
        and (button(m, action_id="charge_approve") or {}).get("value") in waiting
    ]
    if not requests:
        raise Skip
    message = rng.choice(requests)
    charge_id = str((button(message, action_id="charge_approve") or {}).get("value"))
    requester = waiting[charge_id].requested_by
    other = next((o for o in OPERATORS if o != requester), ADMIN)
    action = "charge_approve" if rng.random() < 0.7 else "charge_reject"
    if rng.random() < 0.2:
        await eyes.sender.block_action(
            "charge_approve", user_id=requester, message=message, channel_id=OPS_CHANNEL
        )
    clicks = 2 if rng.random() < 0.2 else 1
    await asyncio.gather(
        *(
            eyes.sender.block_action(action, user_id=other, message=message, channel_id=OPS_CHANNEL)
            for _ in range(clicks)
        )
    )
    return "approve" if action == "charge_approve" else "reject"


async def _refundable(eyes: Eyes, rng: random.Random) -> tuple[str, str, str, int]:
    """(charge id, account, Stripe charge id, cents left) of a random refundable charge."""
    charges = [
        c
        for c in await eyes.charges("succeeded")
        if c.amount_refunded < c.amount and c.stripe_charge_id
    ]
    if not charges:
        raise Skip
    chosen = rng.choice(charges)
    vendor = await eyes.vendor(chosen.vendor_id)
    if vendor is None or chosen.stripe_charge_id is None:
        raise Skip
    left = chosen.amount - chosen.amount_refunded
    return chosen.id, vendor.stripe_account_id, chosen.stripe_charge_id, left


async def refund(eyes: Eyes, rng: random.Random) -> str:
    """An operator refunds: in full, in part, or two refunds typed at once."""
    charge_id, _account, _stripe_charge, left = await _refundable(eyes, rng)
    operator = rng.choice(OPERATORS)

    async def send(text: str) -> None:
        await eyes.sender.command("/refund", text, user_id=operator, channel_id=OPS_CHANNEL)

    how = rng.random()
    if how < 0.3:
        await send(charge_id)
        return "refund (full)"
    part = rng.randint(1, max(1, left // 2))
    if how < 0.75 or left < 2:
        await send(f"{charge_id} {money(max(part, 1))}")
        return "refund (partial)"
    await asyncio.gather(send(f"{charge_id} {money(part)}"), send(f"{charge_id} {money(part)}"))
    return "refund (two at once)"


async def dashboard_refund(eyes: Eyes, rng: random.Random) -> str:
    """The vendor refunds in their own Stripe Dashboard (no application fee refunded)."""
    _charge_id, account, stripe_charge, left = await _refundable(eyes, rng)
    amount = None if rng.random() < 0.3 else rng.randint(1, left)
    await eyes.stripe.dashboard_refund(account, stripe_charge, amount)
    return "dashboard refund"


async def dispute(eyes: Eyes, rng: random.Random) -> str:
    """A customer disputes a charge with their bank."""
    charges = [c for c in await eyes.charges("succeeded") if c.stripe_charge_id]
    if not charges:
        raise Skip
    chosen = rng.choice(charges)
    await eyes.stripe.dispute(str(chosen.stripe_charge_id))
    return "dispute"


async def fees(eyes: Eyes, rng: random.Random) -> str:
    period = rng.choice(["", "today", "week", "month"])
    await eyes.sender.command(
        "/fees", period, user_id=rng.choice(OPERATORS), channel_id=OPS_CHANNEL
    )
    return "/fees"


async def home(eyes: Eyes, rng: random.Random) -> str:
    await eyes.sender.app_home_opened(rng.choice(EVERYONE))
    return "App Home"


async def disconnect(eyes: Eyes, rng: random.Random) -> str:
    """The admin disconnects a vendor (asked, then confirmed)."""
    vendors = await eyes.vendors()
    if len(vendors) < 3:
        raise Skip
    vendor = rng.choice(vendors)
    reply = await eyes.sender.command(
        "/vendors",
        f"disconnect {mention(vendor.slack_user_id)}",
        user_id=ADMIN,
        channel_id=OPS_CHANNEL,
    )

    async def confirmation() -> dict[str, object] | None:
        # The question comes after the ack, through the command's response URL.
        for answer in eyes.responses(reply.response_key):
            if button(answer, action_id="vendors_disconnect_confirm"):
                return answer
        return None

    message = await eyes.until(confirmation, "the disconnect confirmation")
    await eyes.sender.block_action(
        "vendors_disconnect_confirm", user_id=ADMIN, message=message, channel_id=OPS_CHANNEL
    )
    return "disconnect"


# (act, weight): charges and refunds dominate, as in a marketplace's day.
ACTS: tuple[tuple[Act, int], ...] = (
    (connect, 4),
    (add_customer, 4),
    (charge, 12),
    (decide, 4),
    (refund, 6),
    (dashboard_refund, 2),
    (dispute, 1),
    (fees, 2),
    (home, 2),
    (disconnect, 1),
)
