"""The floors connectbot is measured against: the least a Slack app or a webhook endpoint can do.

Each runs in the bench's own event loop, beside connectbot and the fakes, so both sides of a
ratio pay for the same loop, the same client and the same machine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from tests.harness import free_socket


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    """Serve `app` on a free 127.0.0.1 port for the block; yields its base URL."""
    sock = free_socket()
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    try:
        await web.SockSite(runner, sock).start()
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        await runner.cleanup()
