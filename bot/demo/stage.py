"""The demo's stage: people acting on a running sandbox as Slack and a browser would.

Slash commands and modal submissions go to connectbot signed, through the fake Slack's
`SlackSender`; Stripe's pages are opened with the fake's script shortcuts; what people see is
read back from the fake Slack (channel messages, DMs, private replies) plus the text each
command's acknowledgement carried, which Slack shows only to whoever typed it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from yarl import URL

from bot.demo.transcript import Seen, for_terminal, render_message
from bot.sandbox_workspace import PEOPLE, SIGNING_SECRET, TEAM_ID, SandboxUrls
from sandbox.slack_fake.client import SlackSender
from sandbox.slack_fake.console.escape import escape_command_text, split_command
from sandbox.slack_fake.interactions import Workspace

T = TypeVar("T")
JSON = dict[str, Any]
#: How long a step waits for an asynchronous effect (webhook, relay, response URL).
WAIT_SECONDS = 20.0


class StepFailed(Exception):
    """A step did not do what it should; the message says what was missing, in one line."""


@dataclass(frozen=True)
class Page:
    """A web page a person opened, after its redirects."""

    status: int
    url: str
    text: str


class Stage:
    """Everything a step may do or look at. Refuses nothing itself; steps check outcomes."""

    def __init__(
        self,
        urls: SandboxUrls,
        http: aiohttp.ClientSession,
        sessions: async_sessionmaker[AsyncSession],
        *,
        channels: dict[str, str],
        say: Callable[[str], None],
    ) -> None:
        self.urls = urls
        self.http = http
        self.sessions = sessions
        self.channels = channels  # id → name
        self.names = {user_id: real for user_id, _h, real, _t, _e in PEOPLE}
        self._handles = {user_id: handle for user_id, handle, *_ in PEOPLE}
        self.say = say
        self.sender = SlackSender(
            f"{urls.server}/slack/events",
            SIGNING_SECRET,
            fake_url=urls.slack,
            workspace=Workspace(team_id=TEAM_ID),
            session=http,
        )
        self._seen: dict[tuple[str, str], str] = {}
        self._acks: list[Seen] = []
        self._views_seen = 0
        self._requests_checked = 0
        #: What one step leaves for the next (a charge id, …), by name.
        self.memo: dict[str, str] = {}

    # --- acting -----------------------------------------------------------------------------

    async def command(self, user: str, text: str, *, channel: str) -> str:
        """`user` types `text` (a slash command, mentions as `@Name`) in `channel`; returns the
        text the acknowledgement carried ("" when the answer follows later).

        Refuses (StepFailed) an answer other than HTTP 200.
        """
        parsed = split_command(text)
        if parsed is None:
            raise StepFailed(f"not a slash command: {text!r}")
        name, rest = parsed
        self.say(f"{self.first_name(user)} types in {self.where(channel)}: {text}")
        people: dict[str, str] = {}
        for user_id, real in self.names.items():
            people.setdefault(real.split(" ")[0].lower(), user_id)
            people.setdefault(self._handles[user_id], user_id)
        channels = {n: c for c, n in self.channels.items()}
        escaped = escape_command_text(rest, people=people, channels=channels)
        reply = await self.sender.command(
            name,
            escaped,
            user_id=user,
            user_name=self._handles.get(user),
            channel_id=channel,
            channel_name=self.channels.get(channel, channel),
        )
        if reply.status != 200:
            raise StepFailed(f"{name} was answered with HTTP {reply.status}")
        self._ack(user, channel, reply.body)
        return reply.body.strip()

    def _ack(self, user: str, channel: str, body: str) -> None:
        if not body.strip():
            return
        parsed = reply_json(body)
        message = parsed if isinstance(parsed, dict) else {"text": body}
        audience = self.audience({**message, "ephemeral_for": user}, channel)
        if message.get("response_type") == "in_channel":
            audience = self.where(channel)
        lines = render_message(message, self.names, self.channels)
        self._acks.append(Seen(audience, tuple(lines)))

    async def open_charge_modal(self, user: str, text: str, *, channel: str) -> JSON:
        """Type a `/charge` command and return the confirmation modal it opened for `user`."""
        refusal = await self.command(user, text, channel=channel)
        if refusal:
            raise StepFailed(f"{text.split()[0]} was refused: {refusal.splitlines()[0]}")
        view = await self.until(self._new_modal, "the charge confirmation modal to open")
        self.say(f"{self.first_name(user)} sees the modal “{view['title']['text']}”:")
        for line in render_message(view, self.names, self.channels):
            self.say(f"  | {for_terminal(line)}")
        return view

    async def _new_modal(self) -> JSON | None:
        # The fake numbers views V00000001, V00000002, … in order; read on from the last one.
        while True:
            number = self._views_seen + 1
            async with self.http.get(f"{self.urls.slack}/_fake/views/V{number:08d}") as resp:
                if resp.status != 200:
                    return None
                view: JSON = await resp.json()
            self._views_seen = number
            if view.get("type") == "modal":
                return view

    async def submit(self, user: str, view: JSON, inputs: dict[str, Any]) -> None:
        """`user` presses the modal's submit button; refuses HTTP errors and field errors."""
        self.say(f"{self.first_name(user)} presses “{view['submit']['text']}”")
        reply = await self.sender.view_submission(view, inputs, user_id=user)
        if reply.status != 200:
            raise StepFailed(f"the modal submission was answered with HTTP {reply.status}")
        answer = reply.json
        if isinstance(answer, dict) and answer.get("response_action") == "errors":
            raise StepFailed(f"the modal refused the submission: {answer.get('errors')}")

    async def browse(self, who: str, url: str, what: str, **query: str) -> Page:
        """`who` opens `url` (with `query` added) in a browser, redirects followed; refuses an
        error page."""
        self.say(f"{who} opens {what}")
        async with self.http.get(URL(url, encoded=True).update_query(query)) as resp:
            page = Page(resp.status, str(resp.url), await resp.text())
        if page.status >= 400:
            raise StepFailed(f"{what} answered HTTP {page.status}")
        return page

    async def stripe_post(self, path: str, body: JSON) -> JSON:
        async with self.http.post(f"{self.urls.stripe}{path}", json=body) as resp:
            answer: JSON = await resp.json()
            if resp.status != 200:
                raise StepFailed(f"the fake Stripe refused {path}: {answer.get('error')}")
            return answer

    async def stripe_get(self, path: str) -> Any:
        async with self.http.get(f"{self.urls.stripe}{path}") as resp:
            return await resp.json()

    async def stripe_refusals(self) -> str | None:
        """The first request since the last call that real Stripe would refuse (the fake checks
        each against stripe-python's params and the OpenAPI spec), described in one line."""
        log: list[JSON] = await self.stripe_get("/_fake/requests")
        fresh, self._requests_checked = log[self._requests_checked :], len(log)
        for entry in fresh:
            if entry.get("problems"):
                problem = entry["problems"][0]
                return f"Stripe would refuse {entry['method']} {entry['path']}: {problem}"
        return None

    # --- looking ----------------------------------------------------------------------------

    async def until(
        self, check: Callable[[], Awaitable[T | None]], what: str, seconds: float = WAIT_SECONDS
    ) -> T:
        """Poll `check` until it returns something truthy; refuses after `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            found = await check()
            if found:
                return found
            if time.monotonic() > deadline:
                raise StepFailed(f"waited {seconds:g} s for {what}")
            await asyncio.sleep(0.1)

    async def messages(self, channel: str) -> list[JSON]:
        async with self.http.get(
            f"{self.urls.slack}/_fake/messages", params={"channel": channel}
        ) as resp:
            found: list[JSON] = await resp.json()
        return found

    async def wait_for_message(
        self, channel: str, *needles: str, for_user: str | None = None, what: str
    ) -> JSON:
        """The first message in `channel` whose text holds every needle (case-insensitive).

        `for_user` set: only a private reply to that person; else only messages everyone sees.
        """

        async def found() -> JSON | None:
            for message in await self.messages(channel):
                if message.get("ephemeral_for") != for_user:
                    continue
                shown = message_text(message).lower()
                if all(n.lower() in shown for n in needles):
                    return message
            return None

        return await self.until(found, what)

    async def news(self) -> list[Seen]:
        """Everything shown (or changed) since the last call, with who sees it, oldest first."""
        async with self.http.get(f"{self.urls.slack}/_fake/messages") as resp:
            everything: dict[str, list[JSON]] = await resp.json()
        fresh: list[tuple[str, Seen]] = []
        for channel, messages in everything.items():
            for message in messages:
                key, print_ = (channel, str(message.get("ts"))), fingerprint(message)
                if self._seen.get(key) == print_:
                    continue
                updated = key in self._seen
                self._seen[key] = print_
                lines = render_message(message, self.names, self.channels)
                if updated:
                    lines = ["(edited) " + lines[0], *lines[1:]]
                seen = Seen(self.audience(message, channel), tuple(lines))
                fresh.append((str(message.get("ts")), seen))
        fresh.sort(key=lambda pair: float(pair[0] or 0))
        acks, self._acks = self._acks, []
        return acks + [seen for _ts, seen in fresh]

    # --- naming -----------------------------------------------------------------------------

    def first_name(self, user: str) -> str:
        return self.names.get(user, user).split(" ")[0]

    def where(self, channel: str) -> str:
        if channel.startswith("D"):
            return f"a DM with {self.first_name(channel[1:])}"
        return "#" + self.channels.get(channel, channel)

    def audience(self, message: JSON, channel: str) -> str:
        owner = message.get("ephemeral_for")
        if owner:
            return f"{self.names.get(owner, owner)} · only visible to you, in {self.where(channel)}"
        if channel.startswith("D"):
            return f"{self.names.get(channel[1:], channel[1:])} · DM from connectbot"
        return f"everyone in {self.where(channel)}"


def reply_json(body: str) -> Any:
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        return None


def message_text(message: JSON) -> str:
    """The fallback text and every text in the blocks (what a search would look through)."""
    return (
        str(message.get("text") or "")
        + "\n"
        + json.dumps(message.get("blocks") or [], ensure_ascii=False)
    )


def fingerprint(message: JSON) -> str:
    return json.dumps([message.get("text"), message.get("blocks")], sort_keys=True)
