"""File uploads in the fake Slack, through its HTTP API: the three steps and what each refuses."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from sandbox.slack_fake.state import DEFAULT_SCOPES
from sandbox.slack_fake.testing import SlackFake, running_slack_fake

pytest_plugins = ["tests.sandbox.conftest_slack"]

TOKEN = "xoxb-files-test"


async def _error(call: Any) -> str:
    with pytest.raises(SlackApiError) as info:
        await call
    return str(info.value.response["error"])


async def _post(url: str, data: bytes) -> int:
    async with aiohttp.ClientSession() as http, http.post(url, data=data) as resp:
        return resp.status


async def test_upload_v2_shares_the_file_with_its_comment(
    slack_fake: SlackFake, slack_web: AsyncWebClient
) -> None:
    await slack_fake.declare_conversation("C0SALES", "public", ["U0ADA"], name="sales")
    content = b"date,amount\n2026-01-02,10.00\n"
    done = await slack_web.files_upload_v2(
        channel="C0SALES", content=content, filename="fees.csv", initial_comment="Fees: $10.00"
    )
    assert done["file"]["title"] == "fees.csv"
    [shared] = await slack_fake.files("C0SALES")
    assert shared["id"] == done["file"]["id"] and shared["size"] == len(content)
    assert shared["name"] == "fees.csv" and shared["mimetype"] == "text/csv"
    assert await slack_fake.file_content(shared["id"]) == content
    [message] = await slack_fake.messages("C0SALES")
    assert message["text"] == "Fees: $10.00" and message["files"][0]["id"] == shared["id"]
    async with aiohttp.ClientSession() as http:
        async with http.get(shared["url_private_download"]) as resp:
            assert resp.status == 200 and await resp.read() == content
            assert resp.headers["Content-Disposition"] == 'attachment; filename="fees.csv"'


async def test_get_upload_url_checks_its_arguments(slack_web: AsyncWebClient) -> None:
    call = slack_web.api_call
    assert await _error(call("files.getUploadURLExternal", params={"length": 3})) == (
        "invalid_arguments"
    )
    no_length = call("files.getUploadURLExternal", params={"filename": "a.csv"})
    assert await _error(no_length) == "invalid_arguments"
    for bad in ("3.5", "-1", "three"):
        not_int = call("files.getUploadURLExternal", params={"filename": "a.csv", "length": bad})
        assert await _error(not_int) == "invalid_arguments", bad
    zero = slack_web.files_getUploadURLExternal(filename="a.csv", length=0)
    assert await _error(zero) == "missing_argument"
    huge = slack_web.files_getUploadURLExternal(filename="a.csv", length=1024**3 + 1)
    assert await _error(huge) == "file_upload_size_restricted"
    alt = slack_web.files_getUploadURLExternal(filename="a.png", length=3, alt_txt="x" * 1001)
    assert await _error(alt) == "alt_txt_too_large"
    ok = await slack_web.files_getUploadURLExternal(filename="a.csv", length=3)
    assert ok["file_id"].startswith("F") and ok["upload_url"].startswith("http://127.0.0.1:")


async def test_the_upload_url_takes_the_announced_bytes_once(
    slack_fake: SlackFake, slack_web: AsyncWebClient
) -> None:
    ticket = await slack_web.files_getUploadURLExternal(filename="a.csv", length=3)
    url = ticket["upload_url"]
    assert await _post(url, b"toolong") == 400  # not the announced length
    assert await _post(url + "x", b"abc") == 404  # not a URL Slack handed out
    assert await _post(url, b"abc") == 200
    assert await _post(url, b"abc") == 409  # used once already
    stale = await slack_web.files_getUploadURLExternal(filename="b.csv", length=3)
    await slack_fake.advance_clock(601)
    assert await _post(stale["upload_url"], b"abc") == 410


async def test_complete_refuses_files_it_never_received(
    slack_fake: SlackFake, slack_web: AsyncWebClient
) -> None:
    complete = slack_web.files_completeUploadExternal
    assert await _error(complete(files=[{"id": "F_NEVER"}], channel_id="C1")) == "file_not_found"
    ticket = await slack_web.files_getUploadURLExternal(filename="a.csv", length=3)
    not_sent = complete(files=[{"id": ticket["file_id"]}], channel_id="C1")
    assert await _error(not_sent) == "file_not_found"  # announced, bytes never sent
    malformed = slack_web.api_call(
        "files.completeUploadExternal", params={"files": "not json", "channel_id": "C1"}
    )
    assert await _error(malformed) == "invalid_arguments"
    empty = slack_web.api_call("files.completeUploadExternal", params={"files": "[]"})
    assert await _error(empty) == "invalid_arguments"
    assert await _post(ticket["upload_url"], b"abc") == 200
    done = await complete(files=[{"id": ticket["file_id"], "title": "A"}])  # no channel: private
    assert done["files"] == [{"id": ticket["file_id"], "title": "A"}]
    assert await slack_fake.files("C1") == []
    again = complete(files=[{"id": ticket["file_id"]}], channel_id="C1")
    assert await _error(again) == "file_not_found"


async def test_complete_shares_only_where_the_app_is_a_member(
    slack_fake: SlackFake, slack_web: AsyncWebClient
) -> None:
    await slack_fake.declare_conversation("C0OUTSIDE", "public", ["U0ADA"], bot_member=False)
    await slack_fake.declare_conversation("G0SECRET", "private", ["U0ADA"], bot_member=False)
    await slack_fake.declare_conversation("C0OLD", "public", ["U0ADA"], archived=True)

    async def share(channel: str) -> str:
        upload = slack_web.files_upload_v2(channel=channel, content=b"abc", filename="a.csv")
        return await _error(upload)

    # chat:write.public lets the app post in a public channel, not share files there.
    assert await share("C0OUTSIDE") == "not_in_channel"
    assert await share("G0SECRET") == "channel_not_found"
    assert await share("C0OLD") == "is_archived"
    assert await share("U0ADA") == "invalid_arguments"  # a user id is no channel_id
    assert await slack_fake.messages("C0OUTSIDE") == []
    assert await slack_fake.files() == []


async def test_files_need_the_files_write_scope() -> None:
    scopes = tuple(s for s in DEFAULT_SCOPES if s != "files:write")
    async with running_slack_fake(token=TOKEN, scopes=scopes) as fake:
        client = AsyncWebClient(token=TOKEN, base_url=fake.api_url)
        with pytest.raises(SlackApiError) as info:
            await client.files_upload_v2(channel="C1", content=b"abc", filename="a.csv")
        assert info.value.response["error"] == "missing_scope"
        assert info.value.response["needed"] == "files:write"
        with pytest.raises(SlackRequestError):  # slack_sdk refuses a bad upload itself
            await client.files_upload_v2(channel="C1", filename="a.csv")
