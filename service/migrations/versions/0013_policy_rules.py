"""handling-policy rules an admin edits: policy_rules and their append-only history

Revision ID: 0013
Revises: 0012

The tenant's ``handling_policy.csv`` seeds the table on first start (``service.policy_rules``); afterwards the
database is the source, edited through ``/v1/policy-rules`` and the console's *Kebijakan* page.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "policy_rules",
        sa.Column("id", BigId, nullable=False, autoincrement=True),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=300), nullable=False),
        sa.Column("kecamatan", sa.String(length=200), nullable=False),
        sa.Column("kelurahan", sa.String(length=200), nullable=False),
        sa.Column("route_to", sa.String(length=300), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_policy_rules_updated_at", "policy_rules", ["updated_at"])
    op.create_table(
        "policy_rule_history",
        sa.Column("id", BigId, nullable=False, autoincrement=True),
        sa.Column("rule_id", BigId, nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_policy_rule_history_rule_id", "policy_rule_history", ["rule_id"])


def downgrade() -> None:
    op.drop_table("policy_rule_history")
    op.drop_table("policy_rules")
