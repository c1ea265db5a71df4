"""Every server process's decision memory hears the dispositions made through the other processes within seconds.

Each process learns its own operators' dispositions at once (:func:`service.decisions.decide` → ``learn``). The
dispositions made through a sibling process are read from the ``decisions`` table incrementally: every poll of the
model watcher (``LAPOR_MODEL_POLL_SECONDS``) reads the dispositions (``route``/``forward``) with an id above the
highest one seen — one indexed query — and feeds those this process did not make itself to
:meth:`service.learning.Learning.observe`, with the complaint's masked text, area and the suggestion triage had
made. An id handed out before a slow commit (PostgreSQL sequences are not commit-ordered) shows up as a gap below
the watermark: gaps are looked for again for ``GAP_SECONDS`` before they are given up.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import func, select

from service.db import Database
from service.models import Complaint, Decision
from service.repository import latest_triage
from service.workflow import FORWARD, ROUTE

log = logging.getLogger(__name__)
GAP_SECONDS = 10.0
BATCH = 500


class DecisionFeed:
    def __init__(self, db: Database, learning, high: int | None = None):
        self.db, self.learning = db, learning
        self.high = self.latest_id() if high is None else high  # the decisions already in the memory at start
        self.gaps: dict[int, float] = {}  # id below the watermark not seen yet → when first missed
        self.own: set[int] = set()  # dispositions this process made (already observed)
        self.fed: set[int] = set()  # dispositions the feed observed
        self._lock = threading.Lock()

    def latest_id(self) -> int:
        with self.db.session() as session:
            return int(session.scalar(select(func.max(Decision.id))) or 0)

    def made_here(self, decision_id: int | None) -> bool:
        """A disposition of this process; False when the feed already fed it (commit, poll, then ``learn``)."""
        if decision_id is None:
            return True
        with self._lock:
            if int(decision_id) in self.fed:
                return False
            self.own.add(int(decision_id))
            return True

    def catch_up(self) -> int:
        """Feed the other processes' new dispositions to the memory; return how many."""
        with self._lock:
            waiting = dict(self.gaps)
            low = min([*waiting, self.high + 1]) - 1
            with self.db.session() as session:
                rows = session.execute(
                    select(Decision.id, Decision.action, Decision.complaint_id, Decision.opd, Decision.created_at)
                    .where(Decision.id > low).order_by(Decision.id).limit(BATCH)).all()
                fresh = [r for r in rows if r.action in (ROUTE, FORWARD) and r.opd and r.id not in self.own
                         and r.id not in self.fed and (r.id > self.high or r.id in waiting)]
                ids = [r.complaint_id for r in fresh]
                texts = {c.id: c for c in session.execute(
                    select(Complaint.id, Complaint.masked_text, Complaint.kelurahan, Complaint.kecamatan)
                    .where(Complaint.id.in_(ids))).all()} if ids else {}
                shown = latest_triage(session, ids)
            seen = {r.id for r in rows}
            top = max(seen, default=self.high)
            now = time.monotonic()
            for missing in range(self.high + 1, top):
                if missing not in seen:
                    self.gaps.setdefault(missing, now)  # handed out, not committed yet (or rolled back)
            self.gaps = {i: t for i, t in self.gaps.items() if i not in seen and now - t < GAP_SECONDS}
            self.high = max(self.high, top)
            self.fed.update(r.id for r in fresh)
            keep = self.high - 10 * BATCH
            self.own, self.fed = {i for i in self.own if i > keep}, {i for i in self.fed if i > keep}
        for r in fresh:
            c, t = texts.get(r.complaint_id), shown.get(r.complaint_id)
            if c is None:
                continue
            suggestion = (t.suggested_opd, float(t.confidence), t.score_features) if t is not None else None
            self.learning.observe(c.masked_text, r.opd, c.kelurahan, c.kecamatan, r.created_at, suggestion)
        return len(fresh)
