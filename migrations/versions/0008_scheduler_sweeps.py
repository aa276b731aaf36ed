"""the last run of each scheduler sweep, and which scheduler ticked last

Revision ID: reliability_0001
Revises: audit_0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "reliability_0001"
down_revision: str | Sequence[str] | None = "audit_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduler_sweep",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("scheduler_heartbeat") as batch_op:
        batch_op.add_column(
            sa.Column("owner", sa.String(length=100), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("scheduler_heartbeat") as batch_op:
        batch_op.drop_column("owner")
    op.drop_table("scheduler_sweep")
