"""Server-side console sessions: two app instances on one database (two workers) and a restart (a new app).

The cookie holds only a random token; the session is a database row, so logging out, ending a key's sessions
(by the user or an admin), revoking the key and expiry hold for every instance, before and after a restart.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import select, update

from fixtures.service_app import create_keys, start_service, wipe

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


@contextmanager
def instance(database_url, demo_model):
    """One app (one worker process) on the shared database, with LAPOR_CONSOLE_SECRET set like in production."""
    app, client = start_service(database_url, demo_model, console_secret="rahasia-tetap")
    with client:
        yield client


def login(client, key: str) -> str:
    client.cookies.clear()  # a fresh browser
    page = client.get("/masuk")
    csrf = CSRF_RE.search(page.text).group(1)
    r = client.post("/masuk", data={"kunci": key, "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return client.cookies.get("lapor_sesi")


def opens(client, cookie: str, path: str = "/dasbor") -> bool:
    client.cookies.clear()
    client.cookies.set("lapor_sesi", cookie)
    r = client.get(path, follow_redirects=False)
    assert r.status_code in (200, 303), r.status_code
    return r.status_code == 200


def post_as(client, cookie: str, path: str, data: dict | None = None):
    client.cookies.clear()
    client.cookies.set("lapor_sesi", cookie)
    csrf = CSRF_RE.search(client.get("/dasbor").text).group(1)
    return client.post(path, data={"csrf": csrf, **(data or {})}, follow_redirects=False)


def session_rows(client):
    from service.admin_models import ConsoleSessionRow

    with client.app.state.db.session() as session:
        return session.scalars(select(ConsoleSessionRow)).all()


def test_the_cookie_is_only_a_random_token_and_the_session_a_row(database_url, demo_model):
    wipe(database_url)
    with instance(database_url, demo_model) as a:
        keys = create_keys(a.app.state.db)
        cookie = login(a, keys["analyst"])
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", cookie), cookie  # 256 random bits, nothing readable or signed
        rows = session_rows(a)
        assert len(rows) == 1 and rows[0].token_hash != cookie and cookie not in rows[0].token_hash
        assert rows[0].ended_at is None and rows[0].expires_at - rows[0].created_at == timedelta(hours=12)
        assert not opens(a, cookie[:-1] + ("A" if cookie[-1] != "A" else "B"))  # a guessed neighbour is nobody


def test_logout_on_one_worker_holds_on_the_other_and_after_a_restart(database_url, demo_model):
    wipe(database_url)
    with instance(database_url, demo_model) as a, instance(database_url, demo_model) as b:
        keys = create_keys(a.app.state.db)
        cookie, kept = login(a, keys["analyst"]), login(a, keys["operator"])
        assert opens(b, cookie)  # a login on one worker is a login on all
        assert post_as(b, cookie, "/keluar").headers["location"] == "/masuk?keluar=1"
        assert not opens(a, cookie) and not opens(b, cookie)
        assert opens(a, kept)  # other sessions are untouched
        assert [r.ended_reason for r in session_rows(a) if r.ended_at] == ["logout"]
    with instance(database_url, demo_model) as restarted:  # same secret, new process: still logged out
        assert not opens(restarted, cookie)
        assert opens(restarted, kept)  # and a live session survives the restart


def test_log_out_everywhere_admin_end_and_revocation_reach_every_worker(database_url, demo_model):
    from service.auth import revoke_key
    from service.admin_models import ApiKey

    wipe(database_url)
    with instance(database_url, demo_model) as a, instance(database_url, demo_model) as b:
        keys = create_keys(a.app.state.db)
        laptop, phone, admin = login(a, keys["operator"]), login(b, keys["operator"]), login(a, keys["admin"])
        post_as(a, laptop, "/keluar", {"semua": "1"})  # "Keluar dari semua sesi"
        assert not opens(b, phone) and not opens(a, laptop) and opens(b, admin)

        laptop, phone = login(a, keys["operator"]), login(b, keys["operator"])
        with a.app.state.db.session() as session:
            operator_id = session.scalar(select(ApiKey.id).where(ApiKey.role == "operator"))
        r = post_as(b, admin, f"/kunci/{operator_id}/akhiri-sesi")  # an admin logs the key out everywhere
        assert r.status_code == 303
        assert not opens(a, laptop) and not opens(b, phone) and opens(a, admin)
        assert login(a, keys["operator"])  # the key itself still works

        analyst = login(b, keys["analyst"])
        with a.app.state.db.session(write=True) as session, session.begin():
            analyst_id = session.scalar(select(ApiKey.id).where(ApiKey.role == "analyst"))
            revoke_key(session, analyst_id)  # as `lapor-triage keys revoke` does, from yet another process
        assert not opens(a, analyst) and not opens(b, analyst)
        assert {r.ended_reason for r in session_rows(a) if r.key_id == analyst_id} == {"key_revoked"}


def test_an_expired_session_is_refused(database_url, demo_model):
    from service.admin_models import ConsoleSessionRow
    from service.models import utcnow

    wipe(database_url)
    with instance(database_url, demo_model) as a:
        keys = create_keys(a.app.state.db)
        cookie = login(a, keys["analyst"])
        assert opens(a, cookie)
        with a.app.state.db.session(write=True) as session, session.begin():
            session.execute(update(ConsoleSessionRow).values(expires_at=utcnow() - timedelta(seconds=1)))
        assert not opens(a, cookie)
