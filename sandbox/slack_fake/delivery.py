"""How Slack delivers a request to an app and what it does when the answer is late or bad.

Slash commands and interactions: the app's answer "must be received by Slack within 3000
milliseconds of the original request being sent" (https://api.slack.com/interactivity/
slash-commands; the same 3 seconds for interaction payloads, https://api.slack.com/
interactivity/handling). Past that the person sees `/cmd failed with the error
"operation_timeout"` (integrations/slack#352, grafana/oncall#3673) and whatever the app answers
later is never shown. The fake's sender gives up after `answer_seconds` and drops the
connection, so the late body is thrown away.

Events: "your app should respond ... with HTTP 2xx within three seconds"; otherwise Slack
retries "up to 3 times: nearly immediately, then after 1 minute, then after 5 minutes", each
retry carrying `X-Slack-Retry-Num` (1, 2, 3) and `X-Slack-Retry-Reason` (`http_timeout` when
the answer took longer than 3 seconds, `http_error` for a non-2xx answer), unless the answer
carried `X-Slack-No-Retry: 1` ("Using the Events API",
https://api.slack.com/apis/connections/events-api#retries). The sender keeps those three
delays in proportion but compressed a hundredfold by default (0 s, 0.6 s, 3 s), so tests and
the console do not wait minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

import aiohttp

from .reply import SlackReply
from .signing import slack_signature
from .state import JSON

ANSWER_SECONDS = 3.0
SLACK_EVENT_RETRY_DELAYS = (0.0, 60.0, 300.0)
COMPRESSION = 100
EVENT_RETRY_DELAYS = tuple(d / COMPRESSION for d in SLACK_EVENT_RETRY_DELAYS)
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


class Delivery:
    """One app endpoint, reached over `session`, as Slack reaches it."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        events_url: str,
        signing_secret: str,
        *,
        fake_url: str,
        answer_seconds: float,
        event_retry_delays: tuple[float, ...],
    ) -> None:
        self.session = session
        self.events_url = events_url
        self.signing_secret = signing_secret
        self.fake_url = fake_url
        self.answer_seconds = answer_seconds
        self.event_retry_delays = event_retry_delays

    async def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        extra_headers: dict[str, str] | None = None,
        late_error: str = "operation_timeout",
    ) -> SlackReply:
        """POST `body` signed now (or as overridden); a late answer becomes `late_error`."""
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature or slack_signature(self.signing_secret, ts, body),
            "User-Agent": USER_AGENT,
            **(extra_headers or {}),
        }
        try:
            async with asyncio.timeout(self.answer_seconds):
                async with self.session.post(self.events_url, data=body, headers=headers) as resp:
                    text = await resp.text()
                    return SlackReply(status=resp.status, body=text, headers=dict(resp.headers))
        except TimeoutError:
            return SlackReply(status=0, body="", error=late_error)

    async def event(self, envelope: JSON, **signing: Any) -> SlackReply:
        """Deliver an event_callback, retrying a late or non-2xx answer as Slack does."""
        body = json.dumps(envelope).encode()
        reply = await self.post(body, "application/json", late_error="http_timeout", **signing)
        retries = 0
        while not (200 <= reply.status < 300) and not _no_retry(reply):
            reason = "http_timeout" if reply.error else "http_error"
            will_retry = retries < len(self.event_retry_delays)
            await self.report(
                kind="event",
                error=reason,
                name=str(envelope.get("event_id", "")),
                status=reply.status,
                retry_num=retries,
                will_retry=will_retry,
            )
            if not will_retry:
                break
            await asyncio.sleep(self.event_retry_delays[retries])
            retries += 1
            retry = {"X-Slack-Retry-Num": str(retries), "X-Slack-Retry-Reason": reason}
            reply = await self.post(
                body, "application/json", late_error="http_timeout", extra_headers=retry, **signing
            )
        reply.attempts = retries + 1
        return reply

    async def report(self, **entry: Any) -> None:
        """Tell the fake what Slack noticed (a late answer, a retried event), for tests and the
        console to see at `GET /_fake/deliveries`."""
        with contextlib.suppress(aiohttp.ClientError):
            url = f"{self.fake_url}/_fake/deliveries"
            async with self.session.post(url, json=entry) as resp:
                resp.raise_for_status()


def _no_retry(reply: SlackReply) -> bool:
    return any(k.lower() == "x-slack-no-retry" and v == "1" for k, v in reply.headers.items())
