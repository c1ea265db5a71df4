"""model registry: who trains a version (owner process) and its heartbeat

Revision ID: 0011
Revises: 0010

A retrain whose server process stopped used to stay ``training`` until a 1 h timeout. The owning process
(host + PID namespace, PID, a per-process token) and a heartbeat it writes while the job runs let every process
(at start-up, before a retrain, and in its model watcher) tell a live job from an abandoned one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("model_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("model_versions", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("owner")
