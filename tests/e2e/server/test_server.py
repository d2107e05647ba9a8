"""The server over HTTP: Slack signatures, the help reply, health, and a clean shutdown."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import aiohttp
from sqlalchemy import event

from bot.backoff import RetryPolicy
from bot.services import SERVICES
from tests.e2e.scenario import connected_vendor
from tests.harness import (
    FAST,
    OPERATOR,
    Connectbot,
    running_connectbot,
    server_without_database,
)


async def test_wrong_signature_is_refused_with_401(cb: Connectbot) -> None:
    reply = await cb.slack_sender.command(
        "/connect-vendor", "help", user_id=OPERATOR, signature="v0=" + "0" * 64
    )
    assert reply.status == 401
    assert await cb.slack.calls() == []


async def test_timestamp_older_than_five_minutes_is_refused_with_401(cb: Connectbot) -> None:
    stale = int(time.time()) - 5 * 60 - 5
    reply = await cb.slack_sender.command(
        "/connect-vendor", "help", user_id=OPERATOR, timestamp=stale
    )
    assert reply.status == 401


async def test_signed_help_gets_the_usage(cb: Connectbot) -> None:
    reply = await cb.slack_sender.command("/connect-vendor", "help", user_id=OPERATOR)
    assert reply.status == 200
    assert "Usage:" in reply.body and "/connect-vendor @vendor" in reply.body


async def test_another_workspace_is_refused(cb: Connectbot) -> None:
    cb.slack_sender.workspace.team_id = "T0ELSEWHERE"
    reply = await cb.slack_sender.command("/connect-vendor", "help", user_id=OPERATOR)
    assert reply.status == 200
    assert "another Slack workspace" in reply.body


async def test_healthz_reports_the_database(cb: Connectbot) -> None:
    status, body = await cb.get("/healthz")
    assert status == 200
    assert '"database": "ok"' in body


async def test_healthz_counts_failed_events_by_the_running_retry_bound(database_url: str) -> None:
    # One attempt per event: an event whose handling fails once has failed for good, and
    # /healthz must say so (a default bound of 12 would still call it pending).
    once = RetryPolicy(base_seconds=0.2, cap_seconds=1.0, max_attempts=1)
    tuning = replace(FAST, events=replace(FAST.events, retry=once))
    async with running_connectbot(database_url, tuning=tuning) as cb:
        vendor = await connected_vendor(cb, "U0VENDOR", charges_enabled=False)
        # stripe-python tries a GET three times: the one handling of account.updated fails.
        await cb.stripe.fault("GET", "/v1/accounts/{account}", "500", count=3)
        await cb.stripe.set_account(
            vendor.stripe_account_id, charges_enabled=True, payouts_enabled=True
        )

        async def failed_events() -> int:
            status, body = await cb.get("/healthz")
            assert status == 200
            return int(json.loads(body)["events_failed"])

        assert await cb.until(failed_events, what="the event counted as failed") == 1


async def test_healthz_and_metrics_are_503_when_the_database_does_not_answer() -> None:
    async with server_without_database() as url, aiohttp.ClientSession() as http:
        async with http.get(f"{url}/healthz") as resp:
            assert resp.status == 503
            assert (await resp.json())["database"] == "unreachable"
        async with http.get(f"{url}/metrics") as resp:
            assert resp.status == 503
            assert await resp.text() == "database unreachable\n"


async def test_shutdown_closes_the_clients_and_the_engine(tmp_path: Path) -> None:
    closed_connections: list[object] = []
    async with running_connectbot(f"sqlite+aiosqlite:///{tmp_path}/x.db") as cb:
        services = cb.app[SERVICES]
        event.listen(
            services.engine.sync_engine.pool,
            "close",
            lambda conn, _rec: closed_connections.append(conn),
        )
        assert (await cb.get("/healthz"))[0] == 200  # a pooled database connection now exists
        balance = await services.stripe.api.v1.balance.retrieve_async()  # Stripe session in use
        assert balance.object == "balance"
        http = services.slack.session
        assert http is not None and not http.closed
    assert http.closed  # Slack and Stripe share it
    assert closed_connections  # the engine was disposed
