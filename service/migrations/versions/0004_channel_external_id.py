"""Idempotency per (channel, external_id): the same id from two channels is two complaints.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# 0001 created the unique constraint on external_id without a name; this convention names it for batch mode
# (SQLite rebuilds the table), PostgreSQL gave it its default name
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}

# SQLite's batch mode rebuilds `complaints`, which drops the full-text triggers 0002 put on it: put them back
FTS_COLUMNS = "masked_text, kecamatan, kelurahan, address"


def _restore_sqlite_fts_triggers() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    new = ", ".join(f"new.{c.strip()}" for c in FTS_COLUMNS.split(","))
    old = ", ".join(f"old.{c.strip()}" for c in FTS_COLUMNS.split(","))
    for name in ("complaints_fts_ai", "complaints_fts_ad", "complaints_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
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


def _drop_external_id_unique() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("complaints_external_id_key", "complaints", type_="unique")
        return
    with op.batch_alter_table("complaints", naming_convention=NAMING) as t:
        t.drop_constraint("uq_complaints_external_id", type_="unique")


def upgrade() -> None:
    _drop_external_id_unique()
    with op.batch_alter_table("complaints") as t:
        t.create_unique_constraint("uq_complaints_channel_external_id", ["channel", "external_id"])
    _restore_sqlite_fts_triggers()


def downgrade() -> None:
    with op.batch_alter_table("complaints") as t:
        t.drop_constraint("uq_complaints_channel_external_id", type_="unique")
        t.create_unique_constraint("complaints_external_id_key", ["external_id"])
    _restore_sqlite_fts_triggers()
