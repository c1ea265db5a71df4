"""Between retrains, the served router learns from operators' decisions (issue 16, items 5 and 6).

:class:`Learning` wraps the active model's router in a
:class:`~pipeline.routing.adaptive.AdaptiveRouter`: a memory of recently decided complaints (seeded
from the database at start, then fed by every operator disposition through
:func:`service.decisions.decide`), auto-route thresholds re-estimated from what was suggested for the
recently decided complaints (once there are enough of them) — chosen on a correctness score
(:mod:`pipeline.routing.confidence`) fitted on those suggestions' stored features once ≥ 200 carry them —, and the
tenant's handling policy (the rules admins keep in the database, :mod:`service.policy_rules`, seeded from
``handling_policy.csv``; without a database the file, re-read when edited). The triage core stays the one path: it is handed
this router instead of the bare one. A promoted model gets its own wrapper on first use, over the same
remembered decisions. Each server process keeps its own memory; decisions made through another
process reach it within ``LAPOR_MODEL_POLL_SECONDS`` (:mod:`service.decision_feed`).
"""

from __future__ import annotations

import copy
import logging
import threading
from datetime import datetime
from pathlib import Path

import pandas as pd

from pipeline.document import Document
from pipeline.routing.adaptive import AdaptiveRouter
from pipeline.routing.confidence import CorrectnessModel
from pipeline.routing.memory import DecisionMemory
from pipeline.routing.policy import POLICY_FILE, HandlingPolicy, load_policy
from pipeline.routing.thresholds import RecentThresholds
from service import policy_rules

log = logging.getLogger(__name__)
COLUMNS = ["text", "opd", "kelurahan", "kecamatan", "created_at"]
SUGGESTED = ["suggested_opd", "confidence", "opd", "created_at", "features"]


class Learning:
    def __init__(self, tenant_dir: str | Path | None = None, decided: pd.DataFrame | None = None,
                 memory: DecisionMemory | None = None, thresholds: RecentThresholds | None = None,
                 suggestions: pd.DataFrame | None = None, correctness: CorrectnessModel | None = None):
        """``decided``: text, opd, kelurahan, kecamatan, created_at of decided complaints; ``suggestions``: for
        decided complaints, what triage suggested then (``suggested_opd``, ``confidence``), the unit decided
        (``opd``) and when (``created_at``), and the suggestion's ``features`` (None where not stored) — the evidence of
        the recent-decision thresholds and of the correctness score."""
        self.policy_path = Path(tenant_dir) / POLICY_FILE if tenant_dir else None
        self.memory = memory if memory is not None else DecisionMemory()
        self.thresholds = thresholds if thresholds is not None else RecentThresholds()
        self.correctness = correctness if correctness is not None else CorrectnessModel()
        shown = suggestions if suggestions is not None and len(suggestions) else pd.DataFrame(columns=SUGGESTED)
        if "features" not in shown.columns:
            shown = shown.assign(features=None)
        self._suggested = shown[SUGGESTED].sort_values("created_at", kind="stable").tail(self.thresholds.window)
        recent = decided[COLUMNS] if decided is not None and len(decided) else pd.DataFrame(columns=COLUMNS)
        self._recent = recent.sort_values("created_at", kind="stable").tail(self.memory.max_items)
        self._lock = threading.Lock()
        self._built: tuple | None = None  # (model version, policy stamp, adaptive router)
        self.rules: list[dict] | None = None  # the database's rules (service.policy_rules); None: the tenant file
        self._rules_version = 0

    def set_rules(self, rows: list[dict]) -> None:
        """Apply these handling-policy rows from the next triage on (an admin changed the rules)."""
        with self._lock:
            self.rules = list(rows)
            self._rules_version += 1

    @classmethod
    def start(cls, db, tenant_dir) -> "Learning":
        """From the database: operators' decisions (memory and thresholds) and the complaints the model routed on
        its own that nobody re-routed (thresholds only — without them the evidence above the threshold would
        hold only the overruled suggestions, and the threshold would climb on its own)."""
        from sqlalchemy import func, select

        from service.models import Complaint
        from service.repository import latest_triage
        from service.retrain_job import decided_frame
        from service.workflow import MODEL_ROUTER

        keep = max(DecisionMemory().max_items, RecentThresholds().window)  # what __init__ keeps of each
        decided = decided_frame(db, latest=keep)
        with db.session() as session:
            auto = session.execute(select(Complaint.id, Complaint.routed_opd, Complaint.reported_at,
                                          Complaint.received_at)
                                   .where(Complaint.routed_by == MODEL_ROUTER, Complaint.routed_opd.is_not(None))
                                   .order_by(func.coalesce(Complaint.reported_at, Complaint.received_at).desc(),
                                             Complaint.id.desc())
                                   .limit(2 * keep)).all()[::-1]
            outcomes = [(int(i), opd, at) for i, opd, at in zip(decided["id"], decided["opd"], decided["created_at"])]
            outcomes += [(r.id, r.routed_opd, (r.reported_at or r.received_at).isoformat()) for r in auto]
            triage = latest_triage(session, [i for i, _, _ in outcomes])
        shown = [{"suggested_opd": t.suggested_opd or "", "confidence": float(t.confidence), "opd": opd,
                  "created_at": at, "features": t.score_features}
                 for i, opd, at in outcomes if (t := triage.get(i)) is not None]
        learning = cls(tenant_dir, decided, suggestions=pd.DataFrame(shown, columns=SUGGESTED))
        learning.set_rules(policy_rules.active_rows(db))
        return learning

    def _evidence(self, areas, frame: pd.DataFrame) -> dict:
        return {"confidence": frame["confidence"].astype(float).tolist(),
                "correct": (frame["suggested_opd"] == frame["opd"]).tolist(),
                "predicted": [areas.to_class(str(s)) for s in frame["suggested_opd"]],
                "times": pd.to_datetime(frame["created_at"], utc=True, format="mixed").dt.tz_localize(None),
                "features": [f if isinstance(f, (list, tuple)) else None for f in frame["features"]]}

    def _policy_stamp(self):
        if self.rules is not None:
            return ("db", self._rules_version)
        path = self.policy_path
        return path.stat().st_mtime_ns if path is not None and path.is_file() else None

    def router_for(self, model):
        """The adaptive router over ``model``'s router; the bare router if it cannot be built."""
        stamp = self._policy_stamp()
        built = self._built
        if built is not None and built[0] == model.version and built[1] == stamp:
            return built[2]
        with self._lock:
            try:
                rules = (self.rules if self.rules is not None else
                         load_policy(self.policy_path) if self.policy_path is not None else [])
                adaptive = AdaptiveRouter(model.router, prefit=True, memory=self.memory, thresholds=self.thresholds,
                                          area_steps=[HandlingPolicy(rules)] if rules else None,
                                          correctness=self.correctness)
                adaptive.fit(self._recent, self._recent["opd"],
                             suggestions=self._evidence(model.router.areas_, self._suggested))
            except Exception:  # a broken policy file or memory must not stop triage: the model alone routes
                log.exception("decision memory / handling policy not applied; routing with the model alone")
                return model.router
            self._built = (model.version, stamp, adaptive)
            return adaptive

    def observe(self, text: str, opd: str, kelurahan: str | None, kecamatan: str | None,
                at: datetime | None, suggestion: tuple | None = None) -> None:
        """An operator disposed a complaint to ``opd``; ``suggestion``: what triage had suggested (unit, confidence
        and, where stored, the score features)."""
        when = (at or datetime.now()).isoformat()
        row = pd.DataFrame([{"text": text, "opd": opd, "kelurahan": kelurahan or "", "kecamatan": kecamatan or "",
                             "created_at": when}])
        features = suggestion[2] if suggestion is not None and len(suggestion) > 2 else None
        shown = pd.DataFrame([{"suggested_opd": suggestion[0] or "", "confidence": float(suggestion[1]), "opd": opd,
                               "created_at": when, "features": features}]) if suggestion is not None else None
        with self._lock:
            self._recent = pd.concat([self._recent, row], ignore_index=True).tail(self.memory.max_items)
            if shown is not None:
                self._suggested = pd.concat([self._suggested, shown], ignore_index=True).tail(self.thresholds.window)
            built = self._built
            if built is None:
                return
            # copy-on-write: a triage running in another thread keeps the state it started with
            adaptive = built[2]
            if adaptive.memory_ is not None:
                memory = copy.copy(adaptive.memory_)
                memory.add(adaptive._rows(Document.many(row["text"])), adaptive._classes(row["opd"]),
                           pd.to_datetime(row["created_at"], utc=True).dt.tz_localize(None))
                adaptive.memory_ = memory
            if adaptive.thresholds_ is not None and shown is not None:
                seen = self._evidence(adaptive.areas_, shown)
                if adaptive.correctness_ is not None and features is not None:
                    adaptive._add_evidence(seen)  # refits the score; replaces, never mutates, what routes read
                if not adaptive._scored:
                    thresholds = copy.copy(adaptive.thresholds_)
                    thresholds.update(**{k: v for k, v in seen.items() if k != "features"})
                    adaptive.thresholds_ = thresholds

