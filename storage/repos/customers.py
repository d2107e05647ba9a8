"""Platform customers (one per lowercase email per workspace) and their shares with vendors."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Select, bindparam, delete, false, select, true, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.models import Customer, SharedCustomer, utcnow


def _insert_or_nothing(session: AsyncSession, model: Any, **values: Any) -> Any:
    """INSERT … ON CONFLICT DO NOTHING (any unique key), for the session's database."""
    name = session.get_bind().dialect.name
    builder = postgresql.insert if name == "postgresql" else sqlite.insert
    return builder(model).values(**values).on_conflict_do_nothing()


async def by_email(session: AsyncSession, team_id: str, email: str) -> Customer | None:
    """The customer with `email` (compared lowercase) in the workspace, or None."""
    return await session.scalar(
        select(Customer).where(Customer.team_id == team_id, Customer.email == email.lower())
    )


#: What the /charge form checks and shows of a customer: plain columns, no ORM entity.
FORM_COLUMNS = (
    Customer.id,
    Customer.team_id,
    Customer.email,
    Customer.default_payment_method_id,
    Customer.card_brand,
    Customer.card_last4,
)


def _charge_form_statements(limit: int) -> tuple[Select[Any], Select[Any]]:
    """The picker alone, and the picker with the named customer's row last (both take the
    parameters `team_id` and `email`): built once, as building a statement costs more than
    running it."""
    carded = (
        select(*FORM_COLUMNS, false().label("named"))
        .where(
            Customer.team_id == bindparam("team_id"),
            Customer.default_payment_method_id.is_not(None),
        )
        .order_by(Customer.email)
        .limit(limit)
        .subquery()
    )
    named = select(*FORM_COLUMNS, true().label("named")).where(
        Customer.team_id == bindparam("team_id"), Customer.email == bindparam("email")
    )
    both = union_all(select(*carded.c), named).subquery()
    # The picker's rows first, in the database's own email order; the named row last.
    return (
        select(*carded.c).order_by(carded.c.email),
        select(*both.c).order_by(both.c.named, both.c.email),
    )


_PICKER, _PICKER_AND_NAMED = _charge_form_statements(100)


async def for_charge_form(
    reader: AsyncConnection | AsyncSession, team_id: str, email: str | None
) -> tuple[Customer | None, list[Row[Any]]]:
    """The customer named by `email` (compared lowercase; None when unknown or not named) and
    the workspace's first 100 customers with a card on file by email (the form's picker), in
    one statement. The named customer is a transient `Customer` of `FORM_COLUMNS` only (in no
    session: what it is not given reads None, and it saves nothing); the picker's are rows of
    `FORM_COLUMNS`. Reads on a connection or a session."""
    if not email:
        return None, list((await reader.execute(_PICKER, {"team_id": team_id})).all())
    params = {"team_id": team_id, "email": email.lower()}
    rows = (await reader.execute(_PICKER_AND_NAMED, params)).all()
    if not rows or not rows[-1].named:
        return None, list(rows)
    found = Customer(**{c.key: rows[-1]._mapping[c.key] for c in FORM_COLUMNS})
    return found, list(rows[:-1])


async def by_id(session: AsyncSession, customer_id: int) -> Customer | None:
    return await session.get(Customer, customer_id)


async def lock(session: AsyncSession, customer_id: int) -> Customer | None:
    """The customer read afresh and locked for this transaction (PostgreSQL; SQLite has one
    writer anyway), for a change that depends on what the row holds now."""
    return await session.get(Customer, customer_id, with_for_update=True, populate_existing=True)


async def by_stripe_id(session: AsyncSession, stripe_customer_id: str) -> Customer | None:
    return await session.scalar(
        select(Customer).where(Customer.stripe_customer_id == stripe_customer_id)
    )


async def add(
    session: AsyncSession,
    *,
    team_id: str,
    email: str,
    name: str | None,
    stripe_customer_id: str,
) -> Customer:
    """Store the customer unless one with this email (or Stripe id) exists; return the stored row.

    A concurrent insert of the same customer is not an error: the first row wins and is returned.
    """
    email = email.lower()
    now = utcnow()
    await session.execute(
        _insert_or_nothing(
            session,
            Customer,
            team_id=team_id,
            email=email,
            name=name,
            stripe_customer_id=stripe_customer_id,
            created_at=now,
            updated_at=now,
        )
    )
    stored = await by_email(session, team_id, email)
    if stored is None:  # the Stripe id is already stored under another email
        stored = await by_stripe_id(session, stripe_customer_id)
    assert stored is not None
    return stored


async def share_of(
    session: AsyncSession, customer_id: int, vendor_id: int
) -> SharedCustomer | None:
    return await session.scalar(
        select(SharedCustomer)
        .where(SharedCustomer.customer_id == customer_id, SharedCustomer.vendor_id == vendor_id)
        .execution_options(populate_existing=True)
    )


async def start_share(
    session: AsyncSession, *, customer_id: int, vendor_id: int, source_payment_method_id: str
) -> SharedCustomer:
    """The mapping for (customer, vendor), created when absent; a concurrent creator's row wins.

    When the mapping was made for another source card (the customer replaced theirs since), it
    now names `source_payment_method_id` and has no clone yet: the new card is to be cloned.
    """
    await session.execute(
        _insert_or_nothing(
            session,
            SharedCustomer,
            customer_id=customer_id,
            vendor_id=vendor_id,
            source_payment_method_id=source_payment_method_id,
            created_at=utcnow(),
        )
    )
    share = await share_of(session, customer_id, vendor_id)
    assert share is not None
    if share.source_payment_method_id != source_payment_method_id:
        share.source_payment_method_id = source_payment_method_id
        share.vendor_payment_method_id = None
    return share


async def save_share_step(
    session: AsyncSession,
    share: SharedCustomer,
    *,
    vendor_payment_method_id: str | None = None,
    vendor_customer_id: str | None = None,
) -> None:
    """Store what one Stripe step of a share made (the values given), on the row and `share`."""
    values = {
        name: value
        for name, value in (
            ("vendor_payment_method_id", vendor_payment_method_id),
            ("vendor_customer_id", vendor_customer_id),
        )
        if value is not None
    }
    await session.execute(
        update(SharedCustomer).where(SharedCustomer.id == share.id).values(**values)
    )
    for name, value in values.items():
        setattr(share, name, value)


async def set_default_card(
    session: AsyncSession,
    customer: Customer,
    *,
    payment_method_id: str,
    brand: str | None,
    last4: str | None,
    exp_month: int | None,
    exp_year: int | None,
) -> None:
    """Record `payment_method_id` (and what it shows) as the customer's one default card."""
    customer.default_payment_method_id = payment_method_id
    customer.card_brand, customer.card_last4 = brand, last4
    customer.card_exp_month, customer.card_exp_year = exp_month, exp_year


def is_complete(share: SharedCustomer, source_payment_method_id: str | None) -> bool:
    """True when the vendor holds a customer with a clone of the current source card."""
    return (
        share.vendor_customer_id is not None
        and share.vendor_payment_method_id is not None
        and share.source_payment_method_id == source_payment_method_id
    )


async def forget_shares(session: AsyncSession, vendor_id: int) -> None:
    """Drop every customer shared with a vendor: their clones live on an account the vendor
    no longer uses (connected again with another one), so the next charge shares afresh."""
    await session.execute(delete(SharedCustomer).where(SharedCustomer.vendor_id == vendor_id))


async def with_card_expiring(session: AsyncSession, *, year: int, month: int) -> list[Customer]:
    """Customers whose saved default card expires at the end of `month`/`year`."""
    found = await session.scalars(
        select(Customer)
        .where(
            Customer.card_exp_year == year,
            Customer.card_exp_month == month,
            Customer.default_payment_method_id.is_not(None),
        )
        .order_by(Customer.id)
    )
    return list(found.all())
