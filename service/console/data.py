"""What the console reads from the database, through the service's own models and serialisers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from service.db import Database
from service.models import QUEUE_STATUSES, ApiKey, Complaint

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
UNKNOWN_OPD = "(belum ada saran)"


@dataclass(frozen=True)
class QueueEntry:
    id: int
    received_at: datetime
    reasons: tuple[str, ...]
    opd: str  # the suggested OPD, or UNKNOWN_OPD
    status: str


def queue_index(db: Database) -> list[QueueEntry]:
    """Every complaint waiting for a human, oldest first (the order of ``GET /v1/review``)."""
    q = (select(Complaint.id, Complaint.received_at, Complaint.review_reasons, Complaint.suggested_opd,
                Complaint.status)
         .where(Complaint.status.in_(QUEUE_STATUSES))
         .order_by(Complaint.received_at, Complaint.id))
    with db.session() as session:
        rows = session.execute(q).all()
    return [QueueEntry(r.id, r.received_at, tuple(r.review_reasons or ()), r.suggested_opd or UNKNOWN_OPD, r.status)
            for r in rows]


def filter_queue(entries: list[QueueEntry], reason: str | None, opd: str | None) -> list[QueueEntry]:
    return [e for e in entries if (not reason or reason in e.reasons) and (not opd or e.opd == opd)]


def reason_counts(entries: list[QueueEntry], opd: str | None) -> Counter:
    counts: Counter = Counter()
    for e in filter_queue(entries, None, opd):
        counts.update(set(e.reasons))
    return counts


def opd_counts(entries: list[QueueEntry], reason: str | None) -> Counter:
    return Counter(e.opd for e in filter_queue(entries, reason, None))


def neighbours(entries: list[QueueEntry], cid: int) -> tuple[int | None, int | None, int | None]:
    """(position 1-based or None, previous id, next id) of ``cid`` in a filtered queue."""
    ids = [e.id for e in entries]
    if cid in ids:
        i = ids.index(cid)
        return i + 1, ids[i - 1] if i > 0 else None, ids[i + 1] if i + 1 < len(ids) else None
    return None, None, ids[0] if ids else None


def next_after_decision(entries: list[QueueEntry], cid: int, received_at: datetime | None) -> int | None:
    """The item to open after deciding ``cid``: the next one in queue order, else the oldest other one."""
    others = [e for e in entries if e.id != cid]
    if not others:
        return None
    if received_at is not None:
        for e in others:
            if (e.received_at, e.id) > (received_at, cid):
                return e.id
    return others[0].id


def distinct_areas(db: Database) -> tuple[list[str], list[str]]:
    with db.session() as session:
        kec = session.scalars(select(Complaint.kecamatan).where(Complaint.kecamatan.is_not(None)).distinct()).all()
        kel = session.scalars(select(Complaint.kelurahan).where(Complaint.kelurahan.is_not(None)).distinct()).all()
    return sorted({k for k in kec if k}), sorted({k for k in kel if k})


def api_keys(db: Database) -> list[ApiKey]:
    with db.session() as session:
        return list(session.scalars(select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.id)).all())
