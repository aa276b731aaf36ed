"""foundation tables

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_login", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("client_address", sa.String(length=45), nullable=False),
        sa.Column("canonical", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("hash"),
        sa.UniqueConstraint("prev_hash"),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_entry_actor_login"), ["actor_login"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_subject_id"), ["subject_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_entry_subject_type"), ["subject_type"], unique=False
        )

    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("client_address", sa.String(length=45), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_attempt_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_login_attempt_client_address"), ["client_address"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_login_attempt_login"), ["login"], unique=False)

    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_login"), ["login"], unique=True)

    op.create_table(
        "terms_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("terms_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_terms_version_effective_from"), ["effective_from"], unique=True
        )

    op.create_table(
        "service_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference_no", sa.String(length=32), nullable=False),
        sa.Column("name_kanji", sa.String(length=100), nullable=False),
        sa.Column("name_kana", sa.String(length=100), nullable=False),
        sa.Column("name_kana_key", sa.String(length=100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("registration_route", sa.String(length=16), nullable=False),
        sa.Column("terms_version_id", sa.Integer(), nullable=True),
        sa.Column("terms_agreed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counseling_eligible", sa.Boolean(), nullable=False),
        sa.Column("assigned_counselor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_counselor_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["terms_version_id"],
            ["terms_version.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("service_user", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_user_assigned_counselor_id"),
            ["assigned_counselor_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_service_user_name_kana_key"), ["name_kana_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_user_reference_no"), ["reference_no"], unique=True
        )

    op.create_table(
        "staff_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("client_address", sa.String(length=45), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
        ),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_session_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "enrolment",
        sa.Column("service_user_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_user_id"],
            ["service_user.id"],
        ),
        sa.PrimaryKeyConstraint("service_user_id", "service"),
    )
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_user_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("meeting_id", sa.String(length=100), nullable=False),
        sa.Column("terms_version_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("damage", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("outcome_reason", sa.Text(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("logged_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["logged_by_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["service_user_id"],
            ["service_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["terms_version_id"],
            ["terms_version.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_incident_logged_by_id"), ["logged_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_incident_occurred_at"), ["occurred_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_reviewer_id"), ["reviewer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_service"), ["service"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_incident_service_user_id"), ["service_user_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_incident_severity"), ["severity"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_status"), ["status"], unique=False)

    op.create_table(
        "incident_category",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
        ),
        sa.PrimaryKeyConstraint("incident_id", "code"),
    )
    op.create_table(
        "incident_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"],
            ["incident_comment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("incident_comment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_comment_incident_id"), ["incident_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("incident_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_comment_incident_id"))

    op.drop_table("incident_comment")
    op.drop_table("incident_category")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_status"))
        batch_op.drop_index(batch_op.f("ix_incident_severity"))
        batch_op.drop_index(batch_op.f("ix_incident_service_user_id"))
        batch_op.drop_index(batch_op.f("ix_incident_service"))
        batch_op.drop_index(batch_op.f("ix_incident_reviewer_id"))
        batch_op.drop_index(batch_op.f("ix_incident_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_incident_logged_by_id"))
        batch_op.drop_index(batch_op.f("ix_incident_created_at"))

    op.drop_table("incident")
    op.drop_table("enrolment")
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_session_staff_id"))

    op.drop_table("staff_session")
    with op.batch_alter_table("service_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_user_reference_no"))
        batch_op.drop_index(batch_op.f("ix_service_user_name_kana_key"))
        batch_op.drop_index(batch_op.f("ix_service_user_assigned_counselor_id"))

    op.drop_table("service_user")
    with op.batch_alter_table("terms_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_terms_version_effective_from"))

    op.drop_table("terms_version")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_login"))

    op.drop_table("staff")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_attempt_login"))
        batch_op.drop_index(batch_op.f("ix_login_attempt_client_address"))
        batch_op.drop_index(batch_op.f("ix_login_attempt_at"))

    op.drop_table("login_attempt")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_subject_type"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_subject_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_at"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_actor_login"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_actor_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_action"))

    op.drop_table("audit_entry")
