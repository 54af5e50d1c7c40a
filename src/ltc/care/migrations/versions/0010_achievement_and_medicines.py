"""practice achievement and medicines: each run's figures per indicator, the people behind
each gap or excepted, and each person's medicines and adherence

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("achievement_figure",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("run_id", sa.String(length=32), nullable=False),
    sa.Column("practice_code", sa.String(length=16), nullable=True),
    sa.Column("locality_code", sa.String(length=16), nullable=True),
    sa.Column("indicator", sa.String(length=32), nullable=False),
    sa.Column("numerator", sa.Integer(), nullable=False),
    sa.Column("denominator", sa.Integer(), nullable=False),
    sa.Column("exceptions", sa.Integer(), nullable=False),
    sa.Column("achievement", sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(["run_id"], ["strat_run.id"], name=op.f("fk_achievement_figure_run_id_strat_run")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_achievement_figure"))
    )
    with op.batch_alter_table("achievement_figure", schema=None) as batch_op:
        batch_op.create_index("ix_achievement_figure_area", ["run_id", "practice_code", "locality_code", "indicator"], unique=False)

    op.create_table("achievement_person",
    sa.Column("run_id", sa.String(length=32), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("indicator", sa.String(length=32), nullable=False),
    sa.Column("practice_code", sa.String(length=16), nullable=True),
    sa.Column("outcome", sa.String(length=16), nullable=False),
    sa.Column("reason", sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(["run_id"], ["strat_run.id"], name=op.f("fk_achievement_person_run_id_strat_run")),
    sa.PrimaryKeyConstraint("run_id", "nhs_number", "indicator", name=op.f("pk_achievement_person"))
    )
    with op.batch_alter_table("achievement_person", schema=None) as batch_op:
        batch_op.create_index("ix_achievement_person_practice", ["run_id", "practice_code", "indicator", "outcome", "nhs_number"], unique=False)

    op.create_table("medicines_person",
    sa.Column("run_id", sa.String(length=32), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("practice_code", sa.String(length=16), nullable=True),
    sa.Column("long_term_medicines", sa.Integer(), nullable=False),
    sa.Column("lowest_pdc", sa.Double(), nullable=True),
    sa.Column("non_adherent", sa.Text(), nullable=False),
    sa.Column("low_adherence", sa.Boolean(), nullable=False),
    sa.Column("review_due", sa.Boolean(), nullable=False),
    sa.Column("last_review_on", sa.Date(), nullable=True),
    sa.Column("medicines", sa.Integer(), nullable=False),
    sa.Column("polypharmacy", sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(["run_id"], ["strat_run.id"], name=op.f("fk_medicines_person_run_id_strat_run")),
    sa.PrimaryKeyConstraint("run_id", "nhs_number", name=op.f("pk_medicines_person"))
    )
    with op.batch_alter_table("medicines_person", schema=None) as batch_op:
        batch_op.create_index("ix_medicines_adherence", ["run_id", "practice_code", "low_adherence", "lowest_pdc", "nhs_number"], unique=False)
        batch_op.create_index("ix_medicines_polypharmacy", ["run_id", "practice_code", "polypharmacy", "medicines", "nhs_number"], unique=False)
        batch_op.create_index("ix_medicines_review", ["run_id", "practice_code", "review_due", "long_term_medicines", "nhs_number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("medicines_person", schema=None) as batch_op:
        batch_op.drop_index("ix_medicines_review")
        batch_op.drop_index("ix_medicines_polypharmacy")
        batch_op.drop_index("ix_medicines_adherence")

    op.drop_table("medicines_person")
    with op.batch_alter_table("achievement_person", schema=None) as batch_op:
        batch_op.drop_index("ix_achievement_person_practice")

    op.drop_table("achievement_person")
    with op.batch_alter_table("achievement_figure", schema=None) as batch_op:
        batch_op.drop_index("ix_achievement_figure_area")

    op.drop_table("achievement_figure")
