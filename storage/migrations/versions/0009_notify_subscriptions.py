"""notify_subscriptions (the event types admins chose with /notify add)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notify_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_subscriptions")),
        sa.UniqueConstraint(
            "team_id",
            "event_type",
            "channel_id",
            name=op.f("uq_notify_subscriptions_team_id_event_type_channel_id"),
        ),
    )
    # NULLs are distinct in a unique key: the subscription without a channel is kept to one
    # row per (team, type) by a partial unique index.
    op.create_index(
        "uq_notify_subscriptions_default_channel",
        "notify_subscriptions",
        ["team_id", "event_type"],
        unique=True,
        sqlite_where=sa.text("channel_id IS NULL"),
        postgresql_where=sa.text("channel_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_notify_subscriptions_default_channel", table_name="notify_subscriptions")
    op.drop_table("notify_subscriptions")
