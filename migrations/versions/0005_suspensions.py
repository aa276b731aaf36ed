"""Art. 9-2 suspensions: proposals, decisions, citations, objections, API tokens

Revision ID: suspensions_0001
Revises: notices_0001
Create Date: 2026-11-25 23:10:47.143122
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "suspensions_0001"
down_revision: str | Sequence[str] | None = "notices_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "suspension_api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("suspension_api_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suspension_api_token_staff_id"), ["staff_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_suspension_api_token_token_hash"), ["token_hash"], unique=True
        )

    op.create_table(
        "suspension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("all_services", sa.Boolean(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("amended", sa.Boolean(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cut_short_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cut_short_kind", sa.String(length=16), nullable=True),
        sa.Column("cut_short_by_id", sa.Integer(), nullable=True),
        sa.Column("cut_short_reason", sa.Text(), nullable=False),
        sa.Column("started_logged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_logged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cut_short_by_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["service_user_id"],
            ["service_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("suspension", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suspension_cut_short_at"), ["cut_short_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_suspension_decision"), ["decision"], unique=False)
        batch_op.create_index(batch_op.f("ix_suspension_ends_at"), ["ends_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_suspension_proposed_by_id"), ["proposed_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_suspension_service_user_id"), ["service_user_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_suspension_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "suspension_article",
        sa.Column("suspension_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["suspension_id"],
            ["suspension.id"],
        ),
        sa.PrimaryKeyConstraint("suspension_id", "code"),
    )
    op.create_table(
        "suspension_incident",
        sa.Column("suspension_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
        ),
        sa.ForeignKeyConstraint(
            ["suspension_id"],
            ["suspension.id"],
        ),
        sa.PrimaryKeyConstraint("suspension_id", "incident_id"),
    )
    with op.batch_alter_table("suspension_incident", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suspension_incident_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "suspension_objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suspension_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("reconsidered_by_id", sa.Integer(), nullable=True),
        sa.Column("reconsidered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reconsideration_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reconsidered_by_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["suspension_id"],
            ["suspension.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("suspension_objection", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suspension_objection_suspension_id"), ["suspension_id"], unique=False
        )

    op.create_table(
        "suspension_service",
        sa.Column("suspension_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["suspension_id"],
            ["suspension.id"],
        ),
        sa.PrimaryKeyConstraint("suspension_id", "service"),
    )


def downgrade() -> None:
    op.drop_table("suspension_service")
    with op.batch_alter_table("suspension_objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suspension_objection_suspension_id"))

    op.drop_table("suspension_objection")
    with op.batch_alter_table("suspension_incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suspension_incident_incident_id"))

    op.drop_table("suspension_incident")
    op.drop_table("suspension_article")
    with op.batch_alter_table("suspension", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suspension_starts_at"))
        batch_op.drop_index(batch_op.f("ix_suspension_service_user_id"))
        batch_op.drop_index(batch_op.f("ix_suspension_proposed_by_id"))
        batch_op.drop_index(batch_op.f("ix_suspension_ends_at"))
        batch_op.drop_index(batch_op.f("ix_suspension_decision"))
        batch_op.drop_index(batch_op.f("ix_suspension_cut_short_at"))

    op.drop_table("suspension")
    with op.batch_alter_table("suspension_api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suspension_api_token_token_hash"))
        batch_op.drop_index(batch_op.f("ix_suspension_api_token_staff_id"))

    op.drop_table("suspension_api_token")
