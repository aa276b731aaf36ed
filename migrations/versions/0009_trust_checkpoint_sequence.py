"""checkpoints name the checkpoint before them (format version 2)

Revision ID: trust_0001
Revises: reliability_0001
Create Date: 2026-11-29

Plain ADD COLUMN on both databases: SQLite's batch mode would copy the table and drop
its append-only triggers. Existing checkpoints keep version 1 (signed without a link).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "trust_0001"
down_revision: str | Sequence[str] | None = "reliability_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "audit_checkpoint",
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.add_column("audit_checkpoint", sa.Column("previous_seq", sa.Integer(), nullable=True))
    op.add_column(
        "audit_checkpoint", sa.Column("previous_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    # DROP COLUMN rewrites the table on old SQLite versions; 3.35+ drops in place.
    op.drop_column("audit_checkpoint", "previous_at")
    op.drop_column("audit_checkpoint", "previous_seq")
    op.drop_column("audit_checkpoint", "version")
