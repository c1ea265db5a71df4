"""Triage results keep the correctness score's inputs (``score_features``): once a complaint is decided, what
its suggestion looked like and whether it was right is the evidence the auto-route score learns from
(``pipeline.routing.confidence``, ``service.learning``). Older rows have none and only feed the thresholds.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("triage_results", sa.Column("score_features", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("triage_results", "score_features")
