"""indexes for the App Home's newest charges and first vendors at scale

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.create_index(
            "ix_charges_team_created", ["team_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_charges_vendor_created", ["vendor_id", "created_at", "id"], unique=False
        )
    with op.batch_alter_table("vendors", schema=None) as batch_op:
        batch_op.create_index(
            "ix_vendors_team_created", ["team_id", "created_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("vendors", schema=None) as batch_op:
        batch_op.drop_index("ix_vendors_team_created")
    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.drop_index("ix_charges_vendor_created")
        batch_op.drop_index("ix_charges_team_created")
