"""Console sessions, stored server-side: the cookie holds only a random token, the database its sha256.

Logging in stores a row in ``console_sessions`` (the key it belongs to, a CSRF token, an expiry); the cookie
carries a random 256-bit token and nothing else, so there is nothing to sign or forge. Every request looks the
row up together with its key, so a session ends — for every worker process, and across restarts — when it is
logged out (``/keluar``, or "keluar dari semua sesi"), when an admin ends the key's sessions or revokes the key,
or when it expires (:data:`SESSION_SECONDS`, one working shift).

Flash messages (the one-line notice after a redirect) are signed cookies: the ``console_secret`` setting
(``LAPOR_CONSOLE_SECRET``), or a random per-process secret (a notice may then be lost across workers).

Cookies are ``HttpOnly; SameSite=Lax; Path=/`` and ``Secure`` when the request came over HTTPS (or
``LAPOR_CONSOLE_SECURE_COOKIE=1`` behind a TLS-terminating proxy). Every POST form carries the
session's CSRF token; the login form uses a double-submit token from a pre-login cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update

from service.admin_models import ApiKey, ConsoleSessionRow
from service.auth import Principal, hash_key
from service.models import utcnow

log = logging.getLogger(__name__)

SESSION_COOKIE = "lapor_sesi"
LOGIN_CSRF_COOKIE = "lapor_csrf_masuk"
FLASH_COOKIE = "lapor_pesan"
SESSION_SECONDS = 12 * 3600  # one working shift

_process_secret = secrets.token_bytes(32)
_warned = False


def console_secret(settings) -> bytes:
    global _warned
    value = settings.console_secret
    if value:
        return hashlib.sha256(str(value).encode("utf-8")).digest()
    if not _warned and settings.server_workers > 1:
        log.warning("LAPOR_CONSOLE_SECRET is not set: console notices may be lost across %s workers",
                    settings.server_workers)
        _warned = True
    return _process_secret


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(secret: bytes, purpose: str, payload: dict) -> str:
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    mac = hmac.new(secret, f"{purpose}.{body}".encode("ascii"), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def unsign(secret: bytes, purpose: str, token: str | None) -> dict | None:
    """The payload of a token signed for ``purpose``, or None (tampered, malformed or expired)."""
    if not token or token.count(".") != 1 or len(token) > 4096:
        return None
    body, mac = token.split(".")
    try:
        expected = hmac.new(secret, f"{purpose}.{body}".encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(mac)):
            return None
        payload = json.loads(_unb64(body))
    except (ValueError, UnicodeError):
        return None
    if not isinstance(payload, dict):
        return None
    exp = payload.get("exp")
    if not isinstance(exp, (int, float)) or exp < time.time():
        return None
    return payload


@dataclass(frozen=True)
class ConsoleSession:
    principal: Principal
    csrf: str
    sid: str  # the sha256 of the cookie's token (the row's key)
    expires: float


def _sid(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def find_key(db, plain_key: str) -> ApiKey | None:
    """The unrevoked key row for a plain key typed at login."""
    digest = hash_key(plain_key.strip())
    with db.session() as session:
        row = session.scalar(select(ApiKey).where(ApiKey.key_hash == digest))
    if row is None or row.revoked_at is not None:
        return None
    return row


def create_session(db, key_row: ApiKey) -> tuple[str, str]:
    """Store a session for a freshly logged-in key: (cookie value, csrf token). Expired rows are swept here."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    now = utcnow()
    with db.session(write=True) as session, session.begin():
        session.execute(delete(ConsoleSessionRow).where(ConsoleSessionRow.expires_at < now - timedelta(days=1)))
        session.add(ConsoleSessionRow(token_hash=_sid(token), key_id=key_row.id, csrf=csrf, created_at=now,
                                      expires_at=now + timedelta(seconds=SESSION_SECONDS)))
    return token, csrf


def load_session(db, cookie: str | None) -> ConsoleSession | None:
    """The live session a cookie names, or None (unknown, logged out, ended, expired, or its key revoked)."""
    if not cookie or len(cookie) > 128:
        return None
    sid = _sid(cookie)
    with db.session() as session:
        found = session.execute(select(ConsoleSessionRow, ApiKey).join(ApiKey, ApiKey.id == ConsoleSessionRow.key_id)
                                .where(ConsoleSessionRow.token_hash == sid)).first()
    if found is None:
        return None
    row, key = found
    if row.ended_at is not None or row.expires_at <= utcnow() or key.revoked_at is not None:
        return None
    return ConsoleSession(Principal(key.id, key.name, key.role), row.csrf, sid, row.expires_at.timestamp())


def end_session(db, sid: str, reason: str = "logout") -> None:
    with db.session(write=True) as session, session.begin():
        session.execute(update(ConsoleSessionRow).where(ConsoleSessionRow.token_hash == sid,
                                                        ConsoleSessionRow.ended_at.is_(None))
                        .values(ended_at=utcnow(), ended_reason=reason))


def tokens_equal(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def secure_cookies(request) -> bool:
    return request.app.state.settings.console_secure_cookie or request.url.scheme == "https"
