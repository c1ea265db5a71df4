"""Model health: suggestions against operator decisions per week, and the drift warning."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import update

from service.model_health import model_health
from service.models import Complaint


def _route(svc, c: dict, unit: str) -> None:
    r = svc.post(f"/v1/complaints/{c['id']}/decision", {"action": "route", "opd": unit,
                                                        "expected_version": c["version"]})
    assert r.status_code == 200, r.text


def test_health_counts_overrides_per_week_and_warns_when_far_below_validation(svc):
    texts = [f"pak tolong itu yang kemarin belum juga, sudah {i} hari" for i in range(24)]  # vague: not auto-routed
    made = [svc.submit(t) for t in texts]
    pending = [c for c in made if c["status"] == "pending_review"]
    assert len(pending) >= 20
    for i, c in enumerate(pending):
        top = [s["opd"] for s in c["triage"]["top_k"]]
        _route(svc, c, top[0] if i % 4 == 0 else top[1])  # three in four overridden
    last_week = datetime.now(timezone.utc) - timedelta(days=7)
    with svc.db.session(write=True) as session, session.begin():  # the first half was decided a week ago
        session.execute(update(Complaint).where(Complaint.id.in_([c["id"] for c in pending[: len(pending) // 2]]))
                        .values(routed_at=last_week))
    body = svc.get("/v1/model/health", role="analyst").json()
    assert body["decisions"] == len(pending) and len(body["weeks"]) == 2
    assert sum(w["decisions"] for w in body["weeks"]) == len(pending)
    expected_top1 = sum(1 for i in range(len(pending)) if i % 4 == 0) / len(pending)
    assert abs(body["recent_top1_accuracy"] - expected_top1) < 1e-9
    assert all(abs(w["override_rate"] + w["top1_accuracy"] - 1) < 1e-9 and w["top3_accuracy"] == 1.0
               for w in body["weeks"])
    assert body["validation"]["top1_accuracy"] is not None
    assert body["warning"] and "Pertimbangkan melatih ulang" in body["warning"]
    calm = model_health(svc.db, {"top1_accuracy": expected_top1}, margin=0.1)  # no gap, no warning
    assert calm["warning"] is None
