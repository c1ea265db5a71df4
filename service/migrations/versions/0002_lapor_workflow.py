"""LAPOR! workflow: co-handling OPDs, claims, deadlines, submission time for statistics, full-text search.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FTS_COLUMNS = "masked_text, kecamatan, kelurahan, address"
PG_DOCUMENT = ("to_tsvector('simple', coalesce(masked_text, '') || ' ' || coalesce(kecamatan, '') || ' ' || "
               "coalesce(kelurahan, '') || ' ' || coalesce(address, ''))")


def upgrade() -> None:
    with op.batch_alter_table("complaints") as t:
        t.add_column(sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True))
        t.add_column(sa.Column("category", sa.String(100), nullable=True))
        t.add_column(sa.Column("co_opds", sa.JSON(), nullable=True))
        t.add_column(sa.Column("assignee", sa.String(200), nullable=True))
        t.add_column(sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))
        t.add_column(sa.Column("stage", sa.String(20), nullable=True))
        t.add_column(sa.Column("stage_started_at", sa.DateTime(timezone=True), nullable=True))
        t.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        t.add_column(sa.Column("overdue3_at", sa.DateTime(timezone=True), nullable=True))
        t.add_column(sa.Column("status_note", sa.Text(), nullable=True))
        t.add_column(sa.Column("disposed_within", sa.Boolean(), nullable=True))
        t.add_column(sa.Column("answered_within", sa.Boolean(), nullable=True))
    op.execute("UPDATE complaints SET reported_at = COALESCE(submitted_at, received_at)")
    op.create_index("ix_complaints_reported", "complaints", ["reported_at", "id"])
    op.create_index("ix_complaints_routed_reported", "complaints", ["routed_opd", "reported_at"])
    op.create_index("ix_complaints_status_due", "complaints", ["status", "due_at"])
    op.create_index("ix_complaints_duplicate_of", "complaints", ["duplicate_of"])
    with op.batch_alter_table("decisions") as t:
        t.add_column(sa.Column("co_opds", sa.JSON(), nullable=True))
    with op.batch_alter_table("responses") as t:
        t.add_column(sa.Column("source_complaint_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                               nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE VIRTUAL TABLE complaints_fts USING fts5({FTS_COLUMNS}, content='complaints', "
                   "content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
        new = ", ".join(f"new.{c.strip()}" for c in FTS_COLUMNS.split(","))
        old = ", ".join(f"old.{c.strip()}" for c in FTS_COLUMNS.split(","))
        op.execute(f"CREATE TRIGGER complaints_fts_ai AFTER INSERT ON complaints BEGIN "
                   f"INSERT INTO complaints_fts(rowid, {FTS_COLUMNS}) VALUES (new.id, {new}); END")
        op.execute(f"CREATE TRIGGER complaints_fts_ad AFTER DELETE ON complaints BEGIN "
                   f"INSERT INTO complaints_fts(complaints_fts, rowid, {FTS_COLUMNS}) "
                   f"VALUES ('delete', old.id, {old}); END")
        op.execute(f"CREATE TRIGGER complaints_fts_au AFTER UPDATE OF {FTS_COLUMNS} ON complaints BEGIN "
                   f"INSERT INTO complaints_fts(complaints_fts, rowid, {FTS_COLUMNS}) "
                   f"VALUES ('delete', old.id, {old}); "
                   f"INSERT INTO complaints_fts(rowid, {FTS_COLUMNS}) VALUES (new.id, {new}); END")
        op.execute("INSERT INTO complaints_fts(complaints_fts) VALUES ('rebuild')")
    else:
        op.execute(f"CREATE INDEX ix_complaints_fts ON complaints USING gin ({PG_DOCUMENT})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("complaints_fts_ai", "complaints_fts_ad", "complaints_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS complaints_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_complaints_fts")
    with op.batch_alter_table("responses") as t:
        t.drop_column("source_complaint_id")
    with op.batch_alter_table("decisions") as t:
        t.drop_column("co_opds")
    for name in ("ix_complaints_duplicate_of", "ix_complaints_status_due", "ix_complaints_routed_reported",
                 "ix_complaints_reported"):
        op.drop_index(name, table_name="complaints")
    with op.batch_alter_table("complaints") as t:
        for name in ("answered_within", "disposed_within", "status_note", "overdue3_at", "due_at", "stage_started_at", "stage", "assigned_at", "assignee",
                     "co_opds", "category", "reported_at"):
            t.drop_column(name)
