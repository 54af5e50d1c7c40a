"""the wider team: allocations to community nursing, social care and others; care-plan actions assigned to a user, with their status

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("team_allocation",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("allocated_by", sa.Integer(), nullable=False),
    sa.Column("started_on", sa.Date(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("ended_on", sa.Date(), nullable=True),
    sa.Column("ended_by", sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_team_allocation_user_id_app_user")),
    sa.ForeignKeyConstraint(["allocated_by"], ["app_user.id"], name=op.f("fk_team_allocation_allocated_by_app_user")),
    sa.ForeignKeyConstraint(["ended_by"], ["app_user.id"], name=op.f("fk_team_allocation_ended_by_app_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_team_allocation"))
    )
    with op.batch_alter_table("team_allocation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_allocation_nhs_number"), ["nhs_number"], unique=False)
        batch_op.create_index("ix_team_allocation_open", ["user_id", "ended_on"], unique=False)
    op.create_table("plan_action",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("key", sa.String(length=32), nullable=False),
    sa.Column("assignee_id", sa.Integer(), nullable=False),
    sa.Column("what", sa.Text(), nullable=False),
    sa.Column("due_on", sa.Date(), nullable=True),
    sa.Column("plan_version", sa.Integer(), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("updated_by", sa.Integer(), nullable=True),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["assignee_id"], ["app_user.id"], name=op.f("fk_plan_action_assignee_id_app_user")),
    sa.ForeignKeyConstraint(["updated_by"], ["app_user.id"], name=op.f("fk_plan_action_updated_by_app_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_action")),
    sa.UniqueConstraint("nhs_number", "key", name=op.f("uq_plan_action_nhs_number"))
    )
    with op.batch_alter_table("plan_action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_action_nhs_number"), ["nhs_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_action_assignee_id"), ["assignee_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("plan_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_action_assignee_id"))
        batch_op.drop_index(batch_op.f("ix_plan_action_nhs_number"))
    op.drop_table("plan_action")
    with op.batch_alter_table("team_allocation", schema=None) as batch_op:
        batch_op.drop_index("ix_team_allocation_open")
        batch_op.drop_index(batch_op.f("ix_team_allocation_nhs_number"))
    op.drop_table("team_allocation")
