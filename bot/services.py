"""The long-lived things a listener or route needs, built once in `server.py` and passed in."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.stripe_ops.client import StripeConnection


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    stripe: StripeConnection
    slack: AsyncWebClient


SERVICES = web.AppKey("services", Services)
