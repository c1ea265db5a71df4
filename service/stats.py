"""``GET /v1/stats``: volumes per period and OPD, auto-route and override rates, time to route/respond."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

import numpy as np
from sqlalchemy import select

from service.db import Database
from service.models import QUEUE_STATUSES, Complaint, Decision
from service.workflow import MODEL_ROUTER


def period_start(ts: datetime, period: str) -> datetime:
    ts = ts.astimezone(timezone.utc)
    day = ts.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 3) if values else None


def compute_stats(db: Database, period: str, date_from: datetime | None, date_to: datetime | None) -> dict:
    cq = select(Complaint.received_at, Complaint.suggested_opd, Complaint.routed_opd, Complaint.routed_at,
                Complaint.routed_by, Complaint.responded_at, Complaint.status)
    dq = select(Decision.opd, Decision.suggested_opd).where(Decision.action == "route")
    if date_from:
        cq = cq.where(Complaint.received_at >= date_from)
        dq = dq.where(Decision.created_at >= date_from)
    if date_to:
        cq = cq.where(Complaint.received_at < date_to)
        dq = dq.where(Decision.created_at < date_to)
    with db.session() as session:
        rows = session.execute(cq).all()
        decisions = session.execute(dq).all()

    per_period: Counter = Counter()
    received: Counter = Counter()
    routed: Counter = Counter()
    responded: Counter = Counter()
    to_route: dict[str, list[float]] = defaultdict(list)
    to_respond: dict[str, list[float]] = defaultdict(list)
    auto = in_review = n_responded = 0
    for r in rows:
        opd = r.routed_opd or r.suggested_opd or "(tidak diketahui)"
        per_period[(period_start(r.received_at, period), opd)] += 1
        received[opd] += 1
        if r.routed_by == MODEL_ROUTER:
            auto += 1
        if r.status in QUEUE_STATUSES:
            in_review += 1
        if r.routed_opd and r.routed_at:
            routed[opd] += 1
            to_route[opd].append(max(0.0, (r.routed_at - r.received_at).total_seconds()))
        if r.responded_at:
            n_responded += 1
            responded[opd] += 1
            to_respond[opd].append(max(0.0, (r.responded_at - r.received_at).total_seconds()))
    overridden = sum(1 for d in decisions if d.opd != d.suggested_opd)
    n = len(rows)
    return {
        "period": period, "date_from": date_from, "date_to": date_to,
        "totals": {
            "received": n, "auto_routed": auto, "auto_route_rate": round(auto / n, 4) if n else None,
            "operator_routed": len(decisions), "overridden": overridden,
            "override_rate": round(overridden / len(decisions), 4) if decisions else None,
            "responded": n_responded, "in_review": in_review,
        },
        "periods": [{"period_start": p, "opd": opd, "received": k}
                    for (p, opd), k in sorted(per_period.items(), key=lambda kv: (kv[0][0], kv[0][1]))],
        "per_opd": [{
            "opd": opd, "received": received[opd], "routed": routed[opd], "responded": responded[opd],
            "time_to_route_median_s": _pct(to_route[opd], 50), "time_to_route_p90_s": _pct(to_route[opd], 90),
            "time_to_response_median_s": _pct(to_respond[opd], 50),
            "time_to_response_p90_s": _pct(to_respond[opd], 90),
        } for opd in sorted(received)],
    }
