"""self care: programmes, readings, targets, goals, suggestions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 12:53:28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("selfcare_goal",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("goal", sa.Text(), nullable=False),
    sa.Column("steps", sa.JSON(), nullable=False),
    sa.Column("when_to_act", sa.JSON(), nullable=False),
    sa.Column("set_on", sa.Date(), nullable=False),
    sa.Column("set_by", sa.Integer(), nullable=False),
    sa.Column("review_on", sa.Date(), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("reviewed_on", sa.Date(), nullable=True),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["set_by"], ["app_user.id"], name=op.f("fk_selfcare_goal_set_by_app_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_selfcare_goal"))
    )
    with op.batch_alter_table("selfcare_goal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_selfcare_goal_nhs_number"), ["nhs_number"], unique=False)
        batch_op.create_index("ix_selfcare_goal_review", ["status", "review_on"], unique=False)

    op.create_table("selfcare_personal_target",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("measure", sa.String(length=32), nullable=False),
    sa.Column("at_least", sa.JSON(), nullable=False),
    sa.Column("at_most", sa.JSON(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("set_by", sa.Integer(), nullable=False),
    sa.Column("set_on", sa.Date(), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["set_by"], ["app_user.id"], name=op.f("fk_selfcare_personal_target_set_by_app_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_selfcare_personal_target"))
    )
    with op.batch_alter_table("selfcare_personal_target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_selfcare_personal_target_nhs_number"), ["nhs_number"], unique=False)

    op.create_table("selfcare_referral",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("programme", sa.String(length=64), nullable=False),
    sa.Column("programme_name", sa.String(length=200), nullable=False),
    sa.Column("sessions", sa.Integer(), nullable=False),
    sa.Column("referred_on", sa.Date(), nullable=False),
    sa.Column("referred_by", sa.Integer(), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("attended", sa.Integer(), nullable=False),
    sa.Column("last_attended_on", sa.Date(), nullable=True),
    sa.Column("ended_on", sa.Date(), nullable=True),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["referred_by"], ["app_user.id"], name=op.f("fk_selfcare_referral_referred_by_app_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_selfcare_referral"))
    )
    with op.batch_alter_table("selfcare_referral", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_selfcare_referral_nhs_number"), ["nhs_number"], unique=False)

    op.create_table("selfcare_suggestion",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("resource", sa.String(length=64), nullable=False),
    sa.Column("resource_name", sa.String(length=200), nullable=False),
    sa.Column("contact", sa.String(length=300), nullable=False),
    sa.Column("need", sa.String(length=64), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("on", sa.Date(), nullable=False),
    sa.Column("by", sa.Integer(), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["by"], ["app_user.id"], name=op.f("fk_selfcare_suggestion_by_app_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_selfcare_suggestion"))
    )
    with op.batch_alter_table("selfcare_suggestion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_selfcare_suggestion_nhs_number"), ["nhs_number"], unique=False)

    op.create_table("selfcare_goal_review",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("goal_id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("on", sa.Date(), nullable=False),
    sa.Column("outcome", sa.String(length=16), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("next_review_on", sa.Date(), nullable=True),
    sa.Column("by", sa.Integer(), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["by"], ["app_user.id"], name=op.f("fk_selfcare_goal_review_by_app_user")),
    sa.ForeignKeyConstraint(["goal_id"], ["selfcare_goal.id"], name=op.f("fk_selfcare_goal_review_goal_id_selfcare_goal")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_selfcare_goal_review"))
    )
    with op.batch_alter_table("selfcare_goal_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_selfcare_goal_review_goal_id"), ["goal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_selfcare_goal_review_nhs_number"), ["nhs_number"], unique=False)

    op.create_table("selfcare_reading",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("measure", sa.String(length=32), nullable=False),
    sa.Column("value", sa.JSON(), nullable=False),
    sa.Column("unit", sa.String(length=16), nullable=False),
    sa.Column("taken_at", sa.DateTime(), nullable=False),
    sa.Column("timing", sa.String(length=32), nullable=True),
    sa.Column("place", sa.String(length=16), nullable=False),
    sa.Column("reported_by", sa.String(length=16), nullable=False),
    sa.Column("recorded_by", sa.Integer(), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("target", sa.String(length=300), nullable=False),
    sa.Column("target_source", sa.Text(), nullable=False),
    sa.Column("limits", sa.JSON(), nullable=False),
    sa.Column("in_range", sa.Boolean(), nullable=True),
    sa.Column("verdict", sa.String(length=300), nullable=False),
    sa.Column("prompted", sa.String(length=300), nullable=False),
    sa.Column("task_id", sa.Integer(), nullable=True),
    sa.Column("alert_id", sa.Integer(), nullable=True),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["alert_id"], ["alert.id"], name=op.f("fk_selfcare_reading_alert_id_alert")),
    sa.ForeignKeyConstraint(["recorded_by"], ["app_user.id"], name=op.f("fk_selfcare_reading_recorded_by_app_user")),
    sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_selfcare_reading_task_id_task")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_selfcare_reading"))
    )
    with op.batch_alter_table("selfcare_reading", schema=None) as batch_op:
        batch_op.create_index("ix_selfcare_reading_person", ["nhs_number", "measure", "taken_at"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("selfcare_reading", schema=None) as batch_op:
        batch_op.drop_index("ix_selfcare_reading_person")

    op.drop_table("selfcare_reading")
    with op.batch_alter_table("selfcare_goal_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_selfcare_goal_review_nhs_number"))
        batch_op.drop_index(batch_op.f("ix_selfcare_goal_review_goal_id"))

    op.drop_table("selfcare_goal_review")
    with op.batch_alter_table("selfcare_suggestion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_selfcare_suggestion_nhs_number"))

    op.drop_table("selfcare_suggestion")
    with op.batch_alter_table("selfcare_referral", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_selfcare_referral_nhs_number"))

    op.drop_table("selfcare_referral")
    with op.batch_alter_table("selfcare_personal_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_selfcare_personal_target_nhs_number"))

    op.drop_table("selfcare_personal_target")
    with op.batch_alter_table("selfcare_goal", schema=None) as batch_op:
        batch_op.drop_index("ix_selfcare_goal_review")
        batch_op.drop_index(batch_op.f("ix_selfcare_goal_nhs_number"))

    op.drop_table("selfcare_goal")
