"""Who the crowd is, and what each person can see: Slack (the fake's messages and modals), the
browser, and — standing in for what an operator reads in Slack — connectbot's rows.

`Eyes` refuses nothing: a lookup that finds nothing returns None, and the act that asked gives
up (faults make that common; an act that gives up is counted, never a violation by itself).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.demo.checks import modal_inputs
from sandbox.slack_fake.api import STATE_KEY as SLACK_STATE
from sandbox.slack_fake.client import SlackSender
from sandbox.slack_fake.testing import SlackFake
from sandbox.stripe_fake.testing import StripeFake
from storage.models import Charge, Customer, Vendor
from tests.harness import ADMIN, OPERATOR, OPERATOR_2, OPS_CHANNEL

T = TypeVar("T")
JSON = dict[str, Any]

OPERATORS = (OPERATOR, OPERATOR_2)
VENDORS = tuple(f"U0VEND{n:02d}" for n in range(1, 7))
EMAILS = tuple(f"customer{n:02d}@example.com" for n in range(1, 11))
EVERYONE = (ADMIN, *OPERATORS, *VENDORS)
VISA, DECLINES, AUTHENTICATES = "4242424242424242", "4000000000000002", "4000002500003155"
WAIT = 15.0  # how long a person waits for something to show up before giving up


class GaveUp(Exception):
    """What a person waited for did not show up in time (faults, kills): the act ends."""


def mention(user_id: str) -> str:
    return f"<@{user_id}|{user_id.lower()}>"


@dataclass
class Eyes:
    slack: SlackFake
    stripe: StripeFake
    sender: SlackSender
    http: aiohttp.ClientSession
    sessions: async_sessionmaker[AsyncSession]

    async def until(self, check: Callable[[], Awaitable[T | None]], what: str) -> T:
        deadline = time.monotonic() + WAIT
        while True:
            found = await check()
            if found:
                return found
            if time.monotonic() > deadline:
                raise GaveUp(what)
            await asyncio.sleep(0.2)

    def messages(self, channel: str) -> list[JSON]:
        return list(self.slack.app[SLACK_STATE].messages.get(channel, []))

    def responses(self, key: str | None) -> list[JSON]:
        """What the app sent through the response URL `key` (as Slack shows it)."""
        return list(self.slack.app[SLACK_STATE].responses.get(key or "", []))

    def opened_view(self, trigger_id: str | None) -> JSON | None:
        state = self.slack.app[SLACK_STATE]
        view_id = state.opened_views.get(trigger_id or "")
        return state.views.get(view_id) if view_id else None

    async def browse(self, url: str, **query: str) -> tuple[int, str]:
        """Open `url` in a browser (redirects followed): the final status and address."""
        async with self.http.get(url, params=query) as resp:
            await resp.read()
            return resp.status, str(resp.url)

    async def vendors(self, status: str = "connected") -> list[Vendor]:
        async with self.sessions() as session:
            found = await session.scalars(select(Vendor).where(Vendor.status == status))
            return list(found.all())

    async def customers_with_cards(self) -> list[Customer]:
        async with self.sessions() as session:
            found = await session.scalars(
                select(Customer).where(Customer.default_payment_method_id.is_not(None))
            )
            return list(found.all())

    async def charges(self, *statuses: str) -> list[Charge]:
        async with self.sessions() as session:
            found = await session.scalars(select(Charge).where(Charge.status.in_(statuses)))
            return list(found.all())

    async def charge(self, charge_id: str) -> Charge | None:
        async with self.sessions() as session:
            return await session.get(Charge, charge_id)

    async def vendor(self, vendor_id: int) -> Vendor | None:
        async with self.sessions() as session:
            return await session.get(Vendor, vendor_id)


def button(message: JSON, *, action_id: str | None = None, label: str | None = None) -> JSON | None:
    """The first button in `message` with that action id or label."""
    for block in message.get("blocks") or []:
        for element in [*(block.get("elements") or []), block.get("accessory") or {}]:
            if element.get("type") != "button":
                continue
            if action_id and element.get("action_id") == action_id:
                return dict(element)
            if label and (element.get("text") or {}).get("text") == label:
                return dict(element)
    return None


__all__ = ["ADMIN", "OPS_CHANNEL", "modal_inputs"]
