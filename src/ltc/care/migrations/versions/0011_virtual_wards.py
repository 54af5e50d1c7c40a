"""virtual wards: wards, the practices they serve, their staff, stays and ward rounds

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("ward",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.Column("locality_code", sa.String(length=16), nullable=False),
    sa.Column("coordinator_id", sa.Integer(), nullable=True),
    sa.Column("capacity", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["coordinator_id"], ["app_user.id"], name=op.f("fk_ward_coordinator_id_app_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_ward")),
    sa.UniqueConstraint("name", name=op.f("uq_ward_name"))
    )
    op.create_index(op.f("ix_ward_locality_code"), "ward", ["locality_code"], unique=False)

    op.create_table("ward_practice",
    sa.Column("ward_id", sa.Integer(), nullable=False),
    sa.Column("practice_code", sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(["ward_id"], ["ward.id"], name=op.f("fk_ward_practice_ward_id_ward")),
    sa.PrimaryKeyConstraint("ward_id", "practice_code", name=op.f("pk_ward_practice"))
    )

    op.create_table("ward_staff",
    sa.Column("ward_id", sa.Integer(), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_ward_staff_user_id_app_user")),
    sa.ForeignKeyConstraint(["ward_id"], ["ward.id"], name=op.f("fk_ward_staff_ward_id_ward")),
    sa.PrimaryKeyConstraint("ward_id", "user_id", name=op.f("pk_ward_staff"))
    )
    op.create_index(op.f("ix_ward_staff_user_id"), "ward_staff", ["user_id"], unique=False)

    op.create_table("ward_stay",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("ward_id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("admitted_on", sa.Date(), nullable=False),
    sa.Column("source", sa.String(length=16), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("admitted_by", sa.Integer(), nullable=False),
    sa.Column("admitted_at", sa.DateTime(), nullable=False),
    sa.Column("discharged_on", sa.Date(), nullable=True),
    sa.Column("outcome", sa.String(length=16), nullable=True),
    sa.Column("discharge_note", sa.Text(), nullable=False),
    sa.Column("discharged_by", sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(["admitted_by"], ["app_user.id"], name=op.f("fk_ward_stay_admitted_by_app_user")),
    sa.ForeignKeyConstraint(["discharged_by"], ["app_user.id"], name=op.f("fk_ward_stay_discharged_by_app_user")),
    sa.ForeignKeyConstraint(["ward_id"], ["ward.id"], name=op.f("fk_ward_stay_ward_id_ward")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_ward_stay"))
    )
    op.create_index("ix_ward_stay_open", "ward_stay", ["ward_id", "discharged_on"], unique=False)
    op.create_index("ix_ward_stay_person", "ward_stay", ["nhs_number", "discharged_on"], unique=False)
    op.create_index("uq_ward_stay_open_person", "ward_stay", ["nhs_number"], unique=True,
                    sqlite_where=sa.text("discharged_on IS NULL"),
                    postgresql_where=sa.text("discharged_on IS NULL"))

    op.create_table("ward_round",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("stay_id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("on", sa.Date(), nullable=False),
    sa.Column("notes", sa.Text(), nullable=False),
    sa.Column("observations", sa.Text(), nullable=False),
    sa.Column("plan", sa.Text(), nullable=False),
    sa.Column("by", sa.Integer(), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["by"], ["app_user.id"], name=op.f("fk_ward_round_by_app_user")),
    sa.ForeignKeyConstraint(["stay_id"], ["ward_stay.id"], name=op.f("fk_ward_round_stay_id_ward_stay")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_ward_round")),
    sa.UniqueConstraint("stay_id", "on", name=op.f("uq_ward_round_stay_id"))
    )
    op.create_index(op.f("ix_ward_round_nhs_number"), "ward_round", ["nhs_number"], unique=False)


def downgrade() -> None:
    op.drop_table("ward_round")
    op.drop_index("uq_ward_stay_open_person", table_name="ward_stay")
    op.drop_index("ix_ward_stay_person", table_name="ward_stay")
    op.drop_index("ix_ward_stay_open", table_name="ward_stay")
    op.drop_table("ward_stay")
    op.drop_index(op.f("ix_ward_staff_user_id"), table_name="ward_staff")
    op.drop_table("ward_staff")
    op.drop_table("ward_practice")
    op.drop_index(op.f("ix_ward_locality_code"), table_name="ward")
    op.drop_table("ward")
