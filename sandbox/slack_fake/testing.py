"""`running_slack_fake`: the fake on a free local port, with a handle for tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web

from .app import create_app
from .state import JSON

TEST_TOKEN = "xoxb-sandbox-test-token"
TEST_SIGNING_SECRET = "sandbox-signing-secret"


class SlackFake:
    """A running fake: its URLs and its control routes as coroutines."""

    def __init__(self, url: str, app: web.Application, session: aiohttp.ClientSession) -> None:
        self.url = url
        self.api_url = f"{url}api/"
        self.app = app
        self._session = session

    async def _get(self, path: str, **query: str) -> Any:
        async with self._session.get(f"{self.url}{path}", params=query) as resp:
            resp.raise_for_status()
            return await resp.json()

    async def _post(self, path: str, body: JSON) -> Any:
        async with self._session.post(f"{self.url}{path}", json=body) as resp:
            resp.raise_for_status()
            return await resp.json()

    async def calls(self, method: str | None = None) -> list[JSON]:
        return list(await self._get("_fake/calls", **({"method": method} if method else {})))

    async def messages(self, channel: str) -> list[JSON]:
        return list(await self._get("_fake/messages", channel=channel))

    async def responses(self, key: str) -> list[JSON]:
        return list(await self._get("_fake/responses", key=key))

    async def view(self, view_id: str) -> JSON:
        return dict(await self._get(f"_fake/views/{view_id}"))

    async def home(self, user_id: str) -> JSON:
        return dict(await self._get(f"_fake/home/{user_id}"))

    async def fault(
        self,
        method: str,
        kind: str = "429",
        count: int = 1,
        retry_after: int = 1,
        seconds: float = 30.0,
    ) -> None:
        """The next `count` calls of `method` answer 429/500 or hang `seconds` ("timeout")."""
        body = {"method": method, "kind": kind, "count": count, "retry_after": retry_after}
        await self._post("_fake/faults", {**body, "seconds": seconds})

    async def outage(self, *, on: bool = True, seconds: float | None = None) -> None:
        await self._post("_fake/outage", {"on": on} if seconds is None else {"seconds": seconds})

    async def set_user(self, user_id: str, **fields: Any) -> JSON:
        return dict((await self._post("_fake/users", {"id": user_id, **fields}))["user"])

    async def set_channel_missing(self, channel_id: str, missing: bool = True) -> None:
        await self._post("_fake/channels", {"id": channel_id, "missing": missing})

    async def reset(self) -> None:
        await self._post("_fake/reset", {})


@asynccontextmanager
async def running_slack_fake(
    *, token: str, host: str = "127.0.0.1", port: int = 0, **options: Any
) -> AsyncIterator[SlackFake]:
    """Serve a fresh fake on `host:port` (a free port by default) for the block's duration."""
    app = create_app(token=token, **options)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_port = runner.addresses[0][1]
    try:
        async with aiohttp.ClientSession() as session:
            yield SlackFake(f"http://{host}:{bound_port}/", app, session)
    finally:
        await runner.cleanup()
