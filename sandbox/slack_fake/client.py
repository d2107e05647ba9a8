"""`SlackSender`: sends signed requests to a Slack app exactly as Slack does."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

import aiohttp

from .delivery import ANSWER_SECONDS, EVENT_RETRY_DELAYS, Delivery
from .interactions import (
    Workspace,
    action_entry,
    event_callback,
    message_container,
    submission,
    view_container,
)
from .reply import SlackReply
from .state import JSON


class SlackSender:
    """Signed slash commands, block_actions, view_submission and event_callback requests.

    Trigger ids and response URLs are issued by the fake at `fake_url`, so it knows when each
    expires. An answer slower than `answer_seconds` (Slack's 3) is treated as Slack treats it
    (see `delivery`). Every send method takes keyword `timestamp=` / `signature=` to override
    the signing headers for negative tests.
    """

    def __init__(
        self,
        events_url: str,
        signing_secret: str,
        *,
        fake_url: str,
        workspace: Workspace | None = None,
        session: aiohttp.ClientSession | None = None,
        answer_seconds: float = ANSWER_SECONDS,
        event_retry_delays: Sequence[float] = EVENT_RETRY_DELAYS,
    ) -> None:
        self.events_url = events_url
        self.signing_secret = signing_secret
        self.fake_url = fake_url.rstrip("/")
        self.workspace = workspace or Workspace()
        self._session = session
        self._owns_session = session is None
        self.answer_seconds = answer_seconds
        self.event_retry_delays = tuple(event_retry_delays)

    async def __aenter__(self) -> SlackSender:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    def _delivery(self) -> Delivery:
        return Delivery(
            self._http(),
            self.events_url,
            self.signing_secret,
            fake_url=self.fake_url,
            answer_seconds=self.answer_seconds,
            event_retry_delays=self.event_retry_delays,
        )

    def response_url(self, key: str, *, channel_id: str, user_id: str, message_ts: str = "") -> str:
        query = {"channel": channel_id, "user": user_id}
        if message_ts:
            query["message_ts"] = message_ts
        return f"{self.fake_url}/_fake/respond/{key}?{urlencode(query)}"

    async def _issue(
        self, user_id: str, *, view_id: str | None = None, response_url: bool = False
    ) -> tuple[str, str | None]:
        """(trigger_id, response key or None), issued by the fake for one interaction."""
        body = {"user_id": user_id, "view_id": view_id, "response_url": response_url}
        async with self._http().post(f"{self.fake_url}/_fake/interactions", json=body) as resp:
            resp.raise_for_status()
            issued = await resp.json()
        return str(issued["trigger_id"]), issued.get("response_key")

    async def send(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> SlackReply:
        """POST `body` signed over its exact bytes (or with the given timestamp/signature).

        An answer later than `answer_seconds` is thrown away: status 0, error
        `operation_timeout`.
        """
        return await self._delivery().post(
            body, content_type, timestamp=timestamp, signature=signature
        )

    async def send_form(self, fields: dict[str, str], **signing: Any) -> SlackReply:
        body = urlencode(fields).encode()
        return await self.send(body, "application/x-www-form-urlencoded", **signing)

    async def send_payload(self, payload: JSON, **signing: Any) -> SlackReply:
        return await self.send_form({"payload": json.dumps(payload)}, **signing)

    async def command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str,
        user_name: str | None = None,
        channel_id: str = "C_GENERAL",
        channel_name: str = "general",
        **signing: Any,
    ) -> SlackReply:
        """A slash command; the reply's response_key reads `/_fake/responses?key=`."""
        ws = self.workspace
        trigger_id, key = await self._issue(user_id, response_url=True)
        assert key is not None
        fields = {
            "token": ws.verification_token,
            "team_id": ws.team_id,
            "team_domain": ws.team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name or f"user_{user_id.lower()}",
            "command": command,
            "text": text,
            "api_app_id": ws.api_app_id,
            "is_enterprise_install": "false",
            "response_url": self.response_url(key, channel_id=channel_id, user_id=user_id),
            "trigger_id": trigger_id,
        }
        reply = await self.send_form(fields, **signing)
        reply.response_key, reply.trigger_id = key, trigger_id
        if reply.error:
            await self._delivery().report(
                kind="command", error=reply.error, user=user_id, channel=channel_id, name=command
            )
        return reply

    async def block_action(
        self,
        action_id: str,
        *,
        user_id: str,
        value: Any = None,
        block_id: str | None = None,
        action_type: str | None = None,
        message: JSON | None = None,
        channel_id: str | None = None,
        view: JSON | None = None,
        user_name: str | None = None,
        **signing: Any,
    ) -> SlackReply:
        """A click/selection on `action_id` in a stored message or view (as the fake has them)."""
        view_id = str(view.get("id")) if view is not None and view.get("id") else None
        trigger_id, key = await self._issue(user_id, view_id=view_id, response_url=view is None)
        payload = self.workspace.envelope("block_actions", user_id, user_name, trigger_id)
        blocks = (message or view or {}).get("blocks") or []
        entry = action_entry(
            action_id, blocks, value=value, block_id=block_id, action_type=action_type
        )
        payload["actions"] = [entry]
        channel = ""
        if view is not None:
            view_container(payload, view)
        else:
            assert key is not None
            channel = channel_id or (message or {}).get("channel") or "C_GENERAL"
            url = self.response_url(
                key, channel_id=channel, user_id=user_id, message_ts=(message or {}).get("ts", "")
            )
            message_container(payload, message, channel, url)
        reply = await self.send_payload(payload, **signing)
        reply.response_key, reply.trigger_id = key, trigger_id
        if reply.error:
            await self._delivery().report(
                kind="block_actions",
                error=reply.error,
                user=user_id,
                channel=channel,
                name=action_id,
            )
        return reply

    async def view_submission(
        self, view: JSON, inputs: dict[str, Any], *, user_id: str, **signing: Any
    ) -> SlackReply:
        """Submit a stored view (`GET /_fake/views/{id}`) with `inputs` keyed by block_id."""
        trigger_id, _ = await self._issue(user_id, view_id=str(view.get("id") or "") or None)
        payload = submission(self.workspace, view, inputs, user_id, trigger_id)
        reply = await self.send_payload(payload, **signing)
        reply.trigger_id = trigger_id
        if reply.error:
            name = str(view.get("callback_id") or "")
            await self._delivery().report(
                kind="view_submission", error=reply.error, user=user_id, channel="", name=name
            )
        return reply

    async def view_closed(self, view: JSON, *, user_id: str, **signing: Any) -> SlackReply:
        payload = self.workspace.envelope("view_closed", user_id, None)
        payload.update({"view": view, "is_cleared": False})
        return await self.send_payload(payload, **signing)

    async def event(self, event: JSON, **signing: Any) -> SlackReply:
        """An Events API `event_callback` envelope around `event`, sent as JSON.

        Not answered 2xx within `answer_seconds`, it is delivered again, as Slack retries
        (see `delivery.Delivery.event`); the reply is the last attempt's, with `attempts`.
        """
        envelope = event_callback(self.workspace, event)
        return await self._delivery().event(envelope, **signing)

    async def app_home_opened(self, user_id: str, **signing: Any) -> SlackReply:
        event = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": f"D{user_id}",
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        return await self.event(event, **signing)
