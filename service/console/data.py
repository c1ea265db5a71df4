"""Console labels (Bahasa Indonesia) and the small lookups the pages need (areas, API keys)."""

from __future__ import annotations

from sqlalchemy import select

from service.admin_models import ApiKey
from service.db import Database
from service.models import Complaint

REASON_LABEL = {
    "not_auto_routed": "Perlu disposisi",
    "flagged": "Ditandai",
    "probable_duplicate": "Kemungkinan duplikat",
    "escalated": "Dieskalasi",
}
REASON_HELP = {
    "not_auto_routed": "model belum cukup yakin untuk mendisposisikan sendiri",
    "flagged": "penyaringan menemukan kata yang perlu diperiksa",
    "probable_duplicate": "mirip dengan pengaduan sebelumnya",
    "escalated": "diteruskan ke atasan/pengawas",
}
STATUS_LABEL = {
    "pending_review": "Menunggu verifikasi",
    "verified": "Terverifikasi",
    "routed": "Didisposisikan",
    "escalated": "Dieskalasi",
    "postponed": "Ditunda",
    "merged": "Digabung",
    "responded": "Ditindaklanjuti",
    "done": "Selesai",
    "archived": "Diarsipkan",
}
ACTION_LABEL = {"route": "Disposisi", "forward": "Bukan wewenang — diteruskan", "verify": "Verifikasi",
                "postpone": "Tunda", "archive": "Arsipkan", "done": "Selesai", "merge": "Gabung sebagai duplikat",
                "unmerge": "Batalkan gabung", "reopen": "Buka kembali", "clear_flag": "Hapus tanda",
                "escalate": "Eskalasi", "claim": "Ambil", "release": "Lepas"}
STAGE_LABEL = {"verification": "verifikasi", "follow_up": "tindak lanjut OPD"}
ROLE_LABEL = {"operator": "Operator", "analyst": "Analis", "admin": "Admin"}


def distinct_areas(db: Database) -> tuple[list[str], list[str]]:
    with db.session() as session:
        kec = session.scalars(select(Complaint.kecamatan).where(Complaint.kecamatan.is_not(None)).distinct()).all()
        kel = session.scalars(select(Complaint.kelurahan).where(Complaint.kelurahan.is_not(None)).distinct()).all()
    return sorted({k for k in kec if k}), sorted({k for k in kel if k})


def api_keys(db: Database) -> list[ApiKey]:
    with db.session() as session:
        return list(session.scalars(select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.id)).all())
