"""Seeding a new sandbox: Carol Customer, with a test card on file, added the way Otto would.

She is added through connectbot's own `/add-customer` and saves her card on the fake Stripe's
Checkout page, so the database and Stripe agree exactly as after a person's first steps. The
private reply with her card link is taken back: nobody in #ops asked for it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable
from typing import TypeVar

import aiohttp

from bot.sandbox_workspace import OPERATOR, OPS_CHANNEL, SIGNING_SECRET, TEAM_ID, SandboxUrls
from sandbox.slack_fake.client import SlackSender
from sandbox.slack_fake.interactions import Workspace
from sandbox.slack_fake.state import FakeState

SEED_EMAIL = "carol@example.com"
SEED_CUSTOMER = f"{SEED_EMAIL} Carol Customer"
SEED_CARD = "4242424242424242"
_CHECKOUT = re.compile(r"http://127\.0\.0\.1:\d+/checkout/pay/cs_\w+")
WAIT_SECONDS = 15.0
T = TypeVar("T")
log = logging.getLogger(__name__)


async def seed_customer(urls: SandboxUrls, fake: FakeState, say: Callable[[str], None]) -> None:
    """Add Carol and save her card; a step that does not happen is one warning, never a crash."""
    say(f"seeding the customer {SEED_EMAIL}")
    async with SlackSender(
        f"{urls.server}/slack/events",
        SIGNING_SECRET,
        fake_url=urls.slack,
        workspace=Workspace(team_id=TEAM_ID),
    ) as sender:
        reply = await sender.command(
            "/add-customer",
            SEED_CUSTOMER,
            user_id=OPERATOR,
            user_name="otto",
            channel_id=OPS_CHANNEL,
            channel_name="ops",
        )
    if reply.status != 200 or reply.response_key is None:
        log.warning("seeding the customer failed: HTTP %s", reply.status)
        return
    # The card link follows the ack through the response URL.
    key = reply.response_key
    link = await _poll(lambda: _CHECKOUT.search(json.dumps(fake.responses.get(key))))
    if link is None:
        log.warning("seeding the customer: no card link after %g seconds", WAIT_SECONDS)
        return
    say(f"saving a test card for {SEED_EMAIL}")
    async with aiohttp.ClientSession() as http:
        async with http.get(link.group(0), params={"sandbox_card": SEED_CARD}) as page:
            if page.status != 200:
                log.warning("seeding the customer: saving the card answered %s", page.status)
    fake.messages[OPS_CHANNEL] = [
        m
        for m in fake.messages.get(OPS_CHANNEL, [])
        if not (m.get("ephemeral_for") == OPERATOR and link.group(0) in json.dumps(m))
    ]
    # connectbot tells #ops when the card is on file; the console shows it from the first look.
    noticed = await _poll(lambda: _card_notice(fake))
    if noticed is None:
        log.warning("seeding the customer: the card was not on file after %g s", WAIT_SECONDS)


def _card_notice(fake: FakeState) -> bool | None:
    for message in fake.messages.get(OPS_CHANNEL, []):
        text = json.dumps(message)
        if SEED_EMAIL in text and "card on file" in text:
            return True
    return None


async def _poll(found: Callable[[], T | None]) -> T | None:
    for _ in range(int(WAIT_SECONDS / 0.05)):
        value = found()
        if value:
            return value
        await asyncio.sleep(0.05)
    return None
