"""evidence (files in chunks, typed notes) and legal-disclosure requests

Revision ID: evidence_0001
Revises: suspensions_0001
Create Date: 2026-11-25 23:11:07.365976
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "evidence_0001"
down_revision: str | Sequence[str] | None = "suspensions_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "disclosure_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority", sa.String(length=200), nullable=False),
        sa.Column("legal_basis", sa.String(length=300), nullable=False),
        sa.Column("document_ref", sa.String(length=100), nullable=False),
        sa.Column("document_date", sa.Date(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("data_kinds", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expiry_logged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["staff.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("disclosure_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disclosure_request_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_disclosure_request_requested_at"), ["requested_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_disclosure_request_requested_by_id"), ["requested_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_disclosure_request_status"), ["status"], unique=False)

    op.create_table(
        "disclosure_subject",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("service_user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["disclosure_request.id"],
        ),
        sa.ForeignKeyConstraint(
            ["service_user_id"],
            ["service_user.id"],
        ),
        sa.PrimaryKeyConstraint("request_id", "service_user_id"),
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("storage_id", sa.String(length=32), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("text_encoding", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawal_reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["staff.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_added_at"), ["added_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_added_by_id"), ["added_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_storage_id"), ["storage_id"], unique=True)

    op.create_table(
        "evidence_chunk",
        sa.Column("evidence_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence.id"],
        ),
        sa.PrimaryKeyConstraint("evidence_id", "index"),
    )


def downgrade() -> None:
    op.drop_table("evidence_chunk")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_storage_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_incident_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_added_by_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_added_at"))

    op.drop_table("evidence")
    op.drop_table("disclosure_subject")
    with op.batch_alter_table("disclosure_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosure_request_status"))
        batch_op.drop_index(batch_op.f("ix_disclosure_request_requested_by_id"))
        batch_op.drop_index(batch_op.f("ix_disclosure_request_requested_at"))
        batch_op.drop_index(batch_op.f("ix_disclosure_request_expires_at"))

    op.drop_table("disclosure_request")
