"""``/model``: the served model and its health, the registry's versions with their comparison, retrain, promote.

Everyone sees the page; analysts and admins start a retrain, admins promote (a rollback is promoting an earlier
version; a candidate the comparison found worse needs the override box). The same service functions as the API.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from service import registry
from service.console.web import ANY_ROLE, check_csrf, flash, need, page, read_form, redirect
from service.errors import DomainError
from service.model_health import model_health
from service.model_switch import follow

router = APIRouter(include_in_schema=False)

STATUS_LABEL = {"training": "sedang dilatih", "candidate": "kandidat", "active": "aktif",
                "retired": "versi lama", "failed": "gagal"}
COMPARED = (("top1_accuracy", "Akurasi top-1"), ("top3_accuracy", "Akurasi top-3"), ("macro_f1", "Macro-F1"),
            ("coverage_at_target", "Cakupan rute otomatis pada presisi target"),
            ("auto_route_coverage", "Cakupan rute otomatis (ambang model)"),
            ("auto_route_precision", "Presisi rute otomatis (ambang model)"))
RETRAIN_ROLES = ("analyst", "admin")
# why a retrain failed, for the analyst, by how its recorded (English, technical) error starts; the error itself is
# shown below the summary as the detail to pass on
FAILURE_SUMMARY = (
    ("TrainingStopped", "Dihentikan karena server dimatikan saat pelatihan berjalan; jalankan latih ulang lagi."),
    ("TimeoutError", "Dihentikan karena tidak selesai dalam batas waktu pelatihan (LAPOR_RETRAIN_TIMEOUT_SECONDS)."),
    ("abandoned", "Ditinggalkan: proses server yang melatihnya berhenti sebelum pelatihan selesai."),
    ("ChildProcessError", "Proses pelatihan berhenti tanpa hasil (mungkin kehabisan memori)."),
    ("DataError", "Data latih tidak dapat dipakai; lihat rinciannya."),
)


def failure_summary(error: str | None) -> str | None:
    """The analyst's reading of a failed version's error, or None when there is none."""
    if not error:
        return None
    known = (text for start, text in FAILURE_SUMMARY if error.startswith(start))
    return next(known, "Pelatihan gagal; lihat rinciannya.")


def _validation_rows(manifest: dict) -> list[tuple[str, object]]:
    validation = manifest.get("validation") if isinstance(manifest.get("validation"), dict) else None
    return [(k, v) for k, v in (validation or {}).items() if isinstance(v, (int, float, str, bool)) or v is None]


@router.get("/model", response_class=HTMLResponse)
def model_page(request: Request):
    sess = need(request, *ANY_ROLE)
    triage = request.app.state.triage
    m = getattr(triage.model, "manifest", {}) or {}
    versions = [registry.version_out(r) for r in registry.list_versions(request.app.state.db)]
    latest = next((v for v in versions if (v["metrics"] or {}).get("comparison")), None)
    health = model_health(request.app.state.db, m.get("validation") if isinstance(m.get("validation"), dict) else None,
                          margin=request.app.state.settings.health_drift_margin)
    return page(request, "model.html", {
        "title": "Model", "active": "model", "version": triage.version, "manifest": m,
        "labels": list(m.get("labels") or []), "validation": _validation_rows(m), "components": triage.components,
        "versions": versions, "latest": latest, "health": health, "STATUS_LABEL": STATUS_LABEL, "COMPARED": COMPARED,
        "failure_summary": failure_summary,
        "can_retrain": sess.principal.role in RETRAIN_ROLES, "can_promote": sess.principal.role == "admin"})


@router.post("/model/latih-ulang")
async def retrain(request: Request):
    sess = need(request, *RETRAIN_ROLES)
    check_csrf(request, await read_form(request), sess)
    p = sess.principal
    try:
        version = request.app.state.retrainer.start(f"{p.role}:{p.name}")
    except DomainError as exc:
        return flash(request, redirect("/model"), exc.detail, "galat")
    except Exception as exc:  # base data missing or unreadable: say so on the page
        return flash(request, redirect("/model"), f"Pelatihan ulang tidak dapat dimulai: {exc}", "galat")
    return flash(request, redirect("/model"), f"Pelatihan ulang {version} dimulai; muat ulang halaman ini untuk "
                                              "melihat hasil perbandingannya.")


@router.post("/model/{version}/aktifkan")
async def promote(request: Request, version: str):
    sess = need(request, "admin")
    form = await read_form(request)
    check_csrf(request, form, sess)
    p = sess.principal
    try:
        row = registry.promote(request.app.state.db, version, f"{p.role}:{p.name}",
                               override=form.get("paksa") == "1")
    except DomainError as exc:
        return flash(request, redirect("/model"), exc.detail, "galat")
    follow(request.app, row.version)
    return flash(request, redirect("/model"), f"Model {row.version} sekarang aktif; semua proses server beralih "
                                              "dalam beberapa detik tanpa memutus sesi.")
