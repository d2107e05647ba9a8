"""`connectbot check` against the fakes: one line per dependency and per webhook endpoint
finding, exit 0 only when all pass."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.handlers import build_event_handlers
from bot.stripe_ops.client import API_VERSION
from storage.repos import notify_subscriptions
from tests.e2e.scenario import notify_answer
from tests.harness import Connectbot

REPO = Path(__file__).resolve().parents[3]


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
        ["ok", "webhooks"],
        ["ok", "webhooks"],
    ]
    assert "T_SANDBOX" in lines[2] and "test mode" in lines[3]
    endpoints = {e["id"] for e in await cb.stripe.webhook_endpoints()}
    assert {line.split()[2] for line in lines[4:]} == endpoints
    assert all(API_VERSION in line for line in lines[4:])


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
    assert lines["webhooks"].startswith("FAIL") and "not checked" in lines["webhooks"]
    assert len(out.splitlines()) == 5
    assert "Traceback" not in out + err


async def test_missing_disabled_incomplete_and_older_endpoints_each_get_a_line(
    cb: Connectbot, tmp_path: Path
) -> None:
    platform = await cb.stripe.webhook_endpoint(connect=False)
    connect = await cb.stripe.webhook_endpoint(connect=True)
    handled = sorted(build_event_handlers().types())
    await cb.stripe.update_webhook_endpoint(connect["id"], url="https://elsewhere.example/hook")
    await cb.stripe.update_webhook_endpoint(
        platform["id"], status="disabled", api_version="2020-08-27", enabled_events=handled[1:]
    )
    code, out, err = await run_check(cb, tmp_path)
    assert code == 1
    webhooks = [line for line in out.splitlines() if line.split()[1] == "webhooks"]
    assert all(line.startswith("FAIL") for line in webhooks)
    assert len(webhooks) == 4, out
    said = "\n".join(webhooks)
    assert f"{platform['id']} is disabled" in said
    assert f"{platform['id']} lacks event types connectbot handles: {handled[0]}" in said
    assert f"{platform['id']} renders events at 2020-08-27, not {API_VERSION}" in said
    url = f"{cb.url}/stripe/webhook"
    assert f"1 of 2 webhook endpoints send to {url}" in said
    assert "https://elsewhere.example/hook" in said
    assert "Traceback" not in out + err


async def test_endpoints_must_be_sent_the_types_notify_announces(
    cb: Connectbot, tmp_path: Path
) -> None:
    """An admin chose `customer.created` and `invoice.*`: an endpoint sent only the types
    connectbot handles itself is told what else /notify needs."""
    handled = sorted(build_event_handlers().types())
    for connect in (False, True):
        endpoint = await cb.stripe.webhook_endpoint(connect=connect)
        await cb.stripe.update_webhook_endpoint(endpoint["id"], enabled_events=handled)
    code, out, _ = await run_check(cb, tmp_path)
    assert code == 0, out  # nothing chosen yet: the handled types are enough
    async with cb.sessions.begin() as session:
        for pattern in ("customer.created", "invoice.*"):
            await notify_subscriptions.add(
                session, team_id="T_SANDBOX", event_type=pattern, channel_id=None, by="U0ADMIN"
            )
    code, out, err = await run_check(cb, tmp_path)
    assert code == 1
    lacking = [line for line in out.splitlines() if "/notify announces" in line]
    assert len(lacking) == 2 and all(line.startswith("FAIL") for line in lacking), out
    named = lacking[0].split("/notify announces: ")[1].split(", ")
    assert "customer.created" in named and "invoice.paid" in named
    assert not set(named) & set(handled)  # connectbot's own types are judged on their own line
    assert "Traceback" not in out + err


async def test_check_and_notify_judge_the_endpoints_by_one_rule(
    cb: Connectbot, tmp_path: Path
) -> None:
    """The situations /notify's test warns about (tests/e2e/notify/test_notify.py): after
    `/notify add customer.created`, check fails exactly when /notify warned, naming the same
    endpoint."""
    handled = sorted(build_event_handlers().types())
    platform = await cb.stripe.webhook_endpoint(connect=False)
    connect = await cb.stripe.webhook_endpoint(connect=True)
    with_type = [*handled, "customer.created"]
    # What the Connect endpoint is changed to, one situation after another; the account
    # endpoint is sent connectbot's types and customer.created throughout.
    situations = {
        "only the account endpoint is sent it": {"enabled_events": handled},
        "both are sent it": {"enabled_events": with_type},
        "the Connect endpoint is disabled": {"status": "disabled"},
        "one endpoint only": {"status": "enabled", "url": "https://elsewhere.example/h"},
    }
    await cb.stripe.update_webhook_endpoint(platform["id"], enabled_events=with_type)
    verdicts = {}
    for situation, changes in situations.items():
        await cb.stripe.update_webhook_endpoint(connect["id"], **changes)
        told = await notify_answer(cb, "add customer.created <#C0SALES|sales>")
        code, out, err = await run_check(cb, tmp_path)
        assert "Traceback" not in out + err
        webhooks = [line for line in out.splitlines() if line.split()[1] == "webhooks"]
        failed = [line for line in webhooks if line.startswith("FAIL")]
        warned = ":warning:" in told
        assert warned == bool(failed) == (code == 1), (situation, told, out)
        for endpoint in (platform, connect):
            named = f"`{endpoint['id']}`" in told
            assert named == any(endpoint["id"] in line for line in failed), (situation, told, out)
        verdicts[situation] = warned
    assert verdicts == {
        "only the account endpoint is sent it": True,
        "both are sent it": False,
        "the Connect endpoint is disabled": True,
        "one endpoint only": True,
    }


async def test_a_stripe_error_listing_the_endpoints_is_one_line(
    cb: Connectbot, tmp_path: Path
) -> None:
    # stripe-python tries a GET three times (NETWORK_RETRIES = 2): every try fails.
    await cb.stripe.fault("GET", "/v1/webhook_endpoints", "500", count=3)
    code, out, err = await run_check(cb, tmp_path)
    assert code == 1
    [webhooks] = [line for line in out.splitlines() if line.split()[1] == "webhooks"]
    assert (
        webhooks.startswith("FAIL")
        and "could not list webhook endpoints: Stripe did not answer" in webhooks
    ), out
    assert "Traceback" not in out + err
