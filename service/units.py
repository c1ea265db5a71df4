"""The tenant's unit table in the database: admins add, rename and merge units; decisions name only known units.

On first start the table is filled from the tenant's ``units.csv``. The units a decision may name are the active
rows, the tenant's area offices and forward destinations, and the units the served model knows — never a name
that was renamed or merged away. A rename or merge keeps the old row pointing at its successor, so a retrain maps
every label under the old name to the new one (:func:`label_map`), and a new unit's description is a training
document at the next retrain and a suggestion at once (:class:`pipeline.triage.new_units.UnitDescriptions`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from pipeline.io import read_table
from service.admin_models import Unit
from service.db import Database
from service.errors import Conflict, Invalid, not_found
from service.models import utcnow

ACTIVE, RENAMED, MERGED = "active", "renamed", "merged"
SEED = "tenant units.csv"


def _clean(name: str | None, field: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise Invalid("invalid_unit", f"{field}: nama unit tidak boleh kosong.", ["body", field])
    return name


def seed_units(db: Database, tenant_dir: Path) -> int:
    """Fill an empty unit table from the tenant's units.csv; the number of units added."""
    path = Path(tenant_dir) / "units.csv"
    with db.session() as session:
        if session.scalar(select(func.count()).select_from(Unit)) or not path.is_file():
            return 0
    rows = read_table(path)
    now = utcnow()
    units = [Unit(name=" ".join(str(r.get("name", "")).split()), kind=str(r.get("kind", "") or ""),
                  description=str(r.get("description", "") or ""), aliases=str(r.get("aliases", "") or ""),
                  status=ACTIVE, created_by=SEED, created_at=now, updated_at=now)
             for r in rows.to_dict("records") if str(r.get("name", "")).strip()]
    try:
        with db.session(write=True) as session, session.begin():
            if not session.scalar(select(func.count()).select_from(Unit)):
                session.add_all(units)
    except IntegrityError:  # a sibling process seeded it at the same moment
        return 0
    return len(units)


def unit_out(u: Unit) -> dict:
    return {"name": u.name, "kind": u.kind, "description": u.description,
            "aliases": [a for a in (u.aliases or "").split("|") if a], "status": u.status,
            "replaced_by": u.replaced_by, "created_by": u.created_by,
            "updated_at": u.updated_at.isoformat(timespec="seconds")}


def list_units(db: Database, include_replaced: bool = False) -> list[Unit]:
    with db.session() as session:
        q = select(Unit).order_by(Unit.name)
        if not include_replaced:
            q = q.where(Unit.status == ACTIVE)
        return list(session.scalars(q).all())


def stamp(db: Database) -> tuple:
    """Changes when the table changes (each process refreshes its tenant's units then)."""
    with db.session() as session:
        return tuple(session.execute(select(func.count(Unit.id), func.max(Unit.updated_at))).one())


def known(db: Database) -> tuple[set[str], set[str]]:
    """(active unit names, names renamed or merged away)."""
    with db.session() as session:
        rows = session.execute(select(Unit.name, Unit.status)).all()
    return {n for n, s in rows if s == ACTIVE}, {n for n, s in rows if s != ACTIVE}


def label_map(db: Database) -> dict[str, str]:
    """Old unit name → the active unit it became (renames and merges followed to the end)."""
    with db.session() as session:
        nxt = dict(session.execute(select(Unit.name, Unit.replaced_by).where(Unit.status != ACTIVE)).all())
    out = {}
    for old in nxt:
        seen, cur = {old}, nxt[old]
        while cur in nxt and cur not in seen:
            seen.add(cur)
            cur = nxt[cur]
        if cur:
            out[old] = cur
    return out


def units_frame(db: Database) -> pd.DataFrame:
    """The active units as a training unit table (name, aliases, description)."""
    rows = [{"name": u.name, "aliases": u.aliases, "description": u.description} for u in list_units(db)]
    return pd.DataFrame(rows, columns=["name", "aliases", "description"])


def _active(session, name: str, field: str) -> Unit:
    row = session.scalar(select(Unit).where(Unit.name == name))
    if row is None:
        raise not_found(f"Unit '{name}'")
    if row.status != ACTIVE:
        raise Conflict("unit_replaced", f"{field}: unit '{name}' sudah {'diganti nama' if row.status == RENAMED else 'digabung'} "
                                        f"menjadi '{row.replaced_by}'.")
    return row


def _free(session, name: str, field: str) -> None:
    if session.scalar(select(Unit.id).where(Unit.name == name)) is not None:
        raise Conflict("unit_exists", f"{field}: unit '{name}' sudah ada (atau pernah ada) di daftar unit.")


def add_unit(db: Database, name: str, description: str, aliases: list[str], kind: str, by: str) -> Unit:
    name = _clean(name, "name")
    if not description.strip():
        raise Invalid("invalid_unit", "description: uraian tugas unit diperlukan — dari uraian itulah unit baru "
                                      "dapat disarankan sebelum model dilatih ulang.", ["body", "description"])
    now = utcnow()
    with db.session(write=True) as session, session.begin():
        _free(session, name, "name")
        row = Unit(name=name, kind=kind.strip(), description=description.strip(),
                   aliases="|".join(a.strip() for a in aliases if a.strip()), status=ACTIVE, created_by=by,
                   created_at=now, updated_at=now)
        session.add(row)
    return row


def rename_unit(db: Database, old: str, new: str, by: str) -> Unit:
    """``old`` becomes ``new`` (same description; the old name is kept as an alias and follows to ``new``)."""
    new = _clean(new, "new_name")
    now = utcnow()
    with db.session(write=True) as session, session.begin():
        row = _active(session, old, "name")
        _free(session, new, "new_name")
        aliases = [a for a in (row.aliases or "").split("|") if a] + [old]
        renamed = Unit(name=new, kind=row.kind, description=row.description, aliases="|".join(aliases),
                       status=ACTIVE, created_by=by, created_at=now, updated_at=now)
        row.status, row.replaced_by, row.updated_at = RENAMED, new, now
        session.add(renamed)
    return renamed


def merge_unit(db: Database, source: str, into: str, by: str) -> Unit:
    """``source`` is merged into ``into``: decisions name ``into``, ``source``'s labels follow it."""
    if source == into:
        raise Invalid("invalid_unit", "into: unit tidak dapat digabung dengan dirinya sendiri.", ["body", "into"])
    now = utcnow()
    with db.session(write=True) as session, session.begin():
        row = _active(session, source, "name")
        target = _active(session, into, "into")
        row.status, row.replaced_by, row.updated_at = MERGED, target.name, now
        target.updated_at = now
    return target
