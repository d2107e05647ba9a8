"""The sandbox survives a restart: `connectbot run` twice on one folder, then the whole story."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp

from bot.demo.runner import play
from bot.demo.script import Step, charge, connect, refund_part
from bot.demo.stage import Stage
from bot.sandbox_mode import running_sandbox
from bot.sandbox_workspace import OPERATOR, OPS_CHANNEL, VENDOR
from tests.e2e.sandbox.test_sandbox_mode import _run

CAROL = "carol@example.com"


async def _story(database_url: str, steps: list[Step]) -> list[str]:
    """Run `steps` on the sandbox kept in `database_url`; everything it printed."""
    lines: list[str] = []
    async with running_sandbox(database_url=database_url) as urls, aiohttp.ClientSession() as http:
        _, failed = await play(urls, http, steps, say=lines.append, step_seconds=20)
    assert failed is None, "\n".join(lines[-40:]) + f"\n{failed}"
    return lines


async def _add_carol_again(stage: Stage) -> None:
    # The symptom: after a restart this answered "No such customer … try again shortly".
    body = await stage.command(OPERATOR, f"/add-customer {CAROL}", channel=OPS_CHANNEL)
    assert "try again" not in body and "No such" not in body, body


async def _share_carol(stage: Stage) -> None:
    await stage.command(OPERATOR, f"/share-customer @Vera {CAROL}", channel=OPS_CHANNEL)
    await stage.wait_for_message(OPS_CHANNEL, CAROL, "was shared with", what="#ops told the share")


async def _fees(stage: Stage) -> None:
    await stage.command(OPERATOR, "/fees today", channel=OPS_CHANNEL)
    await stage.wait_for_message(OPS_CHANNEL, f"<@{VENDOR}>: 1 charge", what="the fee summary")


async def test_run_twice_then_the_whole_story_across_restarts(tmp_path: Path) -> None:
    first = _run(["run"], tmp_path)
    second = _run(["run"], tmp_path)
    for _line, rest, code, _people in (first, second):
        assert code == 0 and "Traceback" not in rest, rest
    assert "seeding the customer" in first[1] and "seeding" not in second[1]
    assert "starting fresh" not in second[1]  # the database and the fakes still agree
    assert first[0] == second[0]  # the console is where it was: bookmarks and links still work
    saved = json.loads((tmp_path / "connectbot.sandbox.json").read_text())
    assert CAROL in json.dumps(saved["stripe"]["objects"])

    database_url = f"sqlite+aiosqlite:///{tmp_path}/connectbot.db"
    await _story(database_url, [Step("Vera connects", connect(VENDOR))])
    # A third start: Vera's account and Carol's card, made in earlier runs, are still at Stripe.
    await _story(
        database_url,
        [
            Step("Otto adds Carol again", _add_carol_again),
            Step("Otto shares Carol with Vera", _share_carol),
            Step("Otto charges Carol", charge(VENDOR, "100.00", CAROL, memo="vera_charge")),
            Step("Otto refunds part", refund_part),
            Step("Otto asks for the fees", _fees),
        ],
    )


def test_a_database_without_saved_fakes_is_moved_aside_in_one_line(tmp_path: Path) -> None:
    _run(["run"], tmp_path)
    (tmp_path / "connectbot.sandbox.json").unlink()
    _line, rest, code, _people = _run(["run"], tmp_path)
    assert code == 0, rest
    moved = [line for line in rest.splitlines() if "starting fresh" in line]
    assert len(moved) == 1 and "connectbot.db.old" in moved[0], rest
    assert (tmp_path / "connectbot.db.old").exists()
    assert "seeding the customer" in rest  # a new database, seeded again
