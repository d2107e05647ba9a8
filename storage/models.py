"""SQLAlchemy 2 models: connectbot's whole persistent state.

Every write that must not happen twice has a unique key here (idempotency key, Stripe event id,
outbox dedupe key, one vendor per Stripe account, one customer per email per workspace), so a
retry collides with the first attempt instead of repeating it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC, on SQLite (which keeps no zone) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), Decimal: Numeric(7, 3)}


class Vendor(Base):
    """A Slack user linked to a connected Stripe (Standard) account."""

    __tablename__ = "vendors"
    __table_args__ = (
        UniqueConstraint("team_id", "slack_user_id"),
        # The App Home's first page of vendors, oldest first, without sorting them all.
        Index("ix_vendors_team_created", "team_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    stripe_account_id: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16))  # onboarding | connected | disconnected
    livemode: Mapped[bool] = mapped_column(Boolean, default=False)
    scope: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    charges_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    payouts_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    fee_percent: Mapped[Decimal | None]
    fee_fixed: Mapped[int | None] = mapped_column(Integer)
    fee_currency: Mapped[str | None] = mapped_column(String(3))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    # A digest of what Stripe needed from the vendor (`requirements`) when connectbot last
    # told them, so each change is told once (bot/vendors/requirements.py).
    requirements_told: Mapped[str | None] = mapped_column(String(64))
    connected_at: Mapped[datetime | None]
    disconnected_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OAuthState(Base):
    """A single-use Connect OAuth `state`, stored as a SHA-256 hash, bound to team and user."""

    __tablename__ = "oauth_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    team_id: Mapped[str] = mapped_column(String(32))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    requested_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class Customer(Base):
    """A platform customer, one per normalized email per workspace."""

    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("team_id", "email"),
        # Emails compare case-insensitively: stored lowercased, the unique key does it.
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str | None] = mapped_column(String(200))
    stripe_customer_id: Mapped[str] = mapped_column(String(64), unique=True)
    default_payment_method_id: Mapped[str | None] = mapped_column(String(64))
    card_brand: Mapped[str | None] = mapped_column(String(32))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    card_exp_month: Mapped[int | None] = mapped_column(Integer)
    card_exp_year: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SharedCustomer(Base):
    """A platform customer cloned onto a vendor's account: one mapping per (customer, vendor)."""

    __tablename__ = "shared_customers"
    __table_args__ = (UniqueConstraint("customer_id", "vendor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"))
    source_payment_method_id: Mapped[str] = mapped_column(String(64))
    vendor_payment_method_id: Mapped[str | None] = mapped_column(String(64))
    vendor_customer_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Cart(Base):
    """A split cart: one customer paying several vendors at once, one direct charge per vendor.

    Each part is an ordinary `charges` row with this `cart_id` (so fees, digests, refunds and
    reconciliation treat it as any charge); the cart holds what the parts share, the approval
    of their total, and how many retry rounds have run (each round's settlement announces once).
    """

    __tablename__ = "carts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # cb_cart_…
    team_id: Mapped[str] = mapped_column(String(32))
    requested_by: Mapped[str] = mapped_column(String(32))
    approved_by: Mapped[str | None] = mapped_column(String(32))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)  # the parts' total
    application_fee_amount: Mapped[int] = mapped_column(BigInteger)  # the parts' fees' total
    description: Mapped[str | None] = mapped_column(Text)
    origin_channel_id: Mapped[str | None] = mapped_column(String(32))
    response_url: Mapped[str | None] = mapped_column(Text)
    # One per confirmation modal: a second submission of it is the same cart.
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    # awaiting_approval | pending | settled | rejected
    status: Mapped[str] = mapped_column(String(20))
    rounds: Mapped[int] = mapped_column(Integer, default=1)  # 1 + retries of failed parts
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Charge(Base):
    """A direct charge on a vendor's account. Written `pending` before Stripe is called."""

    __tablename__ = "charges"
    __table_args__ = (
        Index("ix_charges_status_created", "status", "created_at"),
        # Newest charges first (App Home), of a workspace or of one vendor: read from the end
        # of an index, never by sorting every charge.
        Index("ix_charges_team_created", "team_id", "created_at", "id"),
        Index("ix_charges_vendor_created", "vendor_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # cb_ch_…
    team_id: Mapped[str] = mapped_column(String(32))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    requested_by: Mapped[str] = mapped_column(String(32))
    approved_by: Mapped[str | None] = mapped_column(String(32))
    # Where /charge was typed (kept for the record; private replies never go there).
    origin_channel_id: Mapped[str | None] = mapped_column(String(32))
    # The /charge command's response URL: private replies about the charge go through it
    # while it is good (`response_urls`), else by DM.
    response_url: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    application_fee_amount: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    request_params: Mapped[dict[str, Any] | None]
    # awaiting_approval | pending | succeeded | failed | requires_action | rejected
    status: Mapped[str] = mapped_column(String(20))
    payment_intent_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    stripe_charge_id: Mapped[str | None] = mapped_column(String(64))
    failure_code: Mapped[str | None] = mapped_column(String(64))
    failure_message: Mapped[str | None] = mapped_column(Text)
    amount_refunded: Mapped[int] = mapped_column(BigInteger, default=0)
    fee_refunded: Mapped[int] = mapped_column(BigInteger, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The split cart this charge is one vendor's part of (None: a charge on its own). A failed
    # part retried gets a new row (a new key) in the same cart; the newest row is the part's.
    cart_id: Mapped[str | None] = mapped_column(ForeignKey("carts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Refund(Base):
    """A full or partial refund of a charge; the idempotency key makes a retry the same refund."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    charge_id: Mapped[str] = mapped_column(ForeignKey("charges.id"))
    stripe_refund_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    fee_refunded: Mapped[int] = mapped_column(BigInteger, default=0)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    requested_by: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(20))  # pending | succeeded | failed
    failure_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ApplicationFee(Base):
    """The platform's fee on a charge, as Stripe reports it (for /fees and the digest)."""

    __tablename__ = "application_fees"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # fee_…
    stripe_account_id: Mapped[str] = mapped_column(String(64))
    stripe_charge_id: Mapped[str | None] = mapped_column(String(64))
    amount: Mapped[int] = mapped_column(BigInteger)
    amount_refunded: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StripeEvent(Base):
    """A verified Stripe event, stored once by its id; handled after the webhook is answered."""

    __tablename__ = "stripe_events"
    __table_args__ = (Index("ix_stripe_events_pending", "processed_at", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # evt_…
    type: Mapped[str] = mapped_column(String(100))
    account: Mapped[str | None] = mapped_column(String(64))
    livemode: Mapped[bool] = mapped_column(Boolean)
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class OutboxMessage(Base):
    """A Slack message to send, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    # post (channel message) | dm (to a user) | ephemeral | update (chat.update)
    # | private (to one user: their response URL while it is good, else a DM)
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(64))  # channel id, or user id for dm/private
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | sent | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
    # Who holds the lease: only the holder may renew it or record the outcome.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_ts: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Approval(Base):
    """A second operator's decision on a charge above APPROVAL_THRESHOLD."""

    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    charge_id: Mapped[str] = mapped_column(ForeignKey("charges.id"), unique=True)
    requested_by: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12), default="pending")  # approved | rejected
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Who did what to which target, when, and how it ended. Append-only."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str | None] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(128))
    outcome: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DigestRun(Base):
    """One daily digest: the unique `day` lets exactly one process, once, queue its messages."""

    __tablename__ = "digest_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)  # the day summarized, in DIGEST_TZ
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Milestone(Base):
    """A moment recorded once and never moved, by name: `first_start` is when connectbot first
    ran on this database (the digest never summarizes a day before it)."""

    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ResponseUrl(Base):
    """A Slack response URL: good for 5 uses within 30 minutes ("Handling user interaction",
    https://api.slack.com/interactivity/handling#message_responses). Uses are counted here so
    that several messages (and processes) sharing one URL never spend a sixth."""

    __tablename__ = "response_urls"

    id: Mapped[int] = mapped_column(primary_key=True)
    url_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the URL
    user_id: Mapped[str] = mapped_column(String(32))  # who acted: the reply is for them
    uses: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotifySubscription(Base):
    """An admin's `/notify add`: events of `event_type` (a Stripe event type, or a group such
    as `payout.*`) are announced in `channel_id`, or, when None, in the vendor's channel (else
    the ops channel). One row per (team, type, channel): a second add is the same row."""

    __tablename__ = "notify_subscriptions"
    __table_args__ = (
        UniqueConstraint("team_id", "event_type", "channel_id"),
        # NULLs are distinct in a unique key (on SQLite and PostgreSQL alike): the row without
        # a channel gets its own partial unique index, so a double add of it is one row too.
        Index(
            "uq_notify_subscriptions_default_channel",
            "team_id",
            "event_type",
            unique=True,
            sqlite_where=text("channel_id IS NULL"),
            postgresql_where=text("channel_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    event_type: Mapped[str] = mapped_column(String(100))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
