"""The fake Slack's Web API, driven by the real slack_sdk AsyncWebClient."""

from __future__ import annotations

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from sandbox.slack_fake.testing import TEST_TOKEN as SLACK_TEST_TOKEN
from sandbox.slack_fake.testing import SlackFake
from tests.sandbox.slack_helpers import MODAL

pytest_plugins = ["tests.sandbox.conftest_slack"]

SECTION = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hello*"}}]


async def test_auth_test_describes_the_bot(slack_web: AsyncWebClient) -> None:
    resp = await slack_web.auth_test()
    assert resp["ok"] is True
    assert resp["team_id"] == "T_SANDBOX"
    assert isinstance(resp.data, dict)
    assert {"url", "team", "user", "user_id", "bot_id"} <= set(resp.data)


@pytest.mark.parametrize(("token", "error"), [("xoxb-wrong", "invalid_auth"), (None, "not_authed")])
async def test_bad_or_missing_token_is_refused(
    slack_fake: SlackFake, token: str | None, error: str
) -> None:
    client = AsyncWebClient(token=token, base_url=slack_fake.api_url)
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel="C1", text="hi")
    assert info.value.response.status_code == 200
    assert info.value.response["error"] == error
    assert (await slack_fake.calls("chat.postMessage"))[0]["error"] == error


async def test_form_body_with_token_param_and_unknown_method(slack_fake: SlackFake) -> None:
    async with aiohttp.ClientSession() as http:
        form = {"token": SLACK_TEST_TOKEN, "channel": "C1", "blocks": '[{"type": "divider"}]'}
        async with http.post(f"{slack_fake.api_url}chat.postMessage", data=form) as resp:
            assert (await resp.json())["ok"] is True
        async with http.post(f"{slack_fake.api_url}chat.nope", data=form) as resp:
            assert (await resp.json()) == {"ok": False, "error": "unknown_method"}
        body = {"token": SLACK_TEST_TOKEN, "channel": "C1", "text": "x"}
        async with http.post(f"{slack_fake.api_url}chat.postMessage", json=body) as resp:
            assert (await resp.json())["error"] == "not_authed"  # JSON needs the header
    call = (await slack_fake.calls("chat.postMessage"))[0]
    assert call["params"]["blocks"][0]["type"] == "divider"
    assert "token" not in call["params"]


async def test_post_message_then_update(slack_web: AsyncWebClient, slack_fake: SlackFake) -> None:
    first = await slack_web.chat_postMessage(channel="C123", text="one", blocks=SECTION)
    second = await slack_web.chat_postMessage(channel="C123", text="two", thread_ts=first["ts"])
    assert float(second["ts"]) > float(first["ts"])
    assert first["channel"] == "C123" and first["message"]["text"] == "one"
    updated = await slack_web.chat_update(channel="C123", ts=first["ts"], text="uno", blocks=[])
    assert updated["ts"] == first["ts"] and updated["text"] == "uno"
    messages = await slack_fake.messages("C123")
    assert [m["text"] for m in messages] == ["uno", "two"]
    assert messages[1]["thread_ts"] == first["ts"]
    with pytest.raises(SlackApiError) as info:
        await slack_web.chat_update(channel="C123", ts="1.000001", text="x")
    assert info.value.response["error"] == "message_not_found"
    call = (await slack_fake.calls("chat.postMessage"))[0]
    assert call["params"]["blocks"] == SECTION and call["ok"] is True and call["error"] is None


@pytest.mark.filterwarnings("ignore:The top-level `text`:UserWarning")
async def test_post_ephemeral_and_missing_channel(
    slack_web: AsyncWebClient, slack_fake: SlackFake
) -> None:
    resp = await slack_web.chat_postEphemeral(channel="C9", user="U42", text="psst")
    assert resp["message_ts"]
    assert (await slack_fake.messages("C9"))[0]["ephemeral_for"] == "U42"
    await slack_fake.set_channel_missing("C404")
    with pytest.raises(SlackApiError) as info:
        await slack_web.chat_postMessage(channel="C404", text="x")
    assert info.value.response["error"] == "channel_not_found"
    with pytest.raises(SlackApiError) as info:
        await slack_web.chat_postMessage(channel="C9")
    assert info.value.response["error"] == "no_text"


async def test_conversations_open_and_users_info(
    slack_web: AsyncWebClient, slack_fake: SlackFake
) -> None:
    opened = await slack_web.conversations_open(users="U42")
    assert opened["channel"]["id"] == "DU42"
    user = (await slack_web.users_info(user="U42"))["user"]
    assert user["id"] == "U42" and user["profile"]["email"] == "u42@example.com"
    assert user["name"] and user["real_name"]
    await slack_fake.set_user("U42", email="vendor@shop.test", real_name="Vera Vendor")
    user = (await slack_web.users_info(user="U42"))["user"]
    assert user["profile"]["email"] == "vendor@shop.test" and user["real_name"] == "Vera Vendor"
    await slack_fake.set_user("U43", missing=True)
    for bad in ("U43", "nobody"):
        with pytest.raises(SlackApiError) as info:
            await slack_web.users_info(user=bad)
        assert info.value.response["error"] == "user_not_found"


async def test_views_open_update_and_retrieve(
    slack_web: AsyncWebClient, slack_fake: SlackFake
) -> None:
    trigger = await slack_fake.issue_trigger("U42")
    opened = (await slack_web.views_open(trigger_id=trigger, view=MODAL))["view"]
    assert opened["id"].startswith("V") and opened["hash"]
    assert opened["state"] == {"values": {}}
    stored = await slack_fake.view(opened["id"])
    assert stored["callback_id"] == "refund" and stored["private_metadata"] == "ch_1"
    with pytest.raises(SlackApiError) as info:
        await slack_web.views_open(trigger_id=trigger, view=MODAL)
    assert info.value.response["error"] == "exchanged_trigger_id"
    with pytest.raises(SlackApiError) as info:
        await slack_web.views_open(trigger_id="", view=MODAL)
    assert info.value.response["error"] == "invalid_arguments"
    changed = {**MODAL, "title": {"type": "plain_text", "text": "Done"}}
    updated = await slack_web.views_update(view_id=opened["id"], view=changed, hash=opened["hash"])
    assert updated["view"]["id"] == opened["id"] and updated["view"]["title"]["text"] == "Done"
    with pytest.raises(SlackApiError) as info:
        await slack_web.views_update(view_id=opened["id"], view=changed, hash=opened["hash"])
    assert info.value.response["error"] == "hash_conflict"
    with pytest.raises(SlackApiError) as info:
        await slack_web.views_update(view_id="VNOPE", view=changed)
    assert info.value.response["error"] == "not_found"


async def test_views_publish_home(slack_web: AsyncWebClient, slack_fake: SlackFake) -> None:
    home = {"type": "home", "blocks": SECTION}
    first = (await slack_web.views_publish(user_id="U42", view=home))["view"]
    again = (await slack_web.views_publish(user_id="U42", view=home))["view"]
    assert first["id"] == again["id"] and first["type"] == "home"
    assert (await slack_fake.home("U42"))["blocks"][0]["type"] == "section"
