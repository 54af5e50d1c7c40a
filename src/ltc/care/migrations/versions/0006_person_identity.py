"""person identity: name, address and postcode for the patient banner

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 05:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("given_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("family_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("address", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("postcode", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("postcode")
        batch_op.drop_column("address")
        batch_op.drop_column("family_name")
        batch_op.drop_column("given_name")
