"""What the split cart tests type, click and read."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Insert, event, select
from sqlalchemy.orm import ORMExecuteState, Session

from storage.models import Cart, Charge, OutboxMessage
from tests.e2e.scenario import modal_inputs
from tests.harness import OPERATOR, Connectbot

VERA, VICTOR = "U0VERA", "U0VICTOR"
VICTOR_CHANNEL = "C0VICTOR"
CART_TEXT = f"<@{VERA}|vera> 60.00 <@{VICTOR}|victor> 40.00 jane@example.com order #1042"


async def open_cart(cb: Connectbot, text: str = CART_TEXT) -> tuple[str, dict[str, Any]]:
    """Type `/charge text` as the operator: the command's response URL key and the modal."""
    before = cb.slack.view_ids()
    reply = await cb.slack_sender.command("/charge", text, user_id=OPERATOR)
    assert reply.status == 200 and not reply.body, f"/charge refused: {reply.body}"
    new = await cb.until(lambda: cb.slack.views_since(before), what="the cart modal")
    return str(reply.response_key), await cb.slack.view(new[0])


async def submit_cart(cb: Connectbot, view: dict[str, Any], user: str = OPERATOR) -> Any:
    reply = await cb.slack_sender.view_submission(view, modal_inputs(view), user_id=user)
    assert reply.status == 200, reply.body
    return reply


async def the_cart(cb: Connectbot) -> Cart:
    async with cb.sessions() as session:
        [cart] = (await session.scalars(select(Cart))).all()
    return cart


async def cart_settled(cb: Connectbot, rounds: int = 1) -> Cart:
    async def settled() -> Cart | None:
        async with cb.sessions() as session:
            carts = (await session.scalars(select(Cart))).all()
        done = [c for c in carts if c.status == "settled" and c.rounds == rounds]
        return done[0] if done else None

    return await cb.until(settled, what=f"the cart to settle (round {rounds})")


async def rows_by_vendor(cb: Connectbot, vendor_id: int) -> list[Charge]:
    async with cb.sessions() as session:
        found = await session.scalars(
            select(Charge).where(Charge.vendor_id == vendor_id).order_by(Charge.created_at)
        )
        return list(found.all())


async def queued(cb: Connectbot, kind: str, target: str) -> list[dict[str, Any]]:
    """The payloads connectbot queued of `kind` for `target`, oldest first."""
    async with cb.sessions() as session:
        found = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == kind, OutboxMessage.target == target)
            .order_by(OutboxMessage.id)
        )
        return [m.payload for m in found.all()]


def buttons(message: dict[str, Any]) -> list[str]:
    """The action ids of a message's buttons."""
    return [
        element.get("action_id")
        for block in message.get("blocks") or []
        if block.get("type") == "actions"
        for element in block.get("elements") or []
    ]


@contextmanager
def charge_rows_as_written() -> Iterator[dict[str, dict[str, Any]]]:
    """Each charge row connectbot inserts while inside, by idempotency key, as the INSERT
    wrote it: what the row held before anything updated it (a request stored with the row,
    or only later, at execute time)."""
    written: dict[str, dict[str, Any]] = {}

    def record(state: ORMExecuteState) -> None:
        statement = state.statement
        if isinstance(statement, Insert) and statement.table.name == "charges":
            values = statement.compile(dialect=state.session.get_bind().dialect).params
            written[str(values["idempotency_key"])] = values

    event.listen(Session, "do_orm_execute", record)
    try:
        yield written
    finally:
        event.remove(Session, "do_orm_execute", record)
