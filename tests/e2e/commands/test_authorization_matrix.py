"""Who may do what: every command, button and modal × every role.

Roles come only from settings (ADMIN_USER_IDS, OPERATOR_USER_IDS, read once at start-up) and
from the vendor table; a role cannot change while a server runs. So "a role removed between
opening a modal and submitting it" is tested as the closest thing Slack can send: a modal
opened by an operator, submitted by someone who is not one. Every cell runs against one server;
a refused cell must say so privately and leave Stripe and the channels untouched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.views.approvals import APPROVE, REJECT
from bot.views.refund_modal import REFUND_BUTTON
from bot.views.vendors import DISCONNECT_CONFIRM_ACTION, PAGE_ACTION
from sandbox.slack_fake.client import SlackSender
from sandbox.slack_fake.interactions import Workspace
from sandbox.slack_fake.reply import SlackReply
from storage.models import Charge, Refund, Vendor
from tests.e2e.commands.test_fuzz_commands import calm, counts
from tests.e2e.scenario import (
    charge_through_modal,
    connected_vendor,
    customer_with_card,
    modal_inputs,
    open_charge_modal,
)
from tests.harness import (
    ADMIN,
    OPERATOR,
    OPERATOR_2,
    OPS_CHANNEL,
    SIGNING_SECRET,
    Connectbot,
    running_connectbot,
)

VENDOR, OTHER_VENDOR, SPARE_VENDOR, NOBODY = "U0VENDOR1", "U0VENDOR2", "U0VENDOR3", "U0NOBODY"
V, W, S = f"<@{VENDOR}|vera>", f"<@{OTHER_VENDOR}|victor>", f"<@{SPARE_VENDOR}|sam>"

ROLES = ("admin", "operator", "vendor", "other vendor", "nobody", "other workspace")
USER = {
    "admin": ADMIN,
    "operator": OPERATOR,
    "vendor": VENDOR,
    "other vendor": OTHER_VENDOR,
    "nobody": NOBODY,
    "other workspace": OPERATOR,  # an operator's id, from a workspace this connectbot doesn't serve
}
REFUSED = (
    "Only connectbot",
    "This connectbot serves another Slack workspace",
    "can't approve it",
)

A, OP, VV, WW, N = "admin", "operator", "vendor", "other vendor", "nobody"
EVERYONE = {A, OP, VV, WW, N}
OPERATORS = {A, OP}
VENDORS_TOO = {A, OP, VV, WW}

#: cell name → the roles allowed (every other role is refused).
MATRIX: dict[str, set[str]] = {
    "/connect-vendor (own link)": EVERYONE,
    "/connect-vendor @someone": OPERATORS,
    "/vendors": VENDORS_TOO,
    "/vendors fee": {A},
    "/vendors channel": {A},
    "/vendors disconnect": {A},
    "/add-customer": OPERATORS,
    "/share-customer": OPERATORS,
    "/charge": OPERATORS,
    "/refund": OPERATORS,
    "/fees": VENDORS_TOO,
    "/fees csv": VENDORS_TOO,
    "/payouts": VENDORS_TOO,
    "/notify list": OPERATORS,
    "/notify add": {A},
    "/notify remove": {A},
    # Nobody is shown the usage of a command they cannot run (issue 16).
    "help /connect-vendor": EVERYONE,
    "help /vendors": VENDORS_TOO,
    "help /add-customer": OPERATORS,
    "help /share-customer": OPERATORS,
    "help /charge": OPERATORS,
    "help /refund": OPERATORS,
    "help /fees": VENDORS_TOO,
    "help /payouts": VENDORS_TOO,
    "help /notify": OPERATORS,
    "button Approve": OPERATORS,
    "button Reject": OPERATORS,
    "button vendor list page": VENDORS_TOO,
    "button disconnect confirm": {A},
    "modal charge (opened by an operator)": OPERATORS,
    "/refund (pick a recent charge)": OPERATORS,
    "button Refund": OPERATORS,
    "modal refund (opened by an operator)": OPERATORS,
}


@dataclass
class Seen:
    """What one cell's actor was told."""

    texts: list[str]

    @property
    def refused(self) -> bool:
        return any(marker in text for text in self.texts for marker in REFUSED)


class Matrix:
    def __init__(self, cb: Connectbot, other: SlackSender, charge: Charge, spare: Vendor):
        self.cb, self.other, self.charge, self.spare = cb, other, charge, spare

    def sender(self, role: str) -> SlackSender:
        return self.other if role == "other workspace" else self.cb.slack_sender

    async def answers(self, reply: SlackReply, opened: int = -1, wait: float = 10.0) -> Seen:
        """The ack's text and, when it acked empty, what followed on the response URL
        (waiting `wait` seconds at most: an approval that goes ahead answers nobody)."""
        cb = self.cb
        assert reply.status == 200, (reply.status, reply.body[:300])
        texts = [reply.body] if reply.body else []
        key = reply.response_key
        if not reply.body and key:

            async def answered() -> bool:
                views = len(await cb.slack.calls("views.open"))
                return views > opened >= 0 or bool(await cb.slack.responses(key))

            try:
                await cb.until(answered, timeout=wait, what="an answer")
            except AssertionError:
                if wait >= 10:
                    raise
        await calm(cb)
        for response in await cb.slack.responses(key) if key else []:
            assert response.get("response_type") != "in_channel" or "Fees" in str(response)
            texts.append(str(response.get("text") or ""))
        return Seen(texts)

    async def command(self, role: str, command: str, text: str) -> Seen:
        opened = len(await self.cb.slack.calls("views.open"))
        reply = await self.sender(role).command(command, text, user_id=USER[role])
        return await self.answers(reply, opened)

    async def button(self, role: str, action: str, value: str, *, user: str = "") -> Seen:
        opened = len(await self.cb.slack.calls("views.open"))  # the Refund button opens a modal
        reply = await self.sender(role).block_action(
            action,
            user_id=user or USER[role],
            value=value,
            action_type="button",
            channel_id=OPS_CHANNEL,
        )
        return await self.answers(reply, opened, wait=1.5 if action in (APPROVE, REJECT) else 10.0)

    async def awaiting_approval(self) -> str:
        """A fresh charge above the threshold, asked for by the second operator."""
        cb = self.cb
        view = await open_charge_modal(cb, f"{V} 60.00 jane@example.com", user=OPERATOR_2)
        reply = await cb.slack_sender.view_submission(view, modal_inputs(view), user_id=OPERATOR_2)
        assert reply.status == 200 and not reply.body, reply.body
        async with cb.sessions() as session:
            row = await session.scalar(
                select(Charge).where(Charge.status == "awaiting_approval").limit(1)
            )
        assert row is not None
        return row.id

    async def modal(self, role: str) -> Seen:
        cb = self.cb
        view = await open_charge_modal(cb, f"{V} 20.00 jane@example.com", user=OPERATOR)
        sender = self.sender(role)
        reply = await sender.view_submission(view, modal_inputs(view), user_id=USER[role])
        assert reply.status == 200, reply.body
        await calm(cb)
        return Seen([reply.body])

    async def help(self, role: str, command: str) -> Seen:
        """`help`: the usage for whoever may run the command, a refusal without it otherwise."""
        seen = await self.command(role, command, "help")
        shown = "\n".join(seen.texts)
        assert seen.refused != ("Usage:" in shown), (command, role, shown)
        return seen

    async def refund_modal(self, role: str) -> Seen:
        """The Refund button's modal, opened by an operator, submitted by `role`: $1.00."""
        cb = self.cb
        before = cb.slack.view_ids()
        await self.button("operator", REFUND_BUTTON, self.charge.id)
        [view_id] = cb.slack.views_since(before)
        view = await cb.slack.view(view_id)
        inputs = {**modal_inputs(view), "refund_amount": "1.00", "refund_reason": "matrix"}
        refunds_before = await self.refund_count()
        reply = await self.sender(role).view_submission(view, inputs, user_id=USER[role])
        assert reply.status == 200, reply.body
        if not reply.body:  # the modal closed: the refund is made after the ack; wait for it
            await cb.until(
                lambda: self._more_refunds_than(refunds_before), what="the refund to be made"
            )
        await calm(cb)
        return Seen([reply.body])

    async def refund_count(self) -> int:
        async with self.cb.sessions() as session:
            return len((await session.scalars(select(Refund.id))).all())

    async def _more_refunds_than(self, count: int) -> bool:
        return await self.refund_count() > count


CELLS: dict[str, Callable[[Matrix, str], Awaitable[Seen]]] = {
    "/connect-vendor (own link)": lambda m, r: m.command(r, "/connect-vendor", ""),
    "/connect-vendor @someone": lambda m, r: m.command(r, "/connect-vendor", "<@U0NEWVENDOR|n>"),
    "/vendors": lambda m, r: m.command(r, "/vendors", ""),
    "/vendors fee": lambda m, r: m.command(r, "/vendors", f"fee {V} 5% + 0.30"),
    "/vendors channel": lambda m, r: m.command(r, "/vendors", f"channel {V} <#C0VENDORS|v>"),
    "/vendors disconnect": lambda m, r: m.command(r, "/vendors", f"disconnect {V}"),
    "/add-customer": lambda m, r: m.command(r, "/add-customer", "new@example.com New Person"),
    "/share-customer": lambda m, r: m.command(r, "/share-customer", f"{V} jane@example.com"),
    "/charge": lambda m, r: m.command(r, "/charge", f"{V} 20.00 jane@example.com"),
    "/refund": lambda m, r: m.command(r, "/refund", f"{m.charge.id} 1.00"),
    "/fees": lambda m, r: m.command(r, "/fees", "month"),
    "/fees csv": lambda m, r: m.command(r, "/fees", "month csv"),
    "/payouts": lambda m, r: m.command(r, "/payouts", V),
    "/notify list": lambda m, r: m.command(r, "/notify", "list"),
    "/notify add": lambda m, r: m.command(r, "/notify", "add customer.created <#C0SALES|sales>"),
    "/notify remove": lambda m, r: m.command(r, "/notify", "remove customer.created"),
    "help /connect-vendor": lambda m, r: m.help(r, "/connect-vendor"),
    "help /vendors": lambda m, r: m.help(r, "/vendors"),
    "help /add-customer": lambda m, r: m.help(r, "/add-customer"),
    "help /share-customer": lambda m, r: m.help(r, "/share-customer"),
    "help /charge": lambda m, r: m.help(r, "/charge"),
    "help /refund": lambda m, r: m.help(r, "/refund"),
    "help /fees": lambda m, r: m.help(r, "/fees"),
    "help /payouts": lambda m, r: m.help(r, "/payouts"),
    "help /notify": lambda m, r: m.help(r, "/notify"),
    "button Approve": lambda m, r: _decide(m, r, APPROVE),
    "button Reject": lambda m, r: _decide(m, r, REJECT),
    "button vendor list page": lambda m, r: m.button(r, f"{PAGE_ACTION}_next", "0"),
    "button disconnect confirm": lambda m, r: m.button(
        r, DISCONNECT_CONFIRM_ACTION, str(m.spare.id)
    ),
    "modal charge (opened by an operator)": lambda m, r: m.modal(r),
    "/refund (pick a recent charge)": lambda m, r: m.command(r, "/refund", ""),
    "button Refund": lambda m, r: m.button(r, REFUND_BUTTON, m.charge.id),
    "modal refund (opened by an operator)": lambda m, r: m.refund_modal(r),
}


async def _decide(m: Matrix, role: str, action: str) -> Seen:
    return await m.button(role, action, await m.awaiting_approval())


@pytest.fixture
async def matrix(tmp_path: Path) -> AsyncIterator[Matrix]:
    """Roles do not depend on the database: SQLite only, to keep the matrix fast."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'matrix.db'}"
    async with running_connectbot(url, approval_threshold=5000) as cb:
        await connected_vendor(cb, VENDOR)
        await connected_vendor(cb, OTHER_VENDOR)
        spare = await connected_vendor(cb, SPARE_VENDOR)
        await customer_with_card(cb, "jane@example.com")
        charge = await charge_through_modal(cb, f"{V} 40.00 jane@example.com", user=OPERATOR)
        await charge_through_modal(cb, f"{W} 30.00 jane@example.com", user=OPERATOR)
        workspace = Workspace(team_id="T_OTHER", team_domain="other", api_app_id="A_OTHER")
        other = SlackSender(
            cb.slack_sender.events_url,
            SIGNING_SECRET,
            fake_url=cb.slack.url,
            workspace=workspace,
            session=cb.http,
        )
        yield Matrix(cb, other, charge, spare)


async def test_every_cell_of_the_matrix(matrix: Matrix) -> None:
    assert set(CELLS) == set(MATRIX)
    wrong: list[str] = []
    for cell, allowed in MATRIX.items():
        for role in ROLES:
            before = await counts(matrix.cb)
            seen = await CELLS[cell](matrix, role)
            expected = role in allowed
            if seen.refused == expected:
                wrong.append(f"{cell} × {role}: {'refused' if expected else 'allowed'} {seen}")
            if not expected:  # a refusal changes nothing anyone can see
                after = await counts(matrix.cb)
                stripe_calls, posts = after[0] - before[0], after[1] - before[1]
                if cell in ("button Approve", "button Reject"):
                    posts = 0  # the approval request the cell set up was posted, as it should
                if stripe_calls or posts:
                    wrong.append(f"{cell} × {role}: refused but {stripe_calls=} {posts=}")
    assert wrong == [], "\n".join(wrong)


async def test_help_and_refusals_show_only_what_the_caller_may_run(matrix: Matrix) -> None:
    """A vendor's help lists only their own forms; a refusal says what the caller cannot do
    and to ask an admin, and never names a setting (an environment variable)."""
    vendors_help = "\n".join((await matrix.command("vendor", "/vendors", "help")).texts)
    assert "/vendors — list vendors" in vendors_help and "fee @vendor" not in vendors_help
    connect_help = "\n".join((await matrix.command("nobody", "/connect-vendor", "help")).texts)
    assert "get your own" in connect_help and "send the link to a vendor" not in connect_help
    full = "\n".join((await matrix.command("operator", "/connect-vendor", "help")).texts)
    assert "send the link to a vendor" in full
    expected = {
        ("/charge", "help"): "Only connectbot operators can charge customers. "
        "Ask a connectbot admin if you need to.",
        ("/charge", f"{V} 20.00"): "Only connectbot operators can charge customers.",
        ("/refund", f"{matrix.charge.id}"): "Only connectbot operators can refund charges.",
        ("/add-customer", "help"): "Only connectbot operators can add customers.",
        ("/share-customer", "x"): "Only connectbot operators can share customers with vendors.",
        ("/connect-vendor", "<@U0NEWVENDOR|n>"): "Only connectbot operators can send a Connect "
        "with Stripe link to someone else.",
        ("/vendors", f"fee {V} 5%"): "Only connectbot admins can change a vendor's platform fee. "
        "Ask a connectbot admin if you need this done.",
        ("/vendors", "help"): "Only connectbot operators, admins and vendors can list vendors.",
    }
    for (command, text), sentence in expected.items():
        said = "\n".join((await matrix.command("nobody", command, text)).texts)
        assert sentence in said, (command, text, said)
        assert "USER_IDS" not in said and "Usage" not in said, (command, text, said)


async def test_the_requester_cannot_approve_their_own_charge(matrix: Matrix) -> None:
    charge_id = await matrix.awaiting_approval()
    seen = await matrix.button("operator", APPROVE, charge_id)  # asked by OPERATOR_2: fine
    assert not seen.refused
    own = await matrix.awaiting_approval()
    seen = await matrix.button("operator", APPROVE, own, user=OPERATOR_2)
    assert any("can't approve it" in t for t in seen.texts), seen
    async with matrix.cb.sessions() as session:
        row = await session.get(Charge, own)
    assert row is not None and row.status == "awaiting_approval"
    # Withdrawing (Reject) their own request is allowed.
    assert not (await matrix.button("operator", REJECT, own, user=OPERATOR_2)).refused
    async with matrix.cb.sessions() as session:
        row = await session.get(Charge, own)
    assert row is not None and row.status == "rejected"


async def test_a_vendor_reads_only_their_own_fees(matrix: Matrix) -> None:
    async with matrix.cb.sessions() as session:
        other = await session.scalar(select(Vendor).where(Vendor.slack_user_id == OTHER_VENDOR))
        mine = await session.scalar(select(Vendor).where(Vendor.slack_user_id == VENDOR))
    assert other is not None and mine is not None
    for text in (f"month {W}", W, "month", f"today {W}"):
        seen = await matrix.command("vendor", "/fees", text)
        shown = "\n".join(seen.texts)
        assert OTHER_VENDOR not in shown and other.stripe_account_id not in shown, (text, shown)
    seen = await matrix.command("operator", "/fees", f"month {W}")
    assert OTHER_VENDOR in "\n".join(seen.texts)


async def test_app_home_shows_each_role_its_own(matrix: Matrix) -> None:
    cb = matrix.cb
    async with cb.sessions() as session:
        other = await session.scalar(select(Vendor).where(Vendor.slack_user_id == OTHER_VENDOR))
    assert other is not None
    sees_other = {}
    for role in ("admin", "operator", "vendor", "nobody"):
        published = len(await cb.slack.calls("views.publish"))
        await cb.slack_sender.app_home_opened(USER[role])

        async def done(n: int = published) -> bool:
            return len(await cb.slack.calls("views.publish")) > n

        await cb.until(done, what="the home tab")
        sees_other[role] = other.stripe_account_id in str(await cb.slack.home(USER[role]))
    assert sees_other == {"admin": True, "operator": True, "vendor": False, "nobody": False}
