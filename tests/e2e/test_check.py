"""`connectbot check` against the fakes: one line per dependency, exit 0 only when all pass."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.harness import Connectbot

REPO = Path(__file__).resolve().parents[2]


async def run_check(cb: Connectbot, tmp_path: Path, **overrides: str) -> tuple[int, str, str]:
    s = cb.settings
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(REPO),
        "SLACK_SIGNING_SECRET": s.slack_signing_secret,
        "SLACK_BOT_TOKEN": s.slack_bot_token,
        "SLACK_TEAM_ID": s.slack_team_id or "",
        "SLACK_API_URL": s.slack_api_url,
        "STRIPE_SECRET_KEY": s.stripe_secret_key,
        "STRIPE_CLIENT_ID": s.stripe_client_id,
        "STRIPE_API_BASE": s.stripe_api_base,
        "STRIPE_CONNECT_BASE": s.stripe_connect_base,
        "PUBLIC_URL": s.public_url,
        "DATABASE_URL": s.database_url,
        **overrides,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "check",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_every_check_passes_against_healthy_fakes(cb: Connectbot, tmp_path: Path) -> None:
    code, out, err = await run_check(cb, tmp_path)
    lines = out.splitlines()
    assert code == 0, out + err
    assert [line.split()[:2] for line in lines] == [
        ["ok", "config"],
        ["ok", "database"],
        ["ok", "slack"],
        ["ok", "stripe"],
    ]
    assert "T_SANDBOX" in lines[2] and "test mode" in lines[3]


async def test_each_failure_is_one_line_and_exit_1(cb: Connectbot, tmp_path: Path) -> None:
    code, out, err = await run_check(
        cb,
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-wrong",
        STRIPE_API_BASE="http://127.0.0.1:9",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/empty.db",
    )
    assert code == 1
    lines = {line.split()[1]: line for line in out.splitlines()}
    assert lines["config"].startswith("ok")
    assert lines["database"].startswith("FAIL") and "connectbot db upgrade" in lines["database"]
    assert lines["slack"].startswith("FAIL") and "invalid_auth" in lines["slack"]
    assert (
        lines["stripe"].startswith("FAIL")
        and "unreachable at http://127.0.0.1:9" in lines["stripe"]
    )
    assert len(out.splitlines()) == 4
    assert "Traceback" not in out + err
