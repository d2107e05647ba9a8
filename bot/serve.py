"""`connectbot serve`: prepare the database, then run the aiohttp server until signalled."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.config import Settings
from bot.database import prepare_for_serving
from bot.server import build_server


def serve(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM; aiohttp then closes everything in the app's cleanup context."""
    print(asyncio.run(prepare_for_serving(settings.database_url)), flush=True)
    web.run_app(
        build_server(settings),
        host=settings.host,
        port=settings.port,
        print=lambda _: print(
            f"connectbot listening on http://{settings.host}:{settings.port} "
            f"(public address {settings.public_url})",
            flush=True,
        ),
        shutdown_timeout=10,
    )
