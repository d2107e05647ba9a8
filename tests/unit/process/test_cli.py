"""The command line: one clear message, the right exit code, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[3]


def connectbot(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_serve_with_an_empty_environment_names_every_required_setting(tmp_path: Path) -> None:
    result = connectbot("serve", cwd=tmp_path)
    assert result.returncode == 2
    for name in (
        "SLACK_SIGNING_SECRET",
        "SLACK_BOT_TOKEN",
        "STRIPE_SECRET_KEY",
        "STRIPE_CLIENT_ID",
        "PUBLIC_URL",
    ):
        assert name in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_manifest_fills_in_the_public_url(tmp_path: Path) -> None:
    result = connectbot("manifest", cwd=tmp_path, env={"PUBLIC_URL": "https://cb.example.org"})
    assert result.returncode == 0, result.stderr
    manifest = yaml.safe_load(result.stdout)
    urls = [c["url"] for c in manifest["features"]["slash_commands"]]
    urls += [
        manifest["settings"]["interactivity"]["request_url"],
        manifest["settings"]["event_subscriptions"]["request_url"],
    ]
    assert urls and all(u == "https://cb.example.org/slack/events" for u in urls)
    assert "connectbot.example.com" not in result.stdout


def test_db_commands_migrate_and_report(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db"}
    up = connectbot("db", "upgrade", cwd=tmp_path, env=env)
    assert up.returncode == 0 and "migrated from empty" in up.stdout
    # progress, one line per step, on stderr; the report on stdout
    assert up.stderr.splitlines() == ["connectbot db upgrade: migrating to the newest schema"]
    current = connectbot("db", "current", cwd=tmp_path, env=env)
    assert "up to date" in current.stdout
    down = connectbot("db", "downgrade", "base", cwd=tmp_path, env=env)
    assert down.returncode == 0 and "empty" in down.stdout


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    env = {"DATABASE_URL": "postgresql+asyncpg://nobody:pw@127.0.0.1:1/none"}
    result = connectbot("db", "upgrade", cwd=tmp_path, env=env)
    assert result.returncode == 1
    progress, failure = result.stderr.splitlines()
    assert progress == "connectbot db upgrade: migrating to the newest schema"
    assert failure.startswith("connectbot: cannot reach the database")
    assert "pw" not in result.stderr and "Traceback" not in result.stderr
