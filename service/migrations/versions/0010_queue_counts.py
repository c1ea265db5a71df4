"""The review queue's counts per suggested OPD and reason, kept by every write: the console's queue and the
``/v1/review`` size read O(OPDs × reasons), not the queue.

Revision ID: 0010
Revises: 0009

Filled with the statistics tables (``service.stats_daily``): the migration marks them to be rebuilt, which
``lapor-triage db upgrade`` (or the first start after it) does.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "queue_counts",
        sa.Column("opd", sa.String(300), primary_key=True),
        sa.Column("reason", sa.String(40), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False, server_default="0"),
    )
    op.execute("DELETE FROM stats_state")  # rebuilt with the queue's counts


def downgrade() -> None:
    op.drop_table("queue_counts")
