"""Several server processes on one database, and a server killed mid-delivery."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.database import upgrade_database
from sandbox.slack_fake.testing import SlackFake, running_slack_fake
from storage.db import create_engine, session_factory
from storage.repos import outbox
from tests.harness import BOT_TOKEN
from tests.processes import server_process


@pytest.fixture
async def slack() -> AsyncIterator[SlackFake]:
    async with running_slack_fake(token=BOT_TOKEN) as fake:
        yield fake


async def queue_messages(database_url: str, texts: list[tuple[str, str]]) -> None:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine).begin() as session:
            for channel, text in texts:
                await outbox.enqueue(
                    session, kind="post", target=channel, payload={"text": text}, dedupe_key=text
                )
    finally:
        await engine.dispose()


async def posted_texts(slack: SlackFake) -> list[str]:
    return [c["params"]["text"] for c in await slack.calls("chat.postMessage") if c["ok"]]


async def wait_for(slack: SlackFake, count: int, timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while len(await posted_texts(slack)) < count:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"only {len(await posted_texts(slack))} of {count} posted")
        await asyncio.sleep(0.2)


async def test_two_processes_on_postgresql_post_each_message_once(
    backend: str, database_url: str, slack: SlackFake, tmp_path: Path
) -> None:
    if backend != "postgresql":
        pytest.skip("several processes share a database only on PostgreSQL")
    await upgrade_database(database_url)
    texts = [(f"C0CHAN{n % 20:02d}", f"message {n:03d}") for n in range(200)]
    log = tmp_path / "servers.log"
    with (
        server_process(database_url=database_url, slack_api_url=slack.api_url, log=log) as one,
        server_process(database_url=database_url, slack_api_url=slack.api_url, log=log) as two,
    ):
        await asyncio.gather(one.healthy(), two.healthy())
        await queue_messages(database_url, texts)
        await wait_for(slack, 200, timeout=60)
        await asyncio.sleep(2)  # both keep polling: a duplicate would arrive now
    counts = Counter(await posted_texts(slack))
    assert set(counts) == {text for _, text in texts}
    assert max(counts.values()) == 1


async def test_a_killed_server_delivers_pending_messages_after_restart_once(
    database_url: str, slack: SlackFake, tmp_path: Path
) -> None:
    await upgrade_database(database_url)
    texts = [(f"C0CHAN{n % 3}", f"pending {n}") for n in range(12)]
    await slack.outage(on=True)
    log = tmp_path / "server.log"
    with server_process(database_url=database_url, slack_api_url=slack.api_url, log=log) as first:
        await first.healthy()
        await queue_messages(database_url, texts)
        while not await slack.calls("chat.postMessage"):  # it is trying, and failing
            await asyncio.sleep(0.1)
        first.kill()
    await slack.outage(on=False)
    with server_process(database_url=database_url, slack_api_url=slack.api_url, log=log) as second:
        await second.healthy()
        await wait_for(slack, len(texts), timeout=60)
        await asyncio.sleep(1.5)
    counts = Counter(await posted_texts(slack))
    assert set(counts) == {text for _, text in texts}
    assert max(counts.values()) == 1
