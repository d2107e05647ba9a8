"""Fuzzing every slash command through the real server (issue 13 §3).

Hypothesis types command text (valid-looking mentions, amounts, currencies, emails, periods,
fees, charge refs, mixed with unicode, control characters, `<!channel>`, `<script>` and huge
strings) as every role, against one running connectbot per test function (SQLite; the
examples share it). For every example: the HTTP answer is 200 in time, nothing is logged at
ERROR (no traceback), every answer to the caller is private (only a `/fees` summary goes to
the channel), every reply Slack was asked to show was accepted, and a refusal, whose text the
product's own pure parsers predict, carries the usage and leaves Stripe and the channels
untouched. `FUZZ_EXAMPLES=10000` runs that many examples per test.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.commands.catalog import BY_NAME
from bot.parsing import (
    parse_add_customer,
    parse_charge_command,
    parse_connect_vendor_command,
    parse_fees_command,
    parse_refund_command,
    parse_share_customer,
    parse_vendor_channel_command,
    parse_vendor_disconnect_command,
    parse_vendor_fee_command,
    split_args,
)
from bot.permissions import is_admin, is_operator
from bot.refusal import Refusal
from storage.models import Charge, Refund
from tests.databases import fresh_database
from tests.e2e.scenario import charge_through_modal, connected_vendor, customer_with_card
from tests.harness import ADMIN, OPERATOR, Connectbot, running_connectbot

VENDOR = "U0VENDOR1"
OTHER_VENDOR = "U0VENDOR2"
NOBODY = "U0NOBODY"
USERS = (ADMIN, OPERATOR, VENDOR, OTHER_VENDOR, NOBODY)

#: Examples per test function: a few hundred in `make test`, as many as asked otherwise.
FUZZ = int(os.environ.get("FUZZ_EXAMPLES") or 0)
#: The fuzz runs on SQLite; FUZZ_BACKEND=postgresql (with TEST_DATABASE_URL) for a manual run.
BACKEND = os.environ.get("FUZZ_BACKEND", "sqlite")


def examples(default: int) -> int:
    return FUZZ or default


def fuzz_settings(default: int) -> Any:
    return settings(
        max_examples=examples(default),
        deadline=None,
        derandomize=not FUZZ,  # `make test` is repeatable; a long run explores
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


# --- strategies ---------------------------------------------------------------------------

MENTIONS = st.sampled_from(
    [
        f"<@{VENDOR}|vera>",
        f"<@{VENDOR}>",
        f"<@{OTHER_VENDOR}|victor>",
        f"<@{OPERATOR}|otto>",
        "<@U0NOBODY|nobody>",
        "<@W0ENTERPRISE>",
        "<@>",
        "<@U123|",
        "<@U123|<@U456>>",
        "@vera",
        "<@B0BOT|bot>",
        "<@u0lower>",
    ]
)
CHANNELS = st.sampled_from(
    ["<#C0VENDORS|vendors>", "<#C123>", "#general", "<#>", "<#C1|a|b>", "<#G0PRIVATE>"]
)
SPECIALS = st.sampled_from(
    [
        "<!channel>",
        "<!here>",
        "<!everyone>",
        "<!subteam^S123|@team>",
        "<!date^1392734382^{date}|x>",
        "<script>alert(1)</script>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "<https://evil.example|click>",
        "*bold* _it_ ~s~ `code` ```block```",
        "'; DROP TABLE vendors; --",
        "%s%n%x",
        "{{7*7}}${jndi:ldap://x}",
        "\x00",
        "\u202e",
        "\ufeff",
        "\u200b",
        "\r\n",
        "😀",
        "ｈｅｌｐ",
        "&amp;",
        "null",
        "None",
    ]
)
AMOUNTS = st.one_of(
    st.sampled_from(
        [
            "100",
            "100.00",
            "1,000.50",
            "$100",
            "€100",
            "£5",
            "¥500",
            "100eur",
            "EUR",
            "0",
            "-5",
            "1e3",
            "NaN",
            "Infinity",
            "0.49",
            "0.50",
            "100.001",
            "100.5",
            "١٠٠",
            "１００",
            "10000.01",
            "9" * 40,
            "1,00,000",
            ".5",
            "5.",
            "0x10",
            "1_000",
        ]
    ),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
CURRENCIES = st.sampled_from(
    ["usd", "eur", "jpy", "krw", "kwd", "bhd", "USD", "Eur", "xxx", "btc", "$", "€", "gbp"]
)
EMAILS = st.one_of(
    st.sampled_from(
        [
            "jane@example.com",
            "JANE@Example.COM",
            "<mailto:jane@example.com|jane@example.com>",
            "<mailto:a@b.c|other@b.c>",
            "nobody@example.com",
            "nocard@example.com",
            "a@b",
            "@",
            "x@",
            "@example.com",
            '"quoted"@example.com',
            "o'brien@example.com",
            "jane@exa mple.com",
            "jane@@example.com",
            "ünïcode@exämple.com",
            "a" * 300 + "@example.com",
        ]
    ),
    st.emails().map(str),
)
PERIODS = st.sampled_from(
    [
        "today",
        "week",
        "month",
        "2024-01",
        "2024-01-01..2024-01-31",
        "2024-13",
        "2024-02-30",
        "2099-01",
        "2024-02-01..2024-01-01",
        "0000-01-01..9999-12-31",
        "yesterday",
        "1..2",
        "..",
    ]
)
FEES = st.sampled_from(
    "5% | 0.30 | 5% + 0.30 | 5%+0.30 | 100% | 101% | -1% | 0.30 eur | 1e2% | nan% | default"
    " | reset | 5% + 0.30 + 1 | 5.123% | % | +".split(" | ")
)
REFS = st.sampled_from(
    [
        "cb_ch_123456789012",
        "cb_ch_",
        "pi_12345678",
        "pi_",
        "pi_3Nx…",
        "cb_ch_１２３４５６７８９０１２",
        "pi_" + "a" * 300,
    ]
)
WORDS = st.sampled_from(
    ["help", "HELP", " help ", "list", "fee", "channel", "disconnect", "all", "default"]
)
GARBAGE = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=8),
    st.integers(min_value=300, max_value=6000).map(lambda n: "x" * n),
    st.integers(min_value=100, max_value=1500).map(lambda n: "é😀" * n),
)
TOKEN = st.one_of(
    MENTIONS, CHANNELS, SPECIALS, AMOUNTS, CURRENCIES, EMAILS, PERIODS, FEES, REFS, WORDS, GARBAGE
)
SEPARATOR = st.sampled_from([" ", " ", " ", "  ", "\t", "\n", "\u00a0", ""])


@st.composite
def texts(draw: st.DrawFn, *templates: st.SearchStrategy[str]) -> str:
    """Command text: one of the command's own shapes, or any mix of tokens, separated oddly."""
    if templates and draw(st.booleans()):
        parts = draw(st.one_of(*templates).map(lambda t: t.split("\x1f")))
    else:
        parts = draw(st.lists(TOKEN, max_size=6))
    seps = [draw(SEPARATOR) for _ in parts]
    return "".join(sep + part for sep, part in zip(seps, parts, strict=True))


def shape(*parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A template: the parts in order (each may be dropped), joined for `texts`."""
    maybe = [st.one_of(part, st.just("")) for part in parts]
    return st.tuples(*maybe).map(lambda ps: "\x1f".join(p for p in ps if p))


DESCRIPTION = st.one_of(GARBAGE, SPECIALS, st.just('"Order #42 – thanks"'))
COMMAND_TEXT: dict[str, st.SearchStrategy[str]] = {
    "/connect-vendor": texts(shape(MENTIONS), shape(WORDS, MENTIONS)),
    "/vendors": texts(
        shape(st.just("fee"), MENTIONS, FEES),
        shape(st.just("channel"), MENTIONS, CHANNELS),
        shape(st.just("disconnect"), MENTIONS),
        shape(WORDS, MENTIONS, TOKEN),
    ),
    "/add-customer": texts(shape(EMAILS, GARBAGE, GARBAGE)),
    "/share-customer": texts(shape(MENTIONS, EMAILS)),
    "/charge": texts(
        shape(MENTIONS, AMOUNTS, CURRENCIES, EMAILS, DESCRIPTION),
        shape(MENTIONS, CURRENCIES, AMOUNTS, EMAILS),
    ),
    "/refund": texts(shape(REFS, AMOUNTS, CURRENCIES)),
    "/fees": texts(shape(PERIODS, MENTIONS), shape(MENTIONS, PERIODS)),
}


# --- the running server and what each example leaves behind -------------------------------


class ErrorLog(logging.Handler):
    """Every record at ERROR or above, or with a traceback, from any logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)

    def take(self) -> list[str]:
        found = [f"{r.name}: {r.getMessage()} {r.exc_info!r}" for r in self.records]
        self.records.clear()
        return found


@contextmanager
def error_log() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


class World:
    """The running server, its error log, and what the set-up made."""

    def __init__(self, cb: Connectbot, errors: ErrorLog, *, charge_ref: str = "") -> None:
        self.cb, self.errors, self.charge_ref = cb, errors, charge_ref

    def __repr__(self) -> str:  # Hypothesis prints the fixture with every failing example
        return f"World({self.cb.url})"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    """One server for all of a test function's examples: two vendors (one connected), a
    customer with a card and one without, and a succeeded charge to refund."""
    with error_log() as errors:
        async with fresh_database(BACKEND, tmp_path, migrated=True) as url:
            async with running_connectbot(url) as cb:
                await connected_vendor(cb, VENDOR)
                await customer_with_card(cb, "jane@example.com")
                charge = await charge_through_modal(
                    cb, f"<@{VENDOR}|vera> 500.00 jane@example.com", user=OPERATOR
                )
                await cb.settled()
                errors.take()
                yield World(cb, errors, charge_ref=charge.id)
                assert errors.take() == []


@dataclass
class Outcome:
    status: int
    ack: str
    responses: list[dict[str, Any]]
    stripe_requests: int
    posts: int
    views_opened: int

    @property
    def texts(self) -> list[str]:
        return [self.ack] + [str(r.get("text") or "") for r in self.responses]


async def calm(cb: Connectbot) -> None:
    """Wait until the work an example started is over: no charge or refund waiting for
    Stripe's answer, every webhook delivered and handled, every message sent."""

    async def nothing_in_flight() -> bool:
        async with cb.sessions() as session:
            charges = await session.scalar(
                select(func.count()).select_from(Charge).where(Charge.status == "pending")
            )
            refunds = await session.scalar(
                select(func.count()).select_from(Refund).where(Refund.status == "pending")
            )
        return charges == 0 and refunds == 0

    await cb.until(nothing_in_flight, what="charges and refunds to settle")
    await cb.stripe.deliver()
    await cb.settled()


async def counts(cb: Connectbot) -> tuple[int, int, int]:
    return (
        len(await cb.stripe.requests()),
        len(await cb.slack.calls("chat.postMessage")),
        len(await cb.slack.calls("views.open")),
    )


async def run_command(w: World, command: str, text: str, user: str) -> Outcome:
    """Type `command text` as `user`; what the caller was told and what reached the fakes."""
    cb = w.cb
    before = await counts(cb)
    reply = await cb.slack_sender.command(command, text, user_id=user)
    assert reply.status == 200, (command, text, reply.status, reply.error, reply.body[:300])
    assert reply.response_key is not None
    key = reply.response_key
    if not reply.body:  # acked empty: the answer follows, as a response or a modal

        async def answered() -> bool:
            opened = len(await cb.slack.calls("views.open")) > before[2]
            return opened or bool(await cb.slack.responses(key))

        await cb.until(answered, timeout=10, what=f"an answer to {command} {text[:80]!r}")
    await calm(cb)
    after = await counts(cb)
    return Outcome(
        status=reply.status,
        ack=_ack_text(reply.body),
        responses=await cb.slack.responses(key),
        stripe_requests=after[0] - before[0],
        posts=after[1] - before[1],
        views_opened=after[2] - before[2],
    )


def _ack_text(body: str) -> str:
    """The text of an ack body: plain text, or a JSON message that must not be in_channel."""
    if body.startswith("{"):
        import json

        message = json.loads(body)
        assert message.get("response_type") != "in_channel", body[:300]
        return str(message.get("text") or "")
    return body


# --- the oracle: what the product's pure parsers say about the text -----------------------


def expected_refusal(w: World, command: str, text: str, user: str) -> str | None:
    """The refusal the caller must get (a sentence that must appear, with the usage when the
    text is malformed), or None when the command may go ahead."""
    s = w.cb.settings
    text = text.strip()
    operator = is_operator(s, user)
    refusal: Refusal | object
    if command == "/connect-vendor":
        if text.lower() == "help":
            return "Usage:"
        refusal = parse_connect_vendor_command(text)
        if not isinstance(refusal, Refusal) and getattr(refusal, "vendor_user_id", None) not in (
            None,
            user,
        ):
            return None if operator else "Only connectbot operators"
    elif command == "/vendors":
        words = split_args(text)
        sub = words[0].lower() if words else "list"
        if sub in ("fee", "channel", "disconnect") and not is_admin(s, user):
            return "Only connectbot admins"
        if sub == "help":
            return "Usage:" if operator or user == VENDOR else "Only connectbot operators, admins"
        if sub == "fee":
            refusal = parse_vendor_fee_command(text, currency=s.default_currency)
        elif sub == "channel":
            refusal = parse_vendor_channel_command(text)
        elif sub == "disconnect":
            refusal = parse_vendor_disconnect_command(text)
        elif sub == "list":
            return None if operator or user == VENDOR else "Only connectbot operators, admins"
        else:
            return (
                "I don't know"
                if operator or user == VENDOR
                else "Only connectbot operators, admins"
            )
    elif command in ("/add-customer", "/share-customer", "/charge", "/refund"):
        if command == "/refund" and not text.strip():  # the picker of recent charges
            return None if operator else "Only connectbot operators"
        if not operator:  # even `help`: nobody is shown the usage of what they cannot run
            return "Only connectbot operators"
        if text.lower() == "help":
            return "Usage:"
        money = {"default_currency": s.default_currency, "max_amount": s.max_charge_amount}
        if command == "/add-customer":
            refusal = parse_add_customer(text)
        elif command == "/share-customer":
            refusal = parse_share_customer(text)
        elif command == "/charge":
            refusal = parse_charge_command(text, **money)
        else:
            refusal = parse_refund_command(text, **money)
    else:  # /fees: the role first, so nobody is shown the usage of what they cannot run
        if not operator and user != VENDOR:
            return "Only connectbot operators, admins and vendors"
        if text.lower() == "help":
            return "Usage:"
        today = datetime.now(ZoneInfo(s.digest_tz)).date()
        refusal = parse_fees_command(text, today=today)
    return refusal.message if isinstance(refusal, Refusal) else None


def check(w: World, command: str, text: str, user: str, out: Outcome) -> None:
    """The rules every example obeys (module docstring)."""
    where = (command, text[:200], user)
    assert w.errors.take() == [], where
    for response in out.responses:
        assert response.get("ok"), (where, response.get("error"), response.get("errors"))
        public = response.get("response_type") == "in_channel"
        assert not public or command == "/fees", (where, response)
    said = "\n".join(out.texts)
    assert said.strip() or out.views_opened == 1, (where, "the caller was told nothing")
    opens_modal = command == "/charge" or (command == "/refund" and not text.strip())
    assert out.views_opened == 0 or opens_modal, where
    refusal = expected_refusal(w, command, text, user)
    if refusal is None:
        return
    assert refusal in said, (where, refusal, said[:500])
    if not refusal.startswith("Only connectbot"):  # malformed text: what was wrong + usage
        assert "Usage" in said, (where, said[:500])
        assert BY_NAME[command].usage[0].split(" — ")[0].split(" [")[0] in said, (where, said)
    assert (out.stripe_requests, out.posts, out.views_opened) == (0, 0, 0), (where, out)


COMMANDS = sorted(COMMAND_TEXT)


@st.composite
def typed(draw: st.DrawFn) -> tuple[str, str, str]:
    command = draw(st.sampled_from(COMMANDS))
    return command, draw(COMMAND_TEXT[command]), draw(st.sampled_from(USERS))


@fuzz_settings(200)
@given(typed=typed(), ref=st.booleans())
async def test_any_command_text_from_anyone(
    world: World, typed: tuple[str, str, str], ref: bool
) -> None:
    command, text, user = typed
    if command == "/refund" and ref:  # the real charge, with whatever follows
        text = f"{world.charge_ref} {text}"
    out = await run_command(world, command, text, user)
    check(world, command, text, user, out)
