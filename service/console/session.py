"""Console sessions: a signed, http-only cookie that names an API key, plus CSRF tokens.

The cookie never holds the API key itself: it holds the key's id and sha256 (the value already stored
in ``api_keys.key_hash``), a CSRF token, a random session id and an expiry, signed with HMAC-SHA256.
Every request re-checks the key in the database, so revoking a key ends its console sessions at once.

Secret: the ``console_secret`` setting (``LAPOR_CONSOLE_SECRET``).
Without it a random secret is made per process: sessions then end on restart and do not carry across
uvicorn workers (fine for ``make run``; set the variable in production).

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
import threading
import time
from dataclasses import dataclass

from sqlalchemy import select

from service.auth import Principal, hash_key
from service.models import ApiKey

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
        log.warning("LAPOR_CONSOLE_SECRET is not set: console sessions will not carry across %s workers",
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
    sid: str
    expires: float


class EndedSessions:
    """Session ids logged out in this process (until they would have expired anyway)."""

    def __init__(self):
        self._ended: dict[str, float] = {}
        self._lock = threading.Lock()

    def end(self, sid: str, expires: float) -> None:
        now = time.time()
        with self._lock:
            if len(self._ended) > 10_000:
                self._ended = {k: v for k, v in self._ended.items() if v > now}
            self._ended[sid] = expires

    def ended(self, sid: str) -> bool:
        return sid in self._ended


ENDED = EndedSessions()


def new_session_token(secret: bytes, key_row: ApiKey) -> tuple[str, str]:
    """(cookie value, csrf token) for a freshly logged-in key."""
    csrf = secrets.token_urlsafe(24)
    payload = {"k": key_row.id, "h": key_row.key_hash, "c": csrf, "s": secrets.token_urlsafe(12),
               "exp": int(time.time()) + SESSION_SECONDS}
    return sign(secret, "sesi", payload), csrf


def find_key(db, plain_key: str) -> ApiKey | None:
    """The unrevoked key row for a plain key typed at login."""
    digest = hash_key(plain_key.strip())
    with db.session() as session:
        row = session.scalar(select(ApiKey).where(ApiKey.key_hash == digest))
    if row is None or row.revoked_at is not None:
        return None
    return row


def load_session(db, secret: bytes, cookie: str | None) -> ConsoleSession | None:
    payload = unsign(secret, "sesi", cookie)
    if payload is None:
        return None
    sid = str(payload.get("s", ""))
    if not sid or ENDED.ended(sid):
        return None
    with db.session() as session:
        row = session.get(ApiKey, payload.get("k"))
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.key_hash, str(payload.get("h", ""))):
        return None
    return ConsoleSession(Principal(row.id, row.name, row.role), str(payload.get("c", "")), sid,
                          float(payload["exp"]))


def tokens_equal(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def secure_cookies(request) -> bool:
    return request.app.state.settings.console_secure_cookie or request.url.scheme == "https"
