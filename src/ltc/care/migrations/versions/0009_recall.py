"""recall and telephone care: recall items and lists, reviews, invitations and their
messages, contacts and practice names; telephone calls

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("recall_contact",
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("telephone", sa.String(length=32), nullable=True),
    sa.Column("preferred_contact", sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint("nhs_number", name=op.f("pk_recall_contact"))
    )
    op.create_table("recall_practice",
    sa.Column("practice_code", sa.String(length=16), nullable=False),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint("practice_code", name=op.f("pk_recall_practice"))
    )
    op.create_table("recall_invitation",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("practice_code", sa.String(length=16), nullable=True),
    sa.Column("on", sa.Date(), nullable=False),
    sa.Column("channels", sa.String(length=32), nullable=False),
    sa.Column("items", sa.JSON(), nullable=False),
    sa.Column("by", sa.Integer(), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["by"], ["app_user.id"], name=op.f("fk_recall_invitation_by_app_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_invitation"))
    )
    with op.batch_alter_table("recall_invitation", schema=None) as batch_op:
        batch_op.create_index("ix_recall_invitation_person", ["nhs_number", "on"], unique=False)

    op.create_table("recall_person",
    sa.Column("run_id", sa.String(length=32), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("practice_code", sa.String(length=16), nullable=True),
    sa.Column("first_due_on", sa.Date(), nullable=True),
    sa.Column("due_items", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["run_id"], ["strat_run.id"], name=op.f("fk_recall_person_run_id_strat_run")),
    sa.PrimaryKeyConstraint("run_id", "nhs_number", name=op.f("pk_recall_person"))
    )
    with op.batch_alter_table("recall_person", schema=None) as batch_op:
        batch_op.create_index("ix_recall_person_practice", ["run_id", "practice_code", "first_due_on", "nhs_number"], unique=False)

    op.create_table("recall_review",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("condition", sa.String(length=32), nullable=False),
    sa.Column("item", sa.String(length=64), nullable=False),
    sa.Column("label", sa.String(length=200), nullable=False),
    sa.Column("outcome", sa.String(length=16), nullable=False),
    sa.Column("on", sa.Date(), nullable=False),
    sa.Column("value", sa.Double(), nullable=True),
    sa.Column("value_2", sa.Double(), nullable=True),
    sa.Column("target_met", sa.Boolean(), nullable=True),
    sa.Column("next_due_on", sa.Date(), nullable=True),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("by", sa.Integer(), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["by"], ["app_user.id"], name=op.f("fk_recall_review_by_app_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_review"))
    )
    with op.batch_alter_table("recall_review", schema=None) as batch_op:
        batch_op.create_index("ix_recall_review_person", ["nhs_number", "on"], unique=False)

    op.create_table("recall_item",
    sa.Column("run_id", sa.String(length=32), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("condition", sa.String(length=32), nullable=False),
    sa.Column("item", sa.String(length=64), nullable=False),
    sa.Column("practice_code", sa.String(length=16), nullable=True),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("due_on", sa.Date(), nullable=True),
    sa.Column("last_done_on", sa.Date(), nullable=True),
    sa.Column("last_value", sa.Double(), nullable=True),
    sa.Column("last_value_2", sa.Double(), nullable=True),
    sa.Column("target_met", sa.Boolean(), nullable=True),
    sa.Column("review_id", sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(["review_id"], ["recall_review.id"], name=op.f("fk_recall_item_review_id_recall_review")),
    sa.ForeignKeyConstraint(["run_id"], ["strat_run.id"], name=op.f("fk_recall_item_run_id_strat_run")),
    sa.PrimaryKeyConstraint("run_id", "nhs_number", "condition", "item", name=op.f("pk_recall_item"))
    )
    with op.batch_alter_table("recall_item", schema=None) as batch_op:
        batch_op.create_index("ix_recall_item_person", ["nhs_number", "run_id"], unique=False)
        batch_op.create_index("ix_recall_item_practice", ["run_id", "practice_code", "status", "condition", "item", "due_on", "nhs_number"], unique=False)

    op.create_table("recall_message",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("invitation_id", sa.Integer(), nullable=False),
    sa.Column("channel", sa.String(length=16), nullable=False),
    sa.Column("to", sa.Text(), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("sent_at", sa.DateTime(), nullable=True),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["invitation_id"], ["recall_invitation.id"], name=op.f("fk_recall_message_invitation_id_recall_invitation")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_message"))
    )
    with op.batch_alter_table("recall_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recall_message_invitation_id"), ["invitation_id"], unique=False)
        batch_op.create_index("ix_recall_message_pending", ["sent_at", "id"], unique=False)

    op.create_table("phone_call",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("clinician_id", sa.Integer(), nullable=False),
    sa.Column("due_on", sa.Date(), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("scheduled_by", sa.Integer(), nullable=False),
    sa.Column("scheduled_at", sa.DateTime(), nullable=False),
    sa.Column("made_on", sa.Date(), nullable=True),
    sa.Column("made_by", sa.Integer(), nullable=True),
    sa.Column("outcome", sa.String(length=32), nullable=True),
    sa.Column("answers", sa.JSON(), nullable=False),
    sa.Column("red_flags", sa.Integer(), nullable=False),
    sa.Column("escalated", sa.String(length=300), nullable=False),
    sa.Column("task_id", sa.Integer(), nullable=True),
    sa.Column("alert_id", sa.Integer(), nullable=True),
    sa.Column("coaching", sa.Text(), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("next_call_id", sa.Integer(), nullable=True),
    sa.Column("at", sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(["alert_id"], ["alert.id"], name=op.f("fk_phone_call_alert_id_alert")),
    sa.ForeignKeyConstraint(["clinician_id"], ["app_user.id"], name=op.f("fk_phone_call_clinician_id_app_user")),
    sa.ForeignKeyConstraint(["made_by"], ["app_user.id"], name=op.f("fk_phone_call_made_by_app_user")),
    sa.ForeignKeyConstraint(["next_call_id"], ["phone_call.id"], name=op.f("fk_phone_call_next_call_id_phone_call")),
    sa.ForeignKeyConstraint(["scheduled_by"], ["app_user.id"], name=op.f("fk_phone_call_scheduled_by_app_user")),
    sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_phone_call_task_id_task")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_call"))
    )
    with op.batch_alter_table("phone_call", schema=None) as batch_op:
        batch_op.create_index("ix_phone_call_due", ["clinician_id", "status", "due_on"], unique=False)
        batch_op.create_index("ix_phone_call_person", ["nhs_number", "due_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("phone_call", schema=None) as batch_op:
        batch_op.drop_index("ix_phone_call_person")
        batch_op.drop_index("ix_phone_call_due")

    op.drop_table("phone_call")
    with op.batch_alter_table("recall_message", schema=None) as batch_op:
        batch_op.drop_index("ix_recall_message_pending")
        batch_op.drop_index(batch_op.f("ix_recall_message_invitation_id"))

    op.drop_table("recall_message")
    with op.batch_alter_table("recall_item", schema=None) as batch_op:
        batch_op.drop_index("ix_recall_item_practice")
        batch_op.drop_index("ix_recall_item_person")

    op.drop_table("recall_item")
    with op.batch_alter_table("recall_review", schema=None) as batch_op:
        batch_op.drop_index("ix_recall_review_person")

    op.drop_table("recall_review")
    with op.batch_alter_table("recall_person", schema=None) as batch_op:
        batch_op.drop_index("ix_recall_person_practice")

    op.drop_table("recall_person")
    with op.batch_alter_table("recall_invitation", schema=None) as batch_op:
        batch_op.drop_index("ix_recall_invitation_person")

    op.drop_table("recall_invitation")
    op.drop_table("recall_practice")
    op.drop_table("recall_contact")
