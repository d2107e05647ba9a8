"""Run the demo's story on a fresh sandbox, printing what each person sees after each step.

Promises: exit code 0 and a one-line summary when every step did what it should; else exit
code 1 and one line on stderr naming the step that did not (never a traceback).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Callable, Sequence
from typing import TextIO

import aiohttp

from bot.demo.script import STORY, Step
from bot.demo.stage import Stage, StepFailed
from bot.demo.transcript import Seen, render_seen
from bot.errors import CommandFailed
from bot.sandbox_mode import SandboxUrls, running_sandbox
from bot.sandbox_workspace import GENERAL_CHANNEL, OPS_CHANNEL
from storage.db import create_engine, session_factory

#: A step that hangs (rather than failing a check) is stopped after this long.
STEP_SECONDS = 30.0
#: After a step, Slack must be quiet this long before its messages are printed (at most the
#: limit), so each message is printed under the step that caused it.
QUIET_SECONDS, SETTLE_LIMIT_SECONDS = 0.3, 3.0


def run_demo(*, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """`connectbot demo`: the whole story against a fresh sandbox; the process's exit code."""
    # The transcript is the output; the server's own info logs would interleave with it.
    logging.getLogger("bot").setLevel(logging.WARNING)
    logging.getLogger("sqlalchemy.pool").setLevel(logging.CRITICAL)
    return asyncio.run(run_story(STORY, out=out, err=err))


async def run_story(
    steps: Sequence[Step], *, out: TextIO, err: TextIO, step_seconds: float = STEP_SECONDS
) -> int:
    """Start a fresh sandbox, run `steps` in order, stop at the first that fails."""
    started = time.monotonic()

    def say(line: str) -> None:
        print(line, file=out, flush=True)

    def progress(line: str) -> None:
        say(f"connectbot demo: {line}")

    progress("starting a fresh sandbox")
    try:
        async with (
            running_sandbox(fresh=True, say=progress) as urls,
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http,
        ):
            say("connectbot demo: the whole story on a fresh sandbox, as Slack would show it")
            stage, failed = await play(
                urls, http, steps, say=say, step_seconds=step_seconds, ansi=out.isatty()
            )
    except CommandFailed:
        raise
    except Exception as exc:  # start-up or shutdown trouble: one line, never a traceback
        print(f"connectbot demo: the sandbox failed: {_describe(exc)}", file=err, flush=True)
        return 1
    if failed is not None:
        print(f"connectbot demo: {failed}", file=err, flush=True)
        return 1
    summary = f"; {stage.memo['summary']}" if "summary" in stage.memo else ""
    say(
        f"connectbot demo: all {len(steps)} steps did what they should "
        f"in {time.monotonic() - started:.1f} s{summary}"
    )
    return 0


async def play(
    urls: SandboxUrls,
    http: aiohttp.ClientSession,
    steps: Sequence[Step],
    *,
    say: Callable[[str], None],
    step_seconds: float,
    ansi: bool = False,
) -> tuple[Stage, str | None]:
    """Run `steps` on the running sandbox at `urls`, after what it already showed: the stage
    they played on, and the failure line of the first step that failed (None when none did).
    """
    engine = create_engine(urls.database_url)
    try:
        stage = Stage(
            urls,
            http,
            session_factory(engine),
            channels={OPS_CHANNEL: "ops", GENERAL_CHANNEL: "general"},
            say=say,
        )
        await stage.news()  # what the seeding (or an earlier run) showed is not part of the story
        failed = await _run_steps(stage, steps, say=say, step_seconds=step_seconds, ansi=ansi)
    finally:
        await engine.dispose()
    return stage, failed


async def _run_steps(
    stage: Stage,
    steps: Sequence[Step],
    *,
    say: Callable[[str], None],
    step_seconds: float,
    ansi: bool = False,
) -> str | None:
    """Run each step and print what it showed; the failure line of the first that fails."""
    for number, step in enumerate(steps, 1):
        say("")
        say(f"== Step {number}/{len(steps)}: {step.title} ==")
        problem: str | None = None
        try:
            await asyncio.wait_for(step.run(stage), timeout=step_seconds)
        except StepFailed as exc:
            problem = str(exc)
        except TimeoutError:
            problem = f"it did not finish within {step_seconds:g} s"
        except Exception as exc:
            problem = _describe(exc)
        try:
            problem = problem or await stage.stripe_refusals()
            seen = await _settled_news(stage)
        except Exception as exc:
            seen = []
            problem = problem or f"cannot read what Slack shows: {_describe(exc)}"
        if seen:
            say("What people see in Slack:")
            for line in render_seen(seen, ansi=ansi):
                say(line)
        if problem is not None:
            return f"step {number} ({step.title}) failed: {problem}"
    return None


async def _settled_news(stage: Stage) -> list[Seen]:
    """What the step showed, waiting until Slack has been quiet for a moment (webhooks and the
    relay finish after the step's own checks), so no message spills into the next step."""
    seen = await stage.news()
    deadline = time.monotonic() + SETTLE_LIMIT_SECONDS
    while time.monotonic() < deadline:
        await asyncio.sleep(QUIET_SECONDS)
        more = await stage.news()
        if not more:
            break
        seen += more
    return seen


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
