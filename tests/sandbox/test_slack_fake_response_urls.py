"""Response URLs: five uses within 30 minutes, then Slack's `Expired url`; faults like any call."""

from __future__ import annotations

import aiohttp
import pytest

from sandbox.slack_fake.responses import HOOK_SECONDS, HOOK_USES
from sandbox.slack_fake.testing import SlackFake

pytest_plugins = ["tests.sandbox.conftest_slack"]


async def _use(url: str, text: str = "hi") -> tuple[int, str]:
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"text": text}) as resp:
            return resp.status, await resp.text()


async def test_five_uses_then_expired(slack_fake: SlackFake) -> None:
    assert HOOK_USES == 5
    url = await slack_fake.issue_response_url("U1", channel_id="C1")
    for n in range(5):
        assert (await _use(url, f"answer {n}"))[0] == 200
    assert await _use(url, "sixth") == (404, "Expired url")
    messages = await slack_fake.messages("C1")
    assert [m["text"] for m in messages] == [f"answer {n}" for n in range(5)]


async def test_a_response_url_lasts_thirty_minutes_on_the_fakes_clock(
    slack_fake: SlackFake,
) -> None:
    assert HOOK_SECONDS == 30 * 60
    early = await slack_fake.issue_response_url("U1")
    late = await slack_fake.issue_response_url("U1")
    await slack_fake.advance_clock(29 * 60)
    assert (await _use(early))[0] == 200
    await slack_fake.advance_clock(61)
    assert await _use(late) == (404, "Expired url")
    key = late.split("/respond/")[1].split("?")[0]
    (refused,) = await slack_fake.responses(key)
    assert refused["ok"] is False and refused["error"] == "Expired url"


async def test_refused_content_still_counts_as_a_use(slack_fake: SlackFake) -> None:
    url = await slack_fake.issue_response_url("U1")
    async with aiohttp.ClientSession() as http:
        for _ in range(5):
            async with http.post(url, json={"blocks": "not blocks"}) as resp:
                assert resp.status == 400
    assert await _use(url) == (404, "Expired url")


async def test_a_url_the_fake_never_issued_starts_its_clock_at_first_use(
    slack_fake: SlackFake,
) -> None:
    url = f"{slack_fake.url}_fake/respond/homemade?channel=C1&user=U1"
    assert (await _use(url))[0] == 200
    await slack_fake.advance_clock(HOOK_SECONDS + 1)
    assert await _use(url) == (404, "Expired url")


@pytest.mark.parametrize(("kind", "status"), [("429", 429), ("503", 503), ("502", 502)])
async def test_response_urls_fail_like_any_call(
    slack_fake: SlackFake, kind: str, status: int
) -> None:
    url = await slack_fake.issue_response_url("U1", channel_id="C1")
    await slack_fake.fault("response_url", kind, retry_after=9)
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"text": "x"}) as resp:
            assert resp.status == status
            if status == 429:
                assert resp.headers["Retry-After"] == "9"
                assert (await resp.json())["error"] == "ratelimited"
    assert await slack_fake.messages("C1") == []
    assert (await _use(url))[0] == 200


async def test_a_dropped_response_url_answer_still_posted(slack_fake: SlackFake) -> None:
    url = await slack_fake.issue_response_url("U1", channel_id="C1")
    await slack_fake.fault("*", "drop")
    with pytest.raises(aiohttp.ClientError):
        await _use(url, "said once")
    assert [m["text"] for m in await slack_fake.messages("C1")] == ["said once"]


async def test_an_outage_covers_response_urls(slack_fake: SlackFake) -> None:
    url = await slack_fake.issue_response_url("U1", channel_id="C1")
    await slack_fake.outage(on=True)
    assert (await _use(url))[0] == 503
    await slack_fake.outage(on=False)
    assert (await _use(url))[0] == 200
