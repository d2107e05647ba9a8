"""The one template every slash command is written with (`bot/commands/template.py`), through
the real server: for each of the seven commands, `help` for every role, a caller who may not
run it refused, malformed text refused with the usage, and an unexpected exception answered by
the app's one error handler, with no traceback (nor the exception's words) in Slack."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from bot import commands
from bot.app import INTERNAL_ERROR
from bot.commands.catalog import BY_NAME, Role
from bot.refusal import Refusal
from tests.e2e.scenario import connected_vendor
from tests.harness import ADMIN, OPERATOR, Connectbot, running_connectbot

VENDOR, NOBODY = "U0VENDOR1", "U0NOBODY"
V = f"<@{VENDOR}|vera>"
USERS: dict[Role, str] = {"admin": ADMIN, "operator": OPERATOR, "vendor": VENDOR, "anyone": NOBODY}
SECRET = "boom-4c1d: internal detail"


@dataclass(frozen=True)
class Case:
    """One command: text someone may not run (typed by `NOBODY`), malformed text (typed by
    an operator), text that runs (an operator), and the domain function its `run` calls."""

    not_theirs: str
    malformed: str
    runs: str
    calls: str


CASES: dict[str, Case] = {
    "/connect-vendor": Case("<@U0NEWVENDOR|n>", "one two", "", "send_link"),
    "/vendors": Case("", "explode", "", "list_page"),
    "/add-customer": Case("jane@example.com", "not-an-email", "jane@example.com", "card_link"),
    "/share-customer": Case(
        f"{V} jane@example.com", "x", f"{V} jane@example.com", "share_for_operator"
    ),
    "/charge": Case(f"{V} 20.00", f"{V} abc", f"{V} 20.00 jane@example.com", "confirmation_modal"),
    "/refund": Case("pi_12345678", "nonsense", "pi_12345678 1.00", "request_refund"),
    "/fees": Case("month", "someday", "month", "period_bounds"),
    "/payouts": Case(V, "jane", V, "summary"),
    "/notify": Case("add customer.created", "frobnicate", "list", "listing"),
}


@pytest.fixture
async def cb(tmp_path: Path) -> AsyncIterator[Connectbot]:
    """The template does not depend on the database backend: SQLite, one server per test."""
    async with running_connectbot(f"sqlite+aiosqlite:///{tmp_path / 'template.db'}") as running:
        await connected_vendor(running, VENDOR)
        yield running


async def said(cb: Connectbot, name: str, text: str, user: str) -> str:
    """Everything the caller was told: the ack's text, then what came on the response URL."""
    reply = await cb.slack_sender.command(name, text, user_id=user)
    if reply.body:
        return reply.body
    answers = await cb.slack.responses_when(str(reply.response_key))
    return "\n".join(str(a.get("text") or "") for a in answers)


def module(name: str) -> ModuleType:
    return commands.MODULES[name]


def test_every_command_is_written_with_the_template() -> None:
    assert set(CASES) == set(BY_NAME) == set(commands.MODULES)
    for name, mod in commands.MODULES.items():
        assert mod.COMMAND.spec is BY_NAME[name] is mod.SPEC
        assert (mod.COMMAND.parse, mod.COMMAND.run) == (mod.parse, mod.run), name
        assert not hasattr(mod, "USAGE"), name  # the usage is the catalog's


async def test_help_shows_each_role_what_it_may_run_and_refuses_the_rest(cb: Connectbot) -> None:
    for name, spec in BY_NAME.items():
        for role, user in USERS.items():
            answer = await said(cb, name, "help", user)
            if spec.runnable_by(role):
                assert answer == spec.help_text(role), (name, role, answer)
            else:  # what they cannot do, whom to ask; never the usage of what they can't run
                assert answer.startswith("Only connectbot"), (name, role, answer)
                assert "Usage" not in answer and spec.action in answer, (name, role, answer)


async def test_a_caller_who_may_not_run_it_is_refused_and_nothing_happens(cb: Connectbot) -> None:
    for name, case in CASES.items():
        views, stripe = len(await cb.slack.calls("views.open")), len(await cb.stripe.requests())
        answer = await said(cb, name, case.not_theirs, NOBODY)
        assert answer.startswith("Only connectbot") and "Usage" not in answer, (name, answer)
        assert "admin" in answer, (name, answer)  # whom to ask
        assert len(await cb.slack.calls("views.open")) == views, name
        assert len(await cb.stripe.requests()) == stripe, name


async def test_malformed_text_is_refused_with_what_was_wrong_and_the_usage(
    cb: Connectbot,
) -> None:
    for name, case in CASES.items():
        refusal = module(name).parse(case.malformed, cb.settings)
        assert isinstance(refusal, Refusal), name
        answer = await said(cb, name, case.malformed, OPERATOR)
        assert answer == f"{refusal.message}\n\n{BY_NAME[name].help_text('operator')}", name


async def test_an_unexpected_failure_is_answered_by_the_error_handler(
    cb: Connectbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(SECRET)

    for name, case in CASES.items():
        monkeypatch.setattr(module(name), case.calls, broken)
        reply = await cb.slack_sender.command(name, case.runs, user_id=OPERATOR)
        assert SECRET not in reply.body and "Traceback" not in reply.body, (name, reply.body)
        [answer] = await cb.slack.responses_when(str(reply.response_key))
        assert answer["text"] == INTERNAL_ERROR, (name, answer)
        assert answer.get("response_type") != "in_channel", name
    everything = json.dumps(await cb.slack.calls()) + json.dumps(await cb.slack.deliveries())
    assert SECRET not in everything and "Traceback" not in everything
