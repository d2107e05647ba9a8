"""`SlackSender`: sends signed requests to a Slack app exactly as Slack does."""

from __future__ import annotations

import json
import time
import uuid
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

import aiohttp

from .interactions import (
    Workspace,
    action_entry,
    event_callback,
    message_container,
    new_trigger_id,
    submission,
    view_container,
)
from .reply import SlackReply
from .signing import slack_signature
from .state import JSON


class SlackSender:
    """Signed slash commands, block_actions, view_submission and event_callback requests.

    Every send method takes keyword `timestamp=` / `signature=` to override the signing
    headers for negative tests.
    """

    def __init__(
        self,
        events_url: str,
        signing_secret: str,
        *,
        fake_url: str,
        workspace: Workspace | None = None,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.events_url = events_url
        self.signing_secret = signing_secret
        self.fake_url = fake_url.rstrip("/")
        self.workspace = workspace or Workspace()
        self._session = session
        self._owns_session = session is None

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

    def response_url(self, key: str, *, channel_id: str, user_id: str, message_ts: str = "") -> str:
        query = {"channel": channel_id, "user": user_id}
        if message_ts:
            query["message_ts"] = message_ts
        return f"{self.fake_url}/_fake/respond/{key}?{urlencode(query)}"

    async def send(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> SlackReply:
        """POST `body` signed over its exact bytes (or with the given timestamp/signature)."""
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature or slack_signature(self.signing_secret, ts, body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.post(self.events_url, data=body, headers=headers) as resp:
            text = await resp.text()
            return SlackReply(status=resp.status, body=text, headers=dict(resp.headers))

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
        key = uuid.uuid4().hex
        trigger_id = new_trigger_id()
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
        payload = self.workspace.envelope("block_actions", user_id, user_name)
        blocks = (message or view or {}).get("blocks") or []
        entry = action_entry(
            action_id, blocks, value=value, block_id=block_id, action_type=action_type
        )
        payload["actions"] = [entry]
        key: str | None = None
        if view is not None:
            view_container(payload, view)
        else:
            channel = channel_id or (message or {}).get("channel") or "C_GENERAL"
            key = uuid.uuid4().hex
            url = self.response_url(
                key, channel_id=channel, user_id=user_id, message_ts=(message or {}).get("ts", "")
            )
            message_container(payload, message, channel, url)
        reply = await self.send_payload(payload, **signing)
        reply.response_key, reply.trigger_id = key, payload["trigger_id"]
        return reply

    async def view_submission(
        self, view: JSON, inputs: dict[str, Any], *, user_id: str, **signing: Any
    ) -> SlackReply:
        """Submit a stored view (`GET /_fake/views/{id}`) with `inputs` keyed by block_id."""
        payload = submission(self.workspace, view, inputs, user_id)
        reply = await self.send_payload(payload, **signing)
        reply.trigger_id = payload["trigger_id"]
        return reply

    async def view_closed(self, view: JSON, *, user_id: str, **signing: Any) -> SlackReply:
        payload = self.workspace.envelope("view_closed", user_id, None)
        payload.pop("trigger_id")
        payload.update({"view": view, "is_cleared": False})
        return await self.send_payload(payload, **signing)

    async def event(self, event: JSON, **signing: Any) -> SlackReply:
        """An Events API `event_callback` envelope around `event`, sent as JSON."""
        body = json.dumps(event_callback(self.workspace, event)).encode()
        return await self.send(body, "application/json", **signing)

    async def app_home_opened(self, user_id: str, **signing: Any) -> SlackReply:
        event = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": f"D{user_id}",
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        return await self.event(event, **signing)
