"""Model health: how the model's suggestions fare against operators' decisions, week by week.

For every complaint an operator routed in the last ``weeks`` weeks (by decision time): was the suggestion the unit
the operator chose (top-1), among the first three (top-3), or overridden? Shown beside the served model's own
validation figures, with a warning when the pooled recent top-1 falls more than ``margin`` below validation top-1.
Operators decide the complaints the model did not auto-route — the harder ones — so the recent figures sit below
validation even without drift; the margin allows for that.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from service import repository as repo
from service.db import Database
from service.models import MERGED, Complaint
from service.workflow import MODEL_ROUTER

MIN_DECISIONS = 20  # fewer recent decisions than this: too few to warn


def _week(ts: datetime) -> str:
    year, week, _ = ts.isocalendar()
    return f"{year}-W{week:02d}"


def model_health(db: Database, validation: dict | None, weeks: int = 8, margin: float = 0.10,
                 now: datetime | None = None) -> dict:
    now = now or datetime.now(timezone.utc)
    since = now - timedelta(weeks=weeks)
    with db.session() as session:
        rows = session.execute(
            select(Complaint.id, Complaint.routed_opd, Complaint.suggested_opd, Complaint.routed_at)
            .where(Complaint.routed_opd.is_not(None), Complaint.routed_by != MODEL_ROUTER,
                   Complaint.status != MERGED, Complaint.routed_at >= since)).all()
        triage = repo.latest_triage(session, [r.id for r in rows])
    per_week: dict[str, dict] = {}
    for r in rows:
        w = per_week.setdefault(_week(r.routed_at), {"week": _week(r.routed_at), "decisions": 0, "top1": 0, "top3": 0})
        t = triage.get(r.id)
        top3 = [s.get("opd") for s in (t.top_k if t is not None else [])[:3]]
        w["decisions"] += 1
        w["top1"] += int(r.suggested_opd == r.routed_opd)
        w["top3"] += int(r.routed_opd in top3)
    out = []
    for w in sorted(per_week.values(), key=lambda x: x["week"]):
        n = w["decisions"]
        out.append({"week": w["week"], "decisions": n, "top1_accuracy": w["top1"] / n,
                    "top3_accuracy": w["top3"] / n, "override_rate": 1 - w["top1"] / n})
    total = sum(w["decisions"] for w in out)
    recent = sum(w["top1_accuracy"] * w["decisions"] for w in out) / total if total else None
    reference = (validation or {}).get("top1_accuracy")
    warning = None
    if recent is not None and reference is not None and total >= MIN_DECISIONS and recent < reference - margin:
        warning = (f"Akurasi saran pada {total} keputusan operator {weeks} minggu terakhir "
                   f"({recent * 100:.1f} %) jauh di bawah akurasi validasi model ({reference * 100:.1f} %): topik "
                   "pengaduan mungkin sudah bergeser. Pertimbangkan melatih ulang model.")
    return {"weeks": out, "decisions": total, "recent_top1_accuracy": recent,
            "recent_override_rate": None if recent is None else 1 - recent,
            "validation": {k: (validation or {}).get(k) for k in ("top1_accuracy", "top3_accuracy",
                                                                    "auto_route_coverage", "auto_route_precision")},
            "margin": margin, "min_decisions": MIN_DECISIONS, "warning": warning}
