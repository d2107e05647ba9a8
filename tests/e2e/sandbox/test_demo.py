"""`connectbot demo`: the whole story as a real process, and a failing step as one clear line."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

from bot.demo.runner import run_story
from bot.demo.script import STORY, Step
from bot.demo.stage import Stage
from bot.sandbox_workspace import OPERATOR, OPS_CHANNEL

REPO = Path(__file__).resolve().parents[3]


def test_the_demo_tells_the_whole_story_and_exits_0(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), "HOME": os.environ["HOME"]}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo"],
        cwd=tmp_path,  # no .env, no connectbot.db: the demo needs neither and leaves neither
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    out = done.stdout
    for number, step in enumerate(STORY, 1):
        assert f"== Step {number}/{len(STORY)}: {step.title} ==" in out
    # What people saw, as Slack shows it: a private reply, a DM with its button, the fee summary.
    assert "Otto Operator · only visible to you, in #ops:" in out
    assert "Vera Vendor · DM from connectbot:" in out and "[Connect with Stripe]" in out
    assert "was declined" in out and "$40.00 of $100.00 refunded" in out and "Dispute" in out
    fees_step = next(n for n, step in enumerate(STORY, 1) if step.title.endswith("fees"))
    fees = out[out.index(f"== Step {fees_step}/") : out.index(f"== Step {fees_step + 1}/")]
    # Vera: $10.00 fee less $4.00 refunded with $40.00, and $6.00 on her $60.00 part of the cart.
    assert "Platform fees $12.00" in fees
    assert "Platform fees $29.00" in fees  # Victor: $25.00, and $4.00 on his $40.00 part
    # The split cart: one confirmation in #ops, each vendor told of their own part.
    cart = out[out.index("a split cart ==") : out.index("Otto adds Sam")]
    assert "charged $100.00 to jane@example.com" in cart and "2 of 2 vendors" in cart
    # The export: shared in #ops with /fees' figures, the file under its comment.
    export = out[out.index("as a CSV file ==") : out.index(f": {STORY[-1].title} ==")]
    assert "everyone in #ops:" in export and "gross $450.00, platform fees $41.00" in export
    assert re.search(r"\[file\] fees-[0-9.-]+\.csv · \d+ bytes", export), export
    # The payouts step: Vera's own /payouts, privately, with the payout on its way.
    payouts = out[out.index(f": {STORY[-1].title} ==") :]
    assert "Vera types in #general: /payouts" in payouts
    assert "Vera Vendor · only visible to you, in #general:" in payouts
    assert "Next payout: $25.00 · in transit" in payouts, payouts
    assert "Available: $" in payouts and "Pending: $0.00" in payouts, payouts  # two days on
    # Slack's markup rendered for a terminal: no stars, backticks or emoji names left.
    assert "*" not in out and "`" not in out, out
    assert not re.search(r":[a-z_]+:", out), re.findall(r".*:[a-z_]+:.*", out)
    # Victor's own /connect-vendor: his private reply with the link, under his step.
    victor = out[out.index("== Step 2/") : out.index("== Step 3/")]
    assert "Victor types in #general: /connect-vendor" in victor
    assert "Victor Vendor · only visible to you, in #general:" in victor
    assert "[Connect with Stripe]" in victor
    # Each message under the step that caused it: the refund is told under the refund step.
    refund = out[out.index("Otto refunds") : out.index("Jane disputes")]
    assert "$40.00 of $100.00 refunded" in refund
    # Start-up is one line per step, before the story.
    assert out.splitlines()[:4] == [
        "connectbot demo: starting a fresh sandbox",
        "connectbot demo: migrating the database",
        "connectbot demo: seeding the customer carol@example.com",
        "connectbot demo: saving a test card for carol@example.com",
    ]
    last = out.strip().splitlines()[-1]
    assert last.startswith(f"connectbot demo: all {len(STORY)} steps did what they should in ")
    assert last.endswith("; platform fees today $41.00 on $450.00 charged")
    assert not (tmp_path / "connectbot.db").exists()


async def _asks_for_help(stage: Stage) -> None:
    await stage.command(OPERATOR, "/fees help", channel=OPS_CHANNEL)


async def _expects_what_never_comes(stage: Stage) -> None:
    async def nothing() -> None:
        return None

    await stage.until(nothing, "a message nobody sends", seconds=0.5)


async def _must_not_run(stage: Stage) -> None:
    raise AssertionError("the story went on after a failed step")


async def test_a_failing_step_stops_the_demo_with_one_line_naming_it() -> None:
    out, err = io.StringIO(), io.StringIO()
    steps = [
        Step("Otto asks for help", _asks_for_help),
        Step("Something that cannot happen", _expects_what_never_comes),
        Step("Never reached", _must_not_run),
    ]
    code = await run_story(steps, out=out, err=err)
    assert code == 1
    assert err.getvalue() == (
        "connectbot demo: step 2 (Something that cannot happen) failed: "
        "waited 0.5 s for a message nobody sends\n"
    )
    transcript = out.getvalue()
    assert "== Step 1/3: Otto asks for help ==" in transcript
    assert "Otto Operator · only visible to you, in #ops:" in transcript  # the help reply
    assert "/fees" in transcript.split("== Step 2/3")[0]
    assert "Never reached" not in transcript and "did what they should" not in transcript


async def test_an_unexpected_error_in_a_step_is_one_line_not_a_traceback() -> None:
    async def breaks(stage: Stage) -> None:
        raise KeyError("vera_charge")

    out, err = io.StringIO(), io.StringIO()
    code = await run_story([Step("A step with a bug", breaks)], out=out, err=err)
    assert code == 1
    assert (
        err.getvalue()
        == "connectbot demo: step 1 (A step with a bug) failed: KeyError: 'vera_charge'\n"
    )
    assert "Traceback" not in out.getvalue()
