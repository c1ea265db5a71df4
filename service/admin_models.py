"""The tables only admins keep: API keys and the console logins made with them (``service.auth``,
``service.console.session``), the tenant's units (``service.units``) and the handling-policy rules with their
history (``service.policy_rules``). Same ``Base.metadata`` as ``service.models``; imported by their users and by
the Alembic environment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.models import Base, BigId, UTCDateTime, utcnow


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsoleSessionRow(Base):
    """A console login: the cookie holds a random token, this row its sha256 (``service.console.session``)."""

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[int] = mapped_column(BigId, ForeignKey("api_keys.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str | None] = mapped_column(String(20))  # logout, logout_all, ended_by_admin, key_revoked


class Unit(Base):
    """The tenant's unit table as admins keep it: units added, renamed or merged through the API or console.

    A rename or merge keeps the old row (``status`` renamed/merged, ``replaced_by`` the new name), so training
    labels under the old name follow it (``service.units.label_map``)."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(50), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    aliases: Mapped[str] = mapped_column(Text, default="")  # '|'-separated, as in units.csv
    status: Mapped[str] = mapped_column(String(20), default="active")  # active, renamed, merged
    replaced_by: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class PolicyRule(Base):
    """A handling-policy rule as admins keep it (columns as ``handling_policy.csv``; pipeline.routing.policy)."""

    __tablename__ = "policy_rules"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    keywords: Mapped[str] = mapped_column(Text, default="")  # '|'-separated phrases
    unit: Mapped[str] = mapped_column(String(300), default="")
    kecamatan: Mapped[str] = mapped_column(String(200), default="")
    kelurahan: Mapped[str] = mapped_column(String(200), default="")
    route_to: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class PolicyRuleHistory(Base):
    """Append-only: who changed which rule, when, from what to what."""

    __tablename__ = "policy_rule_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    rule_id: Mapped[int] = mapped_column(BigId, index=True)
    action: Mapped[str] = mapped_column(String(20))  # created, updated, disabled, enabled
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
