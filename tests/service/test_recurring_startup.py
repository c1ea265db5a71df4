"""Recurring groups at start-up, on SQLite and PostgreSQL: the in-memory groups refill from what is stored with
each complaint (near-duplicate features, word forms) without analysing text, exactly as analysing it would; rows
filed before the forms were stored are analysed once; complaints without a recurrence row are linked in one go,
writing what filing them one at a time wrote."""

from __future__ import annotations

import gc

from sqlalchemy import create_engine, select, text

from fixtures.service_app import start_service
from service.db import Database
from service.models import Complaint, ComplaintRecurrence, RecurringGroup
from service.recurring import _MAINTAINERS, RecurringMaintainer, _record, complaint_time, wait_restored
from pipeline.recurring import RecurringGrouper
from test_recurring_api import submit_scenario


def snapshot(url: str) -> tuple[list, list]:
    engine = create_engine(url)
    with engine.connect() as conn:
        members = [tuple(r) for r in conn.execute(select(
            ComplaintRecurrence.complaint_id, ComplaintRecurrence.group_id, ComplaintRecurrence.at,
            ComplaintRecurrence.links, ComplaintRecurrence.words, ComplaintRecurrence.forms)
            .order_by(ComplaintRecurrence.complaint_id))]
        groups = [tuple(r) for r in conn.execute(select(
            RecurringGroup.id, RecurringGroup.size, RecurringGroup.first_at, RecurringGroup.last_at,
            RecurringGroup.kelurahan, RecurringGroup.kecamatan, RecurringGroup.label).order_by(RecurringGroup.id))]
    engine.dispose()
    return members, groups


def grouper_from_text(db: Database, window_days: float) -> RecurringGrouper:
    """The grouper as start-up filled it before features and forms were stored: every text analysed again."""
    grouper = RecurringGrouper(window_days=window_days)
    with db.session() as session:
        rows = session.execute(select(Complaint, ComplaintRecurrence.group_id).join(
            ComplaintRecurrence, ComplaintRecurrence.complaint_id == Complaint.id)).all()
    for c, gid in sorted(rows, key=lambda r: (complaint_time(r[0]), r[0].id)):
        grouper.add(_record(c), None if gid is None else str(gid), restore=True)
    return grouper


def test_restart_refills_groups_from_stored_features_and_forms_without_analysing_text(svc, demo_model,
                                                                                       monkeypatch):
    submit_scenario(svc)
    db = svc.app.state.db
    expected = grouper_from_text(db, 180)

    def no_analysis(*_a, **_k):
        raise AssertionError("text analysed at start-up although features and forms are stored")

    monkeypatch.setattr("service.recurring.content_words", no_analysis)
    monkeypatch.setattr("service.recurring.analysed", no_analysis)
    got = RecurringMaintainer.from_database(db, 180).grouper
    assert len(got) == len(expected) > 0
    assert got.forms_._forms == expected.forms_._forms and got.forms_._known == expected.forms_._known
    n = len(got)
    assert got.finder_.ids_ == expected.finder_.ids_ and list(got.finder_.times[:n]) == list(expected.finder_.times[:n])
    for d in range(n):
        assert got.finder_.terms_of(d).tolist() == expected.finder_.terms_of(d).tolist()
    assert {k: g.docs for k, g in got.groups_.items()} == {k: g.docs for k, g in expected.groups_.items()}
    assert [got.label(g) for g in got.groups_.values()] == [expected.label(g) for g in expected.groups_.values()]


def test_rows_filed_before_forms_were_stored_are_analysed_once(svc, demo_model):
    submit_scenario(svc)
    before, _ = snapshot(svc.url)
    engine = create_engine(svc.url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE complaint_recurrence SET forms = NULL"))
        conn.execute(text("DELETE FROM dedup_features"))
    engine.dispose()
    RecurringMaintainer.from_database(svc.app.state.db, 180)
    after, _ = snapshot(svc.url)
    assert after == before and all(m[5] for m in after)  # the same forms, stored again
    with create_engine(svc.url).connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM dedup_features")) == len(after)


def test_linking_at_start_up_writes_what_filing_one_at_a_time_wrote(svc, demo_model):
    submit_scenario(svc)
    filed = snapshot(svc.url)
    assert filed[1] and any(m[1] is not None for m in filed[0])
    engine = create_engine(svc.url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM complaint_recurrence"))
        conn.execute(text("DELETE FROM recurring_groups"))
    engine.dispose()
    app, client = start_service(svc.url, demo_model)
    with client:
        assert snapshot(svc.url) == filed


def test_restore_runs_in_the_background_and_filing_waits_for_it(svc, demo_model):
    submit_scenario(svc)
    db = svc.app.state.db
    expected = RecurringMaintainer.from_database(db, 180).grouper
    m = RecurringMaintainer.in_background(db, 180)
    assert m._loaded.wait(60)
    assert m.grouper.finder_.ids_ == expected.finder_.ids_
    assert {k: g.docs for k, g in m.grouper.groups_.items()} == {k: g.docs for k, g in expected.groups_.items()}
    # unfiled complaints in the window (an upgrade): linked before in_background returns
    engine = create_engine(svc.url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM complaint_recurrence"))
        conn.execute(text("DELETE FROM recurring_groups"))
    engine.dispose()
    m = RecurringMaintainer.in_background(db, 180)
    assert m._loaded.is_set() and snapshot(svc.url)[1]


def test_the_restored_groups_leave_the_collectors_scans_once_the_restore_is_done(svc, demo_model):
    """Restored after the server froze its start-up state, the groups would otherwise be rescanned by every full
    collection during requests (at 49,000 complaints: up to 47 ms each, several per dashboard page)."""
    submit_scenario(svc)
    m = RecurringMaintainer.in_background(svc.app.state.db, 180)
    assert m._loaded.wait(60)
    tracked = {id(o) for o in gc.get_objects()}
    assert m.grouper.groups_ and id(m.grouper.groups_) not in tracked
    assert id(m.grouper.finder_.ids_) not in tracked and id(m.grouper.forms_) not in tracked


def test_wait_restored_says_whether_the_start_up_restore_is_done(svc, demo_model):
    db = svc.app.state.db
    assert wait_restored(db, 60)  # the server's own restore, done
    m = _MAINTAINERS[db]
    m._loaded.clear()  # as while it runs
    try:
        assert not wait_restored(db, 0.01)
    finally:
        m._loaded.set()
    assert wait_restored(db, 0.01)


def test_complaints_stored_during_the_restore_are_filed_right_after_it_in_order(svc, demo_model):
    ids = submit_scenario(svc)
    filed = snapshot(svc.url)
    engine = create_engine(svc.url)
    late = sorted(ids.values())[-3:]
    with engine.begin() as conn:  # the last three arrive while the restore runs
        conn.execute(text(f"DELETE FROM complaint_recurrence WHERE complaint_id IN ({', '.join(map(str, late))})"))
    engine.dispose()
    m = RecurringMaintainer(svc.app.state.db, RecurringGrouper(window_days=180))
    m._loaded.clear()  # the restore is running: an intake hands its complaints over without waiting for it
    m.file(late[:1])
    m.file(late[1:])
    assert m._pending == late and snapshot(svc.url) != filed
    m._load(180)  # the restore thread's work
    assert m._loaded.is_set() and not m._pending
    assert snapshot(svc.url)[0] == filed[0]
