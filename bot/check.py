"""`connectbot check`: one line per dependency — configuration, database, Slack, Stripe — and
one per webhook endpoint finding (missing, disabled, lacking event types, another API version)."""

from __future__ import annotations

import aiohttp
import stripe as stripe_errors
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.handlers import build_event_handlers
from bot.parsing.notify import covered_by
from bot.slack_client import create_slack_client
from bot.stripe_ops.client import API_VERSION, connect_stripe
from bot.stripe_ops.errors import Trouble
from bot.stripe_ops.event_types import EVENT_TYPES
from bot.stripe_ops.webhook_endpoints import judge_endpoints, read_webhook_endpoints
from bot.stripe_ops.webhooks import WEBHOOK_PATH
from storage import migrate
from storage.db import create_engine, session_factory
from storage.repos import notify_subscriptions


async def run_checks(settings: Settings) -> bool:
    """Print `ok`/`FAIL` per check; True when everything passed. Never raises for a failed check."""
    results = [("config", True, "all settings present and valid")]
    results.append(await _database(settings))
    results.append(await _slack(settings))
    stripe_result = await _stripe(settings)
    results.append(stripe_result)
    if stripe_result[1]:
        results += await _webhooks(settings)
    else:
        results.append(("webhooks", False, "not checked: the Stripe check failed"))
    for name, ok, detail in results:
        print(f"{'ok  ' if ok else 'FAIL'} {name:<9} {detail}", flush=True)
    return all(ok for _, ok, _ in results)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__


async def _database(settings: Settings) -> tuple[str, bool, str]:
    engine = create_engine(settings.database_url)
    try:
        current = await migrate.current_revision(engine)
    except Exception as exc:
        return ("database", False, f"unreachable: {_one_line(exc)}")
    finally:
        await engine.dispose()
    if current != migrate.head_revision():
        return ("database", False, f"at {current or 'empty'}: run `connectbot db upgrade`")
    return ("database", True, f"reachable, schema {current}")


async def _slack(settings: Settings) -> tuple[str, bool, str]:
    async with aiohttp.ClientSession() as session:
        client = create_slack_client(settings, session=session)
        try:
            auth = await client.auth_test()
        except SlackApiError as exc:
            return ("slack", False, f"auth.test refused: {exc.response.get('error')}")
        except Exception as exc:
            return ("slack", False, f"unreachable at {settings.slack_api_url}: {_one_line(exc)}")
    team = auth.get("team_id")
    if settings.slack_team_id and team != settings.slack_team_id:
        return ("slack", False, f"token is for workspace {team}, not {settings.slack_team_id}")
    return ("slack", True, f"bot {auth.get('user')} in workspace {auth.get('team')} ({team})")


async def _stripe(settings: Settings) -> tuple[str, bool, str]:
    async with aiohttp.ClientSession() as session:
        stripe = connect_stripe(settings, session=session)
        try:
            balance = await stripe.api.v1.balance.retrieve_async()
        except stripe_errors.APIConnectionError:
            return ("stripe", False, f"unreachable at {settings.stripe_api_base}")
        except stripe_errors.AuthenticationError:
            return ("stripe", False, "STRIPE_SECRET_KEY was refused")
        except Exception as exc:
            return ("stripe", False, f"balance read failed: {_one_line(exc)}")
    mode = "live" if balance.livemode else "test"
    return ("stripe", True, f"key accepted ({mode} mode)")


async def _chosen_types(settings: Settings) -> set[str]:
    """The event types admins chose with `/notify` (groups spelled out); none when the
    database can't be read (its own check says why)."""
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            patterns = await notify_subscriptions.chosen_patterns(session)
    except Exception:
        return set()
    finally:
        await engine.dispose()
    return set().union(*(covered_by(p, EVENT_TYPES) for p in patterns))


async def _webhooks(settings: Settings) -> list[tuple[str, bool, str]]:
    """The two endpoints at PUBLIC_URL/stripe/webhook, held to the event types the handlers
    are registered for and those admins chose with `/notify`, and to connectbot's API
    version."""
    async with aiohttp.ClientSession() as session:
        stripe = connect_stripe(settings, session=session)
        try:
            endpoints = await read_webhook_endpoints(stripe)
        except Exception as exc:  # not Stripe's (those come back as a Trouble): still one line
            return [("webhooks", False, f"could not list webhook endpoints: {_one_line(exc)}")]
    if isinstance(endpoints, Trouble):
        return [("webhooks", False, f"could not list webhook endpoints: {_trouble(endpoints)}")]
    findings = judge_endpoints(
        endpoints,
        url=settings.public_url + WEBHOOK_PATH,
        handled=build_event_handlers().types(),
        api_version=API_VERSION,
        chosen=await _chosen_types(settings),
    )
    return [("webhooks", f.ok, f.detail) for f in findings]


def _trouble(trouble: Trouble) -> str:
    """Stripe's error as `read_webhook_endpoints` sorted it, in one line."""
    said = " ".join(trouble.message.split())[:300]
    if trouble.kind == "no_answer":
        return f"Stripe did not answer ({said})"
    if trouble.kind == "forbidden":
        return f"Stripe refused STRIPE_SECRET_KEY the webhook endpoints ({said})"
    return f"Stripe refused the request ({said})"
