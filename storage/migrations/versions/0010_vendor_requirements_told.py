"""vendors.requirements_told: what Stripe needed from the vendor when connectbot last said so

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("vendors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requirements_told", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("vendors", schema=None) as batch_op:
        batch_op.drop_column("requirements_told")
