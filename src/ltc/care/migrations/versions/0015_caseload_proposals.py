"""caseload rebalancing proposals a team lead approves or undoes

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_manager", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_lead", sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.create_table("rebalance_proposal",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("locality_code", sa.String(length=16), nullable=False),
    sa.Column("proposed_by", sa.Integer(), nullable=False),
    sa.Column("proposed_at", sa.DateTime(), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("approved_by", sa.Integer(), nullable=True),
    sa.Column("approved_at", sa.DateTime(), nullable=True),
    sa.Column("undone_by", sa.Integer(), nullable=True),
    sa.Column("undone_at", sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(["proposed_by"], ["app_user.id"], name=op.f("fk_rebalance_proposal_proposed_by_app_user")),
    sa.ForeignKeyConstraint(["approved_by"], ["app_user.id"], name=op.f("fk_rebalance_proposal_approved_by_app_user")),
    sa.ForeignKeyConstraint(["undone_by"], ["app_user.id"], name=op.f("fk_rebalance_proposal_undone_by_app_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_rebalance_proposal"))
    )
    with op.batch_alter_table("rebalance_proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rebalance_proposal_locality_code"), ["locality_code"], unique=False)
    op.create_table("rebalance_move",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("proposal_id", sa.Integer(), nullable=False),
    sa.Column("nhs_number", sa.String(length=10), nullable=False),
    sa.Column("from_user", sa.Integer(), nullable=False),
    sa.Column("to_user", sa.Integer(), nullable=False),
    sa.Column("weight", sa.Double(), nullable=False),
    sa.Column("ended_entry_id", sa.Integer(), nullable=True),
    sa.Column("opened_entry_id", sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(["proposal_id"], ["rebalance_proposal.id"], name=op.f("fk_rebalance_move_proposal_id_rebalance_proposal")),
    sa.ForeignKeyConstraint(["from_user"], ["case_manager.user_id"], name=op.f("fk_rebalance_move_from_user_case_manager")),
    sa.ForeignKeyConstraint(["to_user"], ["case_manager.user_id"], name=op.f("fk_rebalance_move_to_user_case_manager")),
    sa.ForeignKeyConstraint(["ended_entry_id"], ["caseload_entry.id"], name=op.f("fk_rebalance_move_ended_entry_id_caseload_entry")),
    sa.ForeignKeyConstraint(["opened_entry_id"], ["caseload_entry.id"], name=op.f("fk_rebalance_move_opened_entry_id_caseload_entry")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_rebalance_move"))
    )
    with op.batch_alter_table("rebalance_move", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rebalance_move_proposal_id"), ["proposal_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rebalance_move", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rebalance_move_proposal_id"))
    op.drop_table("rebalance_move")
    with op.batch_alter_table("rebalance_proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rebalance_proposal_locality_code"))
    op.drop_table("rebalance_proposal")
    with op.batch_alter_table("case_manager", schema=None) as batch_op:
        batch_op.drop_column("team_lead")
