"""Statistics tables per day, week and month (``/v1/stats`` and the dashboard read O(days), not the complaints table) and the
stored near-duplicate features (the index fills from them at start-up, analysing no text).

Revision ID: 0009
Revises: 0008

The tables are filled from the complaints by ``lapor-triage db upgrade`` (and, failing that, when the
service starts) in the tenant's time zone, which the migration does not know (``service.stats_daily``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COUNTS = ("received", "routed", "responded", "auto_routed", "in_review", "disposed_within", "disposed_judged",
          "answered_within", "answered_judged", "operator_routed", "overridden")


def upgrade() -> None:
    op.create_table(
        "stats_counts",
        sa.Column("grain", sa.String(1), primary_key=True),
        sa.Column("start", sa.Date(), primary_key=True),
        sa.Column("opd", sa.String(300), primary_key=True),
        *[sa.Column(c, sa.Integer(), nullable=False, server_default="0") for c in COUNTS],
    )
    op.create_table(
        "stats_durations",
        sa.Column("grain", sa.String(1), primary_key=True),
        sa.Column("metric", sa.String(10), primary_key=True),
        sa.Column("start", sa.Date(), primary_key=True),
        sa.Column("opd", sa.String(300), primary_key=True),
        sa.Column("bucket", sa.Integer(), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("total_ms", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.create_table(
        "stats_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("time_zone", sa.String(100), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True)),
    )


    op.create_table(
        "dedup_features",
        sa.Column("complaint_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  sa.ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("exact", sa.BigInteger(), nullable=False),
        sa.Column("kelurahan", sa.BigInteger(), nullable=False),
        sa.Column("kecamatan", sa.BigInteger(), nullable=False),
        sa.Column("terms", sa.LargeBinary(), nullable=False),
        sa.Column("place", sa.LargeBinary(), nullable=False),
        sa.Column("numbers", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("dedup_features")
    op.drop_table("stats_state")
    op.drop_table("stats_durations")
    op.drop_table("stats_counts")
