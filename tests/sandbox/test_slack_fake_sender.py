"""SlackSender signs as Slack does, and a real Bolt app understands what it sends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import pytest
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from sandbox.slack_fake.client import SlackSender
from sandbox.slack_fake.testing import TEST_SIGNING_SECRET as SLACK_TEST_SIGNING_SECRET
from sandbox.slack_fake.testing import TEST_TOKEN as SLACK_TEST_TOKEN
from sandbox.slack_fake.testing import SlackFake
from tests.sandbox.slack_helpers import MODAL

pytest_plugins = ["tests.sandbox.conftest_slack"]

BUTTONS = [
    {
        "type": "actions",
        "block_id": "acts",
        "elements": [
            {
                "type": "button",
                "action_id": "approve",
                "value": "v1",
                "text": {"type": "plain_text", "text": "Approve"},
            }
        ],
    }
]


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[str, list[tuple[bytes, dict[str, str]]]]]:
    """A server that records the exact bytes and headers it receives."""
    seen: list[tuple[bytes, dict[str, str]]] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append((await request.read(), dict(request.headers)))
        return web.Response(text="")

    app = web.Application()
    app.router.add_post("/slack/events", handle)
    runner, url = await _serve(app)
    yield url, seen
    await runner.cleanup()


async def test_signatures_verify_with_slack_sdk(
    recorder: tuple[str, list[tuple[bytes, dict[str, str]]]], slack_fake: SlackFake
) -> None:
    url, seen = recorder
    async with SlackSender(url, SLACK_TEST_SIGNING_SECRET, fake_url=slack_fake.url) as sender:
        await sender.command("/pay", "10 @vera", user_id="U1")
        await sender.block_action("approve", user_id="U1", value="v1")
        await sender.view_submission({"id": "V1", "blocks": MODAL["blocks"]}, {}, user_id="U1")
        await sender.app_home_opened("U1")
        await sender.command("/pay", "", user_id="U1", timestamp=1)
        await sender.command("/pay", "", user_id="U1", signature="v0=" + "0" * 64)
    verifier = SignatureVerifier(SLACK_TEST_SIGNING_SECRET)
    results = [verifier.is_valid_request(body, headers) for body, headers in seen]
    assert results == [True, True, True, True, False, False]
    body, headers = seen[0]
    assert not verifier.is_valid_request(body.replace(b"10", b"99"), headers)
    fields = {k: v[0] for k, v in parse_qs(body.decode()).items()}
    assert fields["command"] == "/pay" and fields["team_id"] == "T_SANDBOX"
    assert fields["response_url"].startswith(f"{slack_fake.url}_fake/respond/")
    assert fields["trigger_id"] and fields["user_id"] == "U1"


async def test_a_bolt_app_round_trip(slack_fake: SlackFake) -> None:
    submitted: list[dict[str, Any]] = []
    view_ids: list[str] = []
    client = AsyncWebClient(token=SLACK_TEST_TOKEN, base_url=slack_fake.api_url)
    bolt = AsyncApp(client=client, signing_secret=SLACK_TEST_SIGNING_SECRET)

    @bolt.command("/pay")
    async def pay(ack: Any, respond: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        opened = await client.views_open(trigger_id=body["trigger_id"], view=MODAL)
        view_ids.append(opened["view"]["id"])
        await respond(text=f"paying {body['text']}", blocks=BUTTONS)
        await client.chat_postMessage(channel=body["channel_id"], text="posted", blocks=BUTTONS)

    @bolt.action("approve")
    async def approve(ack: Any, respond: Any, action: dict[str, Any]) -> None:
        await ack()
        await respond(text=f"approved {action['value']}", replace_original=True)

    @bolt.view("refund")
    async def refund(ack: Any, view: dict[str, Any]) -> None:
        await ack()
        submitted.append(view)

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", events)
    runner, url = await _serve(app)
    try:
        async with SlackSender(url, SLACK_TEST_SIGNING_SECRET, fake_url=slack_fake.url) as sender:
            reply = await sender.command("/pay", "10", user_id="U1", channel_id="C7")
            assert reply.status == 200
            (response,) = await slack_fake.responses_when(reply.response_key or "")
            assert response["text"] == "paying 10" and response["ok"] is True
            (opened,) = await slack_fake.calls("views.open")
            assert opened["ok"] is True and opened["params"]["trigger_id"] == reply.trigger_id

            message = next(m for m in await slack_fake.messages("C7") if m["text"] == "posted")
            reply = await sender.block_action("approve", user_id="U1", message=message)
            assert reply.status == 200
            (response,) = await slack_fake.responses_when(reply.response_key or "")
            assert response["replace_original"] is True
            texts = [m["text"] for m in await slack_fake.messages("C7")]
            assert "approved v1" in texts and "posted" not in texts

            view = await slack_fake.view(view_ids[0])
            inputs = {"amount": "12.50", "reason": "duplicate"}
            reply = await sender.view_submission(view, inputs, user_id="U1")
            assert reply.status == 200
            (got,) = submitted
            values = got["state"]["values"]
            assert values["amount"]["value"]["value"] == "12.50"
            assert values["reason"]["pick"]["selected_option"]["value"] == "duplicate"
            assert got["private_metadata"] == "ch_1"

            reply = await sender.command("/pay", "1", user_id="U1", signature="v0=bad")
            assert reply.status == 401
    finally:
        await runner.cleanup()
        if client.session is not None:
            await client.session.close()
