"""API keys (stored as sha256 hashes), roles, Bearer authentication and per-key rate limits; revoking a key
ends its console sessions."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.admin_models import ApiKey, ConsoleSessionRow
from service.http_errors import ApiError
from service.models import valid_id

ROLES = ("operator", "analyst", "admin")
KEY_PREFIX = "lt_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(session: Session, role: str, name: str) -> tuple[ApiKey, str]:
    """Store a new key; return the row and the plain key (shown once, never stored)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if not name.strip():
        raise ValueError("a key needs a name (who or what uses it)")
    plain = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name.strip(), role=role, prefix=plain[:10], key_hash=hash_key(plain))
    session.add(row)
    session.flush()
    return row, plain


def revoke_key(session: Session, key_id: int) -> ApiKey | None:
    """Revoke a key; its console sessions end with it (on every worker: they are rows, see console.session)."""
    row = session.get(ApiKey, key_id) if valid_id(key_id) else None
    if row is not None and row.revoked_at is None:
        row.revoked_at = datetime.now(timezone.utc)
        end_key_sessions(session, key_id, "key_revoked")
    return row


def end_key_sessions(session: Session, key_id: int, reason: str) -> int:
    """End every live console session of a key inside the caller's transaction; how many were live."""
    now = datetime.now(timezone.utc)
    result = session.execute(update(ConsoleSessionRow)
                             .where(ConsoleSessionRow.key_id == key_id, ConsoleSessionRow.ended_at.is_(None),
                                    ConsoleSessionRow.expires_at > now)
                             .values(ended_at=now, ended_reason=reason))
    return result.rowcount or 0


@dataclass(frozen=True)
class Principal:
    key_id: int
    name: str
    role: str


class KeyCache:
    """Key hash → principal (or None), cached briefly so auth costs no query per request."""

    def __init__(self, ttl: float, max_entries: int = 10_000):
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

    def lookup(self, db, key: str) -> Principal | None:
        digest = hash_key(key)
        now = time.monotonic()
        hit = self._entries.get(digest)
        if hit is not None and hit[0] > now:
            return hit[1]
        with db.session() as session:
            row = session.scalar(select(ApiKey).where(ApiKey.key_hash == digest))
            principal = (Principal(row.id, row.name, row.role)
                         if row is not None and row.revoked_at is None else None)
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[digest] = (now + self.ttl, principal)
        return principal

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class RateLimiter:
    """Token bucket per key: ``rate`` tokens a second, up to ``burst``; rate 0 = unlimited."""

    def __init__(self, rate: float, burst: int):
        self.rate = rate
        self.burst = max(1, burst)
        self._buckets: dict[int, list[float]] = {}
        self._lock = threading.Lock()

    def take(self, key_id: int, cost: float = 1.0) -> float:
        """0 when allowed, else the seconds to wait."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key_id, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= cost:
                self._buckets[key_id] = [tokens - cost, now]
                return 0.0
            self._buckets[key_id] = [tokens, now]
            return (cost - tokens) / self.rate


bearer = HTTPBearer(auto_error=False, description="an API key from `lapor-triage keys create`")


def authenticate(request: Request, key: str | None, allowed: set[str] | None) -> Principal:
    """The principal of a valid, unrevoked ``key`` whose role is in ``allowed`` (None: any role), rate-limited."""
    state = request.app.state
    if not key:
        raise ApiError(401, "unauthenticated",
                       "Kunci API diperlukan: kirim header 'Authorization: Bearer <kunci>'.",
                       {"WWW-Authenticate": "Bearer"})
    principal = state.keys.lookup(state.db, key)
    if principal is None:
        raise ApiError(401, "invalid_key", "Kunci API tidak dikenal atau sudah dicabut.",
                       {"WWW-Authenticate": "Bearer"})
    if allowed is not None and principal.role not in allowed:
        raise ApiError(403, "forbidden",
                       f"Peran '{principal.role}' tidak diizinkan untuk tindakan ini "
                       f"(perlu: {', '.join(sorted(allowed))}).")
    wait = state.limiter.take(principal.key_id)
    if wait:
        raise ApiError(429, "rate_limited",
                       "Terlalu banyak permintaan dengan kunci API ini; coba lagi sebentar lagi.",
                       {"Retry-After": str(max(1, int(wait + 0.999)))})
    return principal


def require(*roles: str):
    """Dependency: a valid, unrevoked key whose role is one of ``roles`` (admin always passes)."""
    allowed = set(roles) | {"admin"}

    def dependency(request: Request,
                   credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
        return authenticate(request, credentials.credentials if credentials else None, allowed)

    return dependency
