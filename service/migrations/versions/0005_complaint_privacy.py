"""LAPOR! privacy options per complaint: confidential (rahasia) and anonymous (anonim).

Plain ADD COLUMN on every backend (no SQLite table rebuild, so the full-text triggers stay in place).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = ("confidential", "anonymous")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("complaints", sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("complaints") as t:
        for name in COLUMNS:
            t.drop_column(name)
