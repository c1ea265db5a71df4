"""Alembic environment: the URL comes from the caller (``lapor-triage db upgrade`` / tests)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

import service.admin_models  # noqa: F401  (the admins' tables share Base.metadata)
import service.count_models  # noqa: F401  (the kept counts share Base.metadata)
from service.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("database_url")
    if not url:
        from service.settings import ServiceSettings

        url = ServiceSettings().database_url
    return url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = _url()
    kwargs = {"connect_args": {"timeout": 30}} if url.startswith("sqlite") else {}
    engine = create_engine(url, poolclass=pool.NullPool, **kwargs)
    with engine.connect() as connection:
        if url.startswith("sqlite"):
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
            connection.commit()  # else alembic joins this transaction and never commits the migration
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=url.startswith("sqlite"))
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
