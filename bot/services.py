"""The long-lived things a listener or route needs, built once in `server.py` and passed in."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.metrics import Metrics
from bot.stripe_ops.client import StripeConnection
from storage.group_commit import GroupCommit


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    stripe: StripeConnection
    slack: AsyncWebClient
    #: Stores webhook deliveries in shared transactions (the webhook route's group commit).
    event_intake: GroupCommit
    #: Set when a transaction that queued Slack messages commits (see storage.db): the relay
    #: then posts them at once instead of at its next poll.
    outbox_ready: asyncio.Event = field(default_factory=asyncio.Event)
    #: Set when the webhook route stores a new Stripe event: the event processor then handles
    #: it at once instead of at its next poll (the route never reaches for the worker itself).
    events_ready: asyncio.Event = field(default_factory=asyncio.Event)
    #: This app's metrics (its own registry), served at /metrics.
    metrics: Metrics = field(default_factory=Metrics)
    #: The Stripe event types connectbot handles itself (`bot.handlers`), for `/notify`.
    handled_event_types: frozenset[str] = frozenset()


SERVICES = web.AppKey("services", Services)
