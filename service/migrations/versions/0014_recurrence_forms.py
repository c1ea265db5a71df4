"""The readable word forms of each complaint filed into recurring groups (``complaint_recurrence.forms``): the
service's recurring-groups index is refilled at start-up from stored features and forms, analysing no text.

Revision ID: 0014
Revises: 0013

Rows filed before this revision have no forms yet; the first start after it analyses those of the recurring
window once and stores them (``service.recurring``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("complaint_recurrence") as batch:
        batch.add_column(sa.Column("forms", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaint_recurrence") as batch:
        batch.drop_column("forms")
