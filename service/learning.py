"""Between retrains, the served router learns from operators' decisions (issue 16, items 5 and 6).

:class:`Learning` wraps the active model's router in a
:class:`~pipeline.routing.adaptive.AdaptiveRouter`: a memory of recently decided complaints (seeded
from the database at start, then fed by every operator disposition through
:func:`service.decisions.decide`) and the tenant's handling policy (``handling_policy.csv`` in the
tenant directory, re-read when an admin edits it). The triage core stays the one path: it is handed
this router instead of the bare one. A promoted model gets its own wrapper on first use, over the same
remembered decisions. Each server process keeps its own memory; decisions made through another
process reach it at its next start (not yet shared between processes).
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
from pipeline.routing.memory import DecisionMemory
from pipeline.routing.policy import POLICY_FILE, HandlingPolicy, load_policy

log = logging.getLogger(__name__)
COLUMNS = ["text", "opd", "kelurahan", "kecamatan", "created_at"]


class Learning:
    def __init__(self, tenant_dir: str | Path | None = None, decided: pd.DataFrame | None = None,
                 memory: DecisionMemory | None = None):
        self.policy_path = Path(tenant_dir) / POLICY_FILE if tenant_dir else None
        self.memory = memory if memory is not None else DecisionMemory()
        recent = decided[COLUMNS] if decided is not None and len(decided) else pd.DataFrame(columns=COLUMNS)
        self._recent = recent.sort_values("created_at", kind="stable").tail(self.memory.max_items)
        self._lock = threading.Lock()
        self._built: tuple | None = None  # (model version, policy file stamp, adaptive router)

    @classmethod
    def start(cls, db, tenant_dir) -> "Learning":
        from service.retrain_job import decided_frame

        return cls(tenant_dir, decided_frame(db))

    def _policy_stamp(self):
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
                rules = load_policy(self.policy_path) if self.policy_path is not None else []
                adaptive = AdaptiveRouter(model.router, prefit=True, memory=self.memory,
                                          area_steps=[HandlingPolicy(rules)] if rules else None)
                adaptive.fit(self._recent, self._recent["opd"])
            except Exception:  # a broken policy file or memory must not stop triage: the model alone routes
                log.exception("decision memory / handling policy not applied; routing with the model alone")
                return model.router
            self._built = (model.version, stamp, adaptive)
            return adaptive

    def observe(self, text: str, opd: str, kelurahan: str | None, kecamatan: str | None,
                at: datetime | None) -> None:
        """An operator disposed a complaint to ``opd``: remember it for the next suggestions."""
        row = pd.DataFrame([{"text": text, "opd": opd, "kelurahan": kelurahan or "", "kecamatan": kecamatan or "",
                             "created_at": (at or datetime.now()).isoformat()}])
        with self._lock:
            self._recent = pd.concat([self._recent, row], ignore_index=True).tail(self.memory.max_items)
            built = self._built
            if built is None or built[2].memory_ is None:
                return
            # copy-on-write: a triage running in another thread keeps the memory it started with
            adaptive = built[2]
            memory = copy.copy(adaptive.memory_)
            memory.add(adaptive._rows(Document.many(row["text"])), adaptive._classes(row["opd"]),
                       pd.to_datetime(row["created_at"]))
            adaptive.memory_ = memory

