"""named contacts (DM-3) and MDT meetings (DM-4)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("contact_allocation",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("practice_code", sa.String(length=16), nullable=False),
    sa.Column("by", sa.Integer(), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("clinicians", sa.JSON(), nullable=False),
    sa.Column("by_condition", sa.JSON(), nullable=False),
    sa.Column("people", sa.Integer(), nullable=False),
    sa.Column("undone_at", sa.DateTime(), nullable=True),
    sa.Column("undone_by", sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(["by"], ["app_user.id"], name=op.f("fk_contact_allocation_by_app_user")),
    sa.ForeignKeyConstraint(["undone_by"], ["app_user.id"], name=op.f("fk_contact_allocation_undone_by_app_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_allocation"))
    )
    op.create_index(op.f("ix_contact_allocation_practice_code"), "contact_allocation", ["practice_code"], unique=False)
    op.create_table("mdt_meeting",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("practice_code", sa.String(length=16), nullable=False),
    sa.Column("held_on", sa.Date(), nullable=False),
    sa.Column("since", sa.Date(), nullable=False),
    sa.Column("run_id", sa.String(length=32), nullable=True),
    sa.Column("left_off", sa.JSON(), nullable=False),
    sa.Column("created_by", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("closed_at", sa.DateTime(), nullable=True),
    sa.Column("closed_by", sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(["closed_by"], ["app_user.id"], name=op.f("fk_mdt_meeting_closed_by_app_user")),
    sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_mdt_meeting_created_by_app_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_mdt_meeting"))
    )
    op.create_index("ix_mdt_meeting_practice", "mdt_meeting", ["practice_code", "held_on"], unique=False)
    op.create_table("mdt_agenda_item",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("meeting_id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("reasons", sa.JSON(), nullable=False),
    sa.Column("notes", sa.Text(), nullable=False),
    sa.Column("decision", sa.Text(), nullable=False),
    sa.Column("recorded_by", sa.Integer(), nullable=True),
    sa.Column("recorded_at", sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(["meeting_id"], ["mdt_meeting.id"], name=op.f("fk_mdt_agenda_item_meeting_id_mdt_meeting")),
    sa.ForeignKeyConstraint(["recorded_by"], ["app_user.id"], name=op.f("fk_mdt_agenda_item_recorded_by_app_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_mdt_agenda_item")),
    sa.UniqueConstraint("meeting_id", "nhs_number", name=op.f("uq_mdt_agenda_item_meeting_id"))
    )
    op.create_index(op.f("ix_mdt_agenda_item_nhs_number"), "mdt_agenda_item", ["nhs_number"], unique=False)
    op.create_table("mdt_attendee",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("meeting_id", sa.Integer(), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=True),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(["meeting_id"], ["mdt_meeting.id"], name=op.f("fk_mdt_attendee_meeting_id_mdt_meeting")),
    sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_mdt_attendee_user_id_app_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_mdt_attendee"))
    )
    op.create_index(op.f("ix_mdt_attendee_meeting_id"), "mdt_attendee", ["meeting_id"], unique=False)
    op.create_table("mdt_nomination",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("meeting_id", sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(["meeting_id"], ["mdt_meeting.id"], name=op.f("fk_mdt_nomination_meeting_id_mdt_meeting")),
    sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_mdt_nomination_user_id_app_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_mdt_nomination"))
    )
    op.create_index(op.f("ix_mdt_nomination_nhs_number"), "mdt_nomination", ["nhs_number"], unique=False)
    op.create_table("named_contact",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("since", sa.Date(), nullable=False),
    sa.Column("assigned_by", sa.Integer(), nullable=False),
    sa.Column("allocation_id", sa.Integer(), nullable=True),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("ended_at", sa.DateTime(), nullable=True),
    sa.Column("end_reason", sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(["allocation_id"], ["contact_allocation.id"], name=op.f("fk_named_contact_allocation_id_contact_allocation")),
    sa.ForeignKeyConstraint(["assigned_by"], ["app_user.id"], name=op.f("fk_named_contact_assigned_by_app_user")),
    sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_named_contact_user_id_app_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_named_contact"))
    )
    op.create_index(op.f("ix_named_contact_allocation_id"), "named_contact", ["allocation_id"], unique=False)
    op.create_index("ix_named_contact_open", "named_contact", ["nhs_number", "ended_at"], unique=False)
    op.create_index(op.f("ix_named_contact_user_id"), "named_contact", ["user_id"], unique=False)
    op.create_table("mdt_action",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("item_id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("what", sa.String(length=300), nullable=False),
    sa.Column("owner_id", sa.Integer(), nullable=False),
    sa.Column("due_on", sa.Date(), nullable=False),
    sa.Column("task_id", sa.Integer(), nullable=False),
    sa.Column("created_by", sa.Integer(), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_mdt_action_created_by_app_user")),
    sa.ForeignKeyConstraint(["item_id"], ["mdt_agenda_item.id"], name=op.f("fk_mdt_action_item_id_mdt_agenda_item")),
    sa.ForeignKeyConstraint(["owner_id"], ["app_user.id"], name=op.f("fk_mdt_action_owner_id_app_user")),
    sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_mdt_action_task_id_task")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_mdt_action"))
    )
    op.create_index(op.f("ix_mdt_action_item_id"), "mdt_action", ["item_id"], unique=False)
    op.create_index(op.f("ix_mdt_action_nhs_number"), "mdt_action", ["nhs_number"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_mdt_action_nhs_number"), table_name="mdt_action")
    op.drop_index(op.f("ix_mdt_action_item_id"), table_name="mdt_action")
    op.drop_table("mdt_action")
    op.drop_index(op.f("ix_named_contact_user_id"), table_name="named_contact")
    op.drop_index("ix_named_contact_open", table_name="named_contact")
    op.drop_index(op.f("ix_named_contact_allocation_id"), table_name="named_contact")
    op.drop_table("named_contact")
    op.drop_index(op.f("ix_mdt_nomination_nhs_number"), table_name="mdt_nomination")
    op.drop_table("mdt_nomination")
    op.drop_index(op.f("ix_mdt_attendee_meeting_id"), table_name="mdt_attendee")
    op.drop_table("mdt_attendee")
    op.drop_index(op.f("ix_mdt_agenda_item_nhs_number"), table_name="mdt_agenda_item")
    op.drop_table("mdt_agenda_item")
    op.drop_index("ix_mdt_meeting_practice", table_name="mdt_meeting")
    op.drop_table("mdt_meeting")
    op.drop_index(op.f("ix_contact_allocation_practice_code"), table_name="contact_allocation")
    op.drop_table("contact_allocation")
