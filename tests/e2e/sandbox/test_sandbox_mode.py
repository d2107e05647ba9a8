"""`connectbot sandbox` and `connectbot run` as real processes: one line, then a clean stop."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp

from bot.sandbox_mode import running_sandbox
from bot.sandbox_workspace import ADMIN, OPERATOR, VENDOR, VENDOR_2

REPO = Path(__file__).resolve().parents[3]
LINE = re.compile(r"^connectbot sandbox: open (http://127\.0\.0\.1:\d+/console)$")


def _env() -> dict[str, str]:
    """No credentials at all: a clean machine (and no .env, as cwd is a fresh folder)."""
    return {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), "HOME": os.environ["HOME"]}


def _first_line(proc: subprocess.Popen[str], timeout: float = 30.0) -> str:
    assert proc.stdout is not None
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout)
    assert line, "the sandbox printed nothing in time"
    return line[0].rstrip("\n")


def _state(console: str, user: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{console}/api/state?user={user}", timeout=5) as resp:
        return dict(json.load(resp))


def _run(args: list[str], cwd: Path) -> tuple[str, str, int, list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = _first_line(proc)
        console = LINE.match(line)
        assert console, f"unexpected first line: {line!r}"
        people = [p["id"] for p in _state(console.group(1), ADMIN)["people"]]
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return line, rest + err, proc.returncode, people


def test_sandbox_prints_one_line_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    line, rest, code, people = _run(["sandbox", "--fresh"], tmp_path)
    assert LINE.match(line)
    assert people == [ADMIN, OPERATOR, VENDOR, VENDOR_2]
    assert code == 0, rest
    assert "Traceback" not in rest
    # one line on stdout, nothing after it; on stderr, one line per step of starting
    assert rest.splitlines() == [
        "connectbot sandbox: migrating the database",
        "connectbot sandbox: seeding the customer carol@example.com",
        "connectbot sandbox: saving a test card for carol@example.com",
    ]
    assert not (tmp_path / "connectbot.db").exists()  # --fresh leaves the default database alone


def test_run_without_credentials_starts_the_sandbox_and_says_why(tmp_path: Path) -> None:
    line, rest, code, _ = _run(["run"], tmp_path)
    assert LINE.match(line)
    assert "no credentials configured" in rest
    assert code == 0 and "Traceback" not in rest
    assert (tmp_path / "connectbot.db").exists()  # the default SQLite database, migrated


def test_run_with_some_credentials_names_what_is_missing(tmp_path: Path) -> None:
    env = {**_env(), "SLACK_BOT_TOKEN": "xoxb-real"}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "SLACK_SIGNING_SECRET is required" in done.stderr
    assert "sandbox" not in done.stdout


async def test_a_taken_port_is_one_clear_refusal(tmp_path: Path) -> None:
    async with running_sandbox(fresh=True) as urls:
        port = urls.slack.rsplit(":", 1)[1]
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", "sandbox", "--fresh", "--port", port],
            cwd=tmp_path,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        == f"connectbot: cannot listen on 127.0.0.1:{port}: Address already in use"
    )


async def test_seeded_workspace() -> None:
    async with running_sandbox(fresh=True) as urls, aiohttp.ClientSession() as http:
        async with http.get(f"{urls.console}/api/state", params={"user": OPERATOR}) as resp:
            state = await resp.json()
    channels = {c["name"]: c["kind"] for c in state["channels"]}
    assert channels == {"ops": "channel", "general": "channel", "connectbot": "app"}
    titles = {p["real_name"]: p["title"] for p in state["people"]}
    assert titles == {
        "Ada Admin": "admin",
        "Otto Operator": "operator",
        "Vera Vendor": "vendor",
        "Victor Vendor": "vendor",
    }
    # Carol has a card on file, and no Checkout link nobody asked for is left in #ops.
    seen = [m["text"] for m in state["messages"]["C0OPS"]]
    assert any("carol@example.com" in text and "card on file" in text for text in seen), seen
    assert not any("/checkout/pay/" in text for text in seen), seen
