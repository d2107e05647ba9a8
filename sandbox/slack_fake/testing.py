"""`running_slack_fake`: the fake on a free local port, with a handle for tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web

from .api import STATE_KEY
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

    async def files(self, channel: str | None = None) -> list[JSON]:
        """Files uploaded and completed (shared in `channel`, when given), oldest first."""
        return list(await self._get("_fake/files", **({"channel": channel} if channel else {})))

    async def file_content(self, file_id: str) -> bytes:
        """The bytes uploaded for `file_id` (what a person downloading it gets)."""
        async with self._session.get(f"{self.url}_fake/files/{file_id}/content") as resp:
            resp.raise_for_status()
            return await resp.read()

    async def responses(self, key: str) -> list[JSON]:
        return list(await self._get("_fake/responses", key=key))

    async def responses_when(self, key: str, count: int = 1, seconds: float = 5.0) -> list[JSON]:
        """The uses of response URL `key` once there are `count` of them (the app answers
        through it after its ack, so a test waits); AssertionError after `seconds`."""
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            found = await self.responses(key)
            if len(found) >= count:
                return found
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{len(found)} of {count} responses at {key} in {seconds}s")
            await asyncio.sleep(0.02)

    async def view(self, view_id: str) -> JSON:
        return dict(await self._get(f"_fake/views/{view_id}"))

    def view_ids(self) -> set[str]:
        """The ids of every view the fake holds now (modals and App Homes). Take them before an
        action; `views_since` then names the views it opened."""
        return set(self.app[STATE_KEY].views)

    def opened_triggers(self) -> set[str]:
        """The trigger ids a `views.open` was accepted with."""
        return set(self.app[STATE_KEY].opened_views)

    def views_since(self, before: set[str]) -> list[str]:
        """The ids of views the fake holds that are not in `before`, oldest first."""
        return [v for v in self.app[STATE_KEY].views if v not in before]

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
        """The next `count` calls of `method` (a Web API method, "response_url" or "*") fail:
        "429" (with Retry-After), "500"/"502"/"503"/"504", "timeout" (hang `seconds`, nothing
        happens) or "drop" (the call takes effect, then the connection is closed)."""
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

    async def advance_clock(self, seconds: float) -> float:
        """Move the fake's clock forward (triggers and response URLs age); its time now."""
        return float((await self._post("_fake/clock", {"advance": seconds}))["now"])

    async def declare_conversation(
        self,
        channel_id: str,
        kind: str,
        members: list[str],
        *,
        bot_member: bool | None = None,
        archived: bool = False,
        name: str = "",
    ) -> JSON:
        """Declare a conversation the fake then treats strictly (see `conversations`).

        `kind` is public, private, dm or mpim; `bot_member` defaults to True except for a DM,
        where it defaults to False (a DM between two people).
        """
        body: JSON = {"id": channel_id, "kind": kind, "members": members, "archived": archived}
        body["bot_member"] = (kind != "dm") if bot_member is None else bot_member
        body["name"] = name
        return dict((await self._post("_fake/conversations", body))["conversation"])

    async def conversations(self) -> list[JSON]:
        return list(await self._get("_fake/conversations"))

    async def issue_trigger(self, user_id: str, *, view_id: str | None = None) -> str:
        """A trigger id as Slack would hand the app for an interaction by `user_id`."""
        body = {"user_id": user_id, "view_id": view_id}
        return str((await self._post("_fake/interactions", body))["trigger_id"])

    async def issue_response_url(self, user_id: str, *, channel_id: str = "C_GENERAL") -> str:
        """A fresh response URL, as Slack hands one out with a command or a message action."""
        issued = await self._post("_fake/interactions", {"user_id": user_id, "response_url": True})
        query = f"channel={channel_id}&user={user_id}"
        return f"{self.url}_fake/respond/{issued['response_key']}?{query}"

    async def deliveries(self, kind: str | None = None) -> list[JSON]:
        """What the signed sender saw go wrong: late answers, retried events."""
        return list(await self._get("_fake/deliveries", **({"kind": kind} if kind else {})))


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
