"""Split carts: the cart row, and its parts (charge rows carrying its `cart_id`).

A part is one vendor's share; a failed part retried gets a new charge row (a new idempotency
key) in the same cart, so the part's current row is its newest. Status changes are
conditional updates under the cart's row lock, so racing listeners, webhooks, reconcilers and
double clicks see one winner.

Statuses: awaiting_approval → pending | rejected; pending → settled (every part has an
answer); settled → pending (a retry of failed parts) → settled.
"""

from __future__ import annotations

import secrets
from base64 import b32encode
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Cart, Charge, utcnow
from storage.repos.dialect import insert_ignoring_duplicates


def new_cart_id() -> str:
    """`cb_cart_` + 24 random base32 letters/digits (120 bits), lowercase."""
    return "cb_cart_" + b32encode(secrets.token_bytes(15)).decode().lower()


async def add(session: AsyncSession, **values: Any) -> tuple[Cart, bool]:
    """Insert the cart unless its `idempotency_key` exists; (stored row, whether it is new)."""
    now = utcnow()
    values.setdefault("created_at", now)
    values.setdefault("updated_at", now)
    values.setdefault("rounds", 1)
    result = await session.execute(
        insert_ignoring_duplicates(session, Cart, "idempotency_key", **values)
    )
    stored = await session.scalar(
        select(Cart)
        .where(Cart.idempotency_key == values["idempotency_key"])
        .execution_options(populate_existing=True)
    )
    assert stored is not None
    return stored, bool(result.rowcount)  # type: ignore[attr-defined]


async def by_id(session: AsyncSession, cart_id: str) -> Cart | None:
    return await session.scalar(
        select(Cart).where(Cart.id == cart_id).execution_options(populate_existing=True)
    )


async def lock(session: AsyncSession, cart_id: str) -> Cart | None:
    """The cart row locked for update (PostgreSQL; SQLite's writer lock does it already), so
    whoever settles or retries a cart's parts reads them after the others committed."""
    return await session.scalar(
        select(Cart)
        .where(Cart.id == cart_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def rows(session: AsyncSession, cart_id: str) -> list[Charge]:
    """Every charge row of the cart, oldest first (retries after the rows they retry)."""
    found = await session.scalars(
        select(Charge)
        .where(Charge.cart_id == cart_id)
        .order_by(Charge.created_at, Charge.attempts, Charge.id)
        .execution_options(populate_existing=True)
    )
    return list(found.all())


def current_parts(charges: list[Charge]) -> list[Charge]:
    """Each vendor's current row (its newest), in the order the parts were first written."""
    newest: dict[int, Charge] = {}
    order: list[int] = []
    for charge in charges:
        if charge.vendor_id not in newest:
            order.append(charge.vendor_id)
        current = newest.get(charge.vendor_id)
        if current is None or generation(charge) > generation(current):
            newest[charge.vendor_id] = charge
    return [newest[v] for v in order]


def generation(charge: Charge) -> int:
    """A part's try: 1 for its first row, n for the row keyed `…:retry:n`."""
    head, _, tail = charge.idempotency_key.rpartition(":retry:")
    return int(tail) if head and tail.isdigit() else 1


async def set_status(
    session: AsyncSession, cart_id: str, status: str, *, was: tuple[str, ...], **values: Any
) -> bool:
    """Move the cart to `status` if it is in one of `was`; whether it moved."""
    result = await session.execute(
        update(Cart)
        .where(Cart.id == cart_id, Cart.status.in_(was))
        .values(status=status, updated_at=utcnow(), **values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def decide_parts(session: AsyncSession, cart_id: str, *, approve: bool, by: str) -> None:
    """The parts awaiting approval follow the cart's decision: `pending` or `rejected`."""
    values: dict[str, Any] = {"status": "pending" if approve else "rejected"}
    if approve:
        values["approved_by"] = by
    await session.execute(
        update(Charge)
        .where(Charge.cart_id == cart_id, Charge.status == "awaiting_approval")
        .values(updated_at=utcnow(), **values)
    )
