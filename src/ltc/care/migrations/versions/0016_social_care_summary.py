"""a person's social care (packages of care, latest assessment and review) kept with the run's
activity, for the person page

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person_activity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("social_care", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person_activity", schema=None) as batch_op:
        batch_op.drop_column("social_care")
