"""integrated care co-ordination: referrals to a co-ordinator, contact attempts, the co-designed assessment's answers

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("coordinator_referral",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("from_user_id", sa.Integer(), nullable=False),
    sa.Column("to_user_id", sa.Integer(), nullable=True),
    sa.Column("locality_code", sa.String(length=16), nullable=True),
    sa.Column("source", sa.String(length=24), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("closed_at", sa.DateTime(), nullable=True),
    sa.Column("closed_by", sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(["from_user_id"], ["app_user.id"], name=op.f("fk_coordinator_referral_from_user_id_app_user")),
    sa.ForeignKeyConstraint(["to_user_id"], ["app_user.id"], name=op.f("fk_coordinator_referral_to_user_id_app_user")),
    sa.ForeignKeyConstraint(["closed_by"], ["app_user.id"], name=op.f("fk_coordinator_referral_closed_by_app_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_coordinator_referral"))
    )
    with op.batch_alter_table("coordinator_referral", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coordinator_referral_nhs_number"), ["nhs_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_coordinator_referral_locality_code"), ["locality_code"], unique=False)
    op.create_table("contact_attempt",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("method", sa.String(length=16), nullable=False),
    sa.Column("outcome", sa.String(length=16), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("recorded_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_contact_attempt_user_id_app_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_attempt"))
    )
    with op.batch_alter_table("contact_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_attempt_nhs_number"), ["nhs_number"], unique=False)
    op.create_table("codesigned_response",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("questionnaire_version", sa.Integer(), nullable=False),
    sa.Column("answers", sa.JSON(), nullable=False),
    sa.Column("author_id", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["author_id"], ["app_user.id"], name=op.f("fk_codesigned_response_author_id_app_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_codesigned_response"))
    )
    with op.batch_alter_table("codesigned_response", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_codesigned_response_nhs_number"), ["nhs_number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("codesigned_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_codesigned_response_nhs_number"))
    op.drop_table("codesigned_response")
    with op.batch_alter_table("contact_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_attempt_nhs_number"))
    op.drop_table("contact_attempt")
    with op.batch_alter_table("coordinator_referral", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coordinator_referral_locality_code"))
        batch_op.drop_index(batch_op.f("ix_coordinator_referral_nhs_number"))
    op.drop_table("coordinator_referral")
