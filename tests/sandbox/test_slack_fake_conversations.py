"""Conversations and membership: where the app may post, as Slack decides it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from sandbox.slack_fake.api import STATE_KEY
from sandbox.slack_fake.app import create_app
from sandbox.slack_fake.console import CONSOLE_KEY, add_person
from sandbox.slack_fake.console.workspace import LOUNGE_ID, person_dm_id, snapshot
from sandbox.slack_fake.state import DEFAULT_SCOPES
from sandbox.slack_fake.testing import TEST_SIGNING_SECRET as SLACK_TEST_SIGNING_SECRET
from sandbox.slack_fake.testing import TEST_TOKEN as SLACK_TEST_TOKEN
from sandbox.slack_fake.testing import SlackFake, running_slack_fake

pytest_plugins = ["tests.sandbox.conftest_slack"]

ADA, VERA, OTTO = "U0ADA", "U0VERA", "U0OTTO"


async def _error(call: Any) -> str:
    with pytest.raises(SlackApiError) as info:
        await call
    return str(info.value.response["error"])


async def test_undeclared_channels_keep_the_lenient_default(slack_web: AsyncWebClient) -> None:
    assert (await slack_web.chat_postMessage(channel="CANY", text="hi"))["channel"] == "CANY"
    assert (await slack_web.chat_postEphemeral(channel="CANY", user="U1", text="psst"))["ok"]


async def test_a_dm_between_two_people_is_invisible_to_the_app(
    slack_web: AsyncWebClient, slack_fake: SlackFake
) -> None:
    await slack_fake.declare_conversation("D0PAIR", "dm", [ADA, VERA])
    for call in (
        slack_web.chat_postEphemeral(channel="D0PAIR", user=ADA, text="x"),
        slack_web.chat_postMessage(channel="D0PAIR", text="x"),
        slack_web.conversations_open(channel="D0PAIR"),
    ):
        assert await _error(call) == "channel_not_found"
    assert await slack_fake.messages("D0PAIR") == []


async def test_private_channels_need_the_bot_and_ephemerals_need_a_member(
    slack_web: AsyncWebClient, slack_fake: SlackFake
) -> None:
    await slack_fake.declare_conversation("G0SECRET", "private", [ADA, VERA], bot_member=False)
    await slack_fake.declare_conversation("C0INNER", "private", [ADA], bot_member=True)
    assert await _error(slack_web.chat_postMessage(channel="G0SECRET", text="x")) == (
        "channel_not_found"
    )
    assert await _error(slack_web.chat_postEphemeral(channel="G0SECRET", user=ADA, text="x")) == (
        "channel_not_found"
    )
    assert (await slack_web.chat_postMessage(channel="C0INNER", text="in"))["ok"]
    assert (await slack_web.chat_postEphemeral(channel="C0INNER", user=ADA, text="x"))["ok"]
    assert await _error(slack_web.chat_postEphemeral(channel="C0INNER", user=VERA, text="x")) == (
        "user_not_in_channel"
    )


async def test_public_channels_take_posts_without_membership_given_chat_write_public(
    slack_web: AsyncWebClient, slack_fake: SlackFake
) -> None:
    await slack_fake.declare_conversation("C0SHOP", "public", [VERA], bot_member=False)
    assert (await slack_web.chat_postMessage(channel="C0SHOP", text="sold"))["ok"]
    assert await _error(slack_web.chat_postEphemeral(channel="C0SHOP", user=ADA, text="x")) == (
        "user_not_in_channel"
    )
    scopes = tuple(s for s in DEFAULT_SCOPES if s != "chat:write.public")
    async with running_slack_fake(token=SLACK_TEST_TOKEN, scopes=scopes) as narrow:
        await narrow.declare_conversation("C0SHOP", "public", [VERA], bot_member=False)
        client = AsyncWebClient(token=SLACK_TEST_TOKEN, base_url=narrow.api_url)
        assert await _error(client.chat_postMessage(channel="C0SHOP", text="x")) == (
            "not_in_channel"
        )


def test_app_yaml_requests_the_scopes_the_fake_grants() -> None:
    manifest = yaml.safe_load((Path(__file__).resolve().parents[2] / "app.yaml").read_text())
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(DEFAULT_SCOPES)
    assert "chat:write.public" in DEFAULT_SCOPES


async def test_archived_channels_refuse_posts_and_edits(
    slack_web: AsyncWebClient, slack_fake: SlackFake
) -> None:
    await slack_fake.declare_conversation("C0OLD", "public", [ADA])
    posted = await slack_web.chat_postMessage(channel="C0OLD", text="before")
    await slack_fake.declare_conversation("C0OLD", "public", [ADA], archived=True)
    assert await _error(slack_web.chat_postMessage(channel="C0OLD", text="x")) == "is_archived"
    assert await _error(slack_web.chat_postEphemeral(channel="C0OLD", user=ADA, text="x")) == (
        "is_archived"
    )
    edit = slack_web.chat_update(channel="C0OLD", ts=posted["ts"], text="after")
    assert await _error(edit) == "is_inactive"


async def test_a_user_id_as_channel_posts_in_the_apps_dm(
    slack_web: AsyncWebClient, slack_fake: SlackFake
) -> None:
    posted = await slack_web.chat_postMessage(channel=VERA, text="your payout")
    assert posted["channel"] == f"D{VERA}"
    assert [m["text"] for m in await slack_fake.messages(f"D{VERA}")] == ["your payout"]
    assert await slack_fake.messages(VERA) == []
    opened = await slack_web.conversations_open(users=VERA)
    assert opened["channel"]["id"] == posted["channel"]
    assert (await slack_web.chat_postEphemeral(channel=f"D{VERA}", user=VERA, text="x"))["ok"]
    assert await _error(slack_web.chat_postEphemeral(channel=f"D{VERA}", user=ADA, text="x")) == (
        "user_not_in_channel"
    )
    await slack_fake.set_user("U0GONE", missing=True)
    assert await _error(slack_web.chat_postMessage(channel="U0GONE", text="x")) == (
        "channel_not_found"
    )
    (dm,) = [c for c in await slack_fake.conversations() if c["id"] == f"D{VERA}"]
    assert dm == {**dm, "kind": "dm", "members": [VERA], "bot_member": True}


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"id": "C1", "kind": "channel"}, "kind must be one of"),
        ({"id": "C1", "kind": "dm", "members": [ADA, VERA]}, "a dm conversation id starts"),
        ({"id": "D1", "kind": "dm", "members": [ADA, VERA, OTTO]}, "between two people"),
        ({"id": "D1", "kind": "dm", "members": [ADA], "bot_member": True, "x": 1}, None),
        ({"id": "G1", "kind": "mpim", "members": [ADA], "bot_member": True}, "three"),
        ({"id": "C1", "kind": "public", "members": ["nobody"]}, "not user ids"),
    ],
)
async def test_declaring_a_conversation_says_what_is_wrong(
    slack_fake: SlackFake, body: dict[str, Any], problem: str | None
) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{slack_fake.url}_fake/conversations", json=body) as resp:
            text = await resp.text()
            assert resp.status == (200 if problem is None else 400), text
    if problem is not None:
        assert problem in text


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def test_the_console_seeds_a_private_channel_and_a_dm_the_app_is_not_in() -> None:
    seen: list[dict[str, str]] = []

    async def events(request: web.Request) -> web.Response:
        seen.append({k: str(v) for k, v in (await request.post()).items()})
        return web.Response(text="")

    receiver = web.Application()
    receiver.router.add_post("/slack/events", events)
    app_runner, app_url = await _serve(receiver)
    fake = create_app(
        token=SLACK_TEST_TOKEN, app_url=app_url, signing_secret=SLACK_TEST_SIGNING_SECRET
    )
    console, state = fake[CONSOLE_KEY], fake[STATE_KEY]
    for user_id, name, title in ((ADA, "ada", "admin"), (OTTO, "otto", "operator")):
        add_person(console, state, user_id, name, name.title(), title=title)
    add_person(console, state, VERA, "vera", "Vera", title="vendor")
    fake_runner, fake_url = await _serve(fake)  # seeding happens as it starts
    try:
        dm = person_dm_id(ADA, VERA)
        kinds = {c["id"]: c["kind"] for c in snapshot(console, state, ADA)["channels"]}
        assert kinds[LOUNGE_ID] == "private" and kinds[dm] == "dm"
        others = {c["id"] for c in snapshot(console, state, OTTO)["channels"]}
        assert LOUNGE_ID not in others and dm not in others
        async with aiohttp.ClientSession() as http:
            typed = {"user": ADA, "channel": LOUNGE_ID, "text": "/charge @Vera 10"}
            async with http.post(f"{fake_url}/console/api/message", json=typed) as resp:
                assert (await resp.json())["ok"] is True
            client = AsyncWebClient(token=SLACK_TEST_TOKEN, base_url=f"{fake_url}/api/")
            for channel in (LOUNGE_ID, dm):
                refused = client.chat_postEphemeral(channel=channel, user=ADA, text="x")
                assert await _error(refused) == "channel_not_found"
        (command,) = seen
        assert command["channel_id"] == LOUNGE_ID and command["channel_name"] == "privategroup"
        assert command["text"] == f"<@{VERA}|vera> 10"
    finally:
        await fake_runner.cleanup()
        await app_runner.cleanup()
