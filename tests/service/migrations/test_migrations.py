"""The schema the migrations build is the schema the models declare, on SQLite and PostgreSQL: Alembic's
autogenerate (as ``service/migrations/env.py`` runs it) finds nothing to change. Tables moved between model
modules (``service.admin_models``, ``service.count_models``) stay on the one ``Base.metadata``, and a model edited
without its migration fails here. Only the full-text search objects, made in raw SQL by migrations 0002 and 0004
(SQLite's FTS5 tables, PostgreSQL's expression index), are not modelled."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

import service.admin_models  # noqa: F401  (every model module, as the Alembic environment imports them)
import service.count_models  # noqa: F401
from service.models import Base

ENV = Path(__file__).resolve().parents[3] / "service" / "migrations" / "env.py"
ADMIN_TABLES = {"api_keys", "console_sessions", "units", "policy_rules", "policy_rule_history"}


def not_full_text_search(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "table" and reflected and compare_to is None and name.startswith("complaints_fts"):
        return False  # SQLite FTS5 virtual table and its shadow tables
    return not (type_ == "index" and name == "ix_complaints_fts")  # PostgreSQL GIN index on an expression


def test_migrated_schema_matches_the_models_metadata(database_url):
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": not_full_text_search})
            diff = compare_metadata(context, Base.metadata)
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert diff == []
    assert ADMIN_TABLES | {"complaints", "decisions", "stats_counts"} <= tables


def test_the_alembic_environment_sees_every_models_table():
    """A fresh interpreter running only the environment's imports holds all tables: a model module the
    environment forgot would make autogenerate propose dropping its tables."""
    imports = [ast.unparse(node) for node in ast.parse(ENV.read_text()).body
               if isinstance(node, (ast.Import, ast.ImportFrom)) and "service" in ast.unparse(node)]
    code = "\n".join(imports + ["from service.models import Base", "print(' '.join(sorted(Base.metadata.tables)))"])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert set(out) == set(Base.metadata.tables) and ADMIN_TABLES <= set(out)
