"""carers and family linked to a person, shown in the care plan's contingency section

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 18:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("carer",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.Column("relationship", sa.String(length=100), nullable=False),
    sa.Column("telephone", sa.String(length=32), nullable=False),
    sa.Column("address", sa.String(length=300), nullable=False),
    sa.Column("consents_to_contact", sa.Boolean(), nullable=False),
    sa.Column("main_carer", sa.Boolean(), nullable=False),
    sa.Column("assessment_offered_on", sa.Date(), nullable=True),
    sa.Column("assessment_done_on", sa.Date(), nullable=True),
    sa.Column("assessment_declined", sa.Boolean(), nullable=False),
    sa.Column("ended_on", sa.Date(), nullable=True),
    sa.Column("created_by", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_carer_created_by_app_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_carer"))
    )
    with op.batch_alter_table("carer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_carer_nhs_number"), ["nhs_number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("carer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_carer_nhs_number"))
    op.drop_table("carer")
