"""Handling-policy rules in the database: admins add, edit, disable and enable them; every change is audited.

The matching is :mod:`pipeline.routing.policy`'s (the columns of ``handling_policy.csv``); this module only keeps
the rules. On first start an empty table is seeded from the tenant's ``handling_policy.csv``; from then on the
database is the source. A rule is never deleted — disabled, it stops applying and stays in the history. Each change
is validated with the pipeline's own parser (a rule needs a condition and a target: 422 otherwise), writes a
``policy_rule_history`` row (who, when, before, after) in the same transaction, and bumps ``updated_at``: the
serving process applies it at once, every other process within ``LAPOR_MODEL_POLL_SECONDS`` (:func:`stamp`,
polled by :class:`service.model_switch.ModelWatcher`). The explanation names the rule by its number.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from pipeline.errors import DataError
from pipeline.routing.policy import COLUMNS, POLICY_FILE, TARGET_WORDS, load_policy, parse_rules
from service.admin_models import PolicyRule, PolicyRuleHistory
from service.db import Database
from service.errors import Invalid, not_found
from service.models import utcnow

SEED = "tenant handling_policy.csv"
FIELDS = COLUMNS  # keywords, unit, kecamatan, kelurahan, route_to, reason


def values(rule: PolicyRule) -> dict:
    return {k: getattr(rule, k) for k in FIELDS} | {"enabled": bool(rule.enabled)}


def rule_out(rule: PolicyRule) -> dict:
    stamp = lambda t: t.isoformat(timespec="seconds") if t else None  # noqa: E731
    return {"id": rule.id, **values(rule), "created_by": rule.created_by, "created_at": stamp(rule.created_at),
            "updated_by": rule.updated_by, "updated_at": stamp(rule.updated_at)}


def _checked(fields: dict) -> dict:
    clean = {k: " ".join(str(fields.get(k) or "").split()) for k in FIELDS}
    try:
        parse_rules([clean], "aturan")
    except DataError as exc:
        msg = str(exc)
        text = ("Aturan perlu tujuan (route_to: kelurahan, kecamatan, dinas atau nama unit)." if "route_to" in msg
                else "Aturan perlu paling sedikit satu syarat: kata kunci, unit, kecamatan atau kelurahan.")
        raise Invalid("invalid_policy_rule", text, ["body", "route_to" if "route_to" in msg else "keywords"]) from None
    return clean


def seed_rules(db: Database, tenant_dir: Path) -> int:
    """Fill an empty rule table from the tenant's handling_policy.csv; the number of rules added."""
    path = Path(tenant_dir) / POLICY_FILE
    with db.session() as session:
        if session.scalar(select(func.count()).select_from(PolicyRule)) or not path.is_file():
            return 0
    rows = [_checked(r) for r in load_policy(path)]
    try:
        with db.session(write=True) as session, session.begin():
            if session.scalar(select(func.count()).select_from(PolicyRule)):
                return 0
            now = utcnow()
            for row in rows:
                rule = PolicyRule(**row, enabled=True, created_by=SEED, created_at=now, updated_by=SEED,
                                  updated_at=now)
                session.add(rule)
                session.flush()
                session.add(PolicyRuleHistory(rule_id=rule.id, action="created", by=SEED, at=now, before=None,
                                              after=values(rule)))
    except IntegrityError:  # a sibling process seeded it at the same moment
        return 0
    return len(rows)


def list_rules(db: Database) -> list[PolicyRule]:
    with db.session() as session:
        return list(session.scalars(select(PolicyRule).order_by(PolicyRule.id)).all())


def history(db: Database, rule_id: int | None = None, limit: int = 200) -> list[PolicyRuleHistory]:
    with db.session() as session:
        q = select(PolicyRuleHistory).order_by(PolicyRuleHistory.id.desc()).limit(limit)
        if rule_id is not None:
            q = q.where(PolicyRuleHistory.rule_id == rule_id)
        return list(session.scalars(q).all())


def stamp(db: Database) -> tuple:
    """Changes whenever a rule changes (each process reloads its rules then)."""
    with db.session() as session:
        return tuple(session.execute(select(func.count(PolicyRule.id), func.max(PolicyRule.updated_at))).one())


def add_rule(db: Database, fields: dict, by: str) -> PolicyRule:
    clean = _checked(fields)
    now = utcnow()
    with db.session(write=True) as session, session.begin():
        rule = PolicyRule(**clean, enabled=True, created_by=by, created_at=now, updated_by=by, updated_at=now)
        session.add(rule)
        session.flush()
        session.add(PolicyRuleHistory(rule_id=rule.id, action="created", by=by, at=now, before=None,
                                      after=values(rule)))
        session.flush()
        session.expunge(rule)
    return rule


def change_rule(db: Database, rule_id: int, by: str, fields: dict | None = None,
                enabled: bool | None = None) -> PolicyRule:
    """Edit a rule's fields (those given) and/or enable or disable it; a change that changes nothing is no row."""
    with db.session(write=True) as session, session.begin():
        rule = session.scalar(select(PolicyRule).where(PolicyRule.id == rule_id).with_for_update())
        if rule is None:
            raise not_found("Aturan kebijakan")
        before = values(rule)
        if fields:
            clean = _checked({**before, **{k: v for k, v in fields.items() if k in FIELDS and v is not None}})
            for k, v in clean.items():
                setattr(rule, k, v)
        if enabled is not None:
            rule.enabled = bool(enabled)
        after = values(rule)
        if after != before:
            action = ("disabled" if before["enabled"] and not after["enabled"] else
                      "enabled" if after["enabled"] and not before["enabled"] else "updated")
            rule.updated_by, rule.updated_at = by, utcnow()
            session.add(PolicyRuleHistory(rule_id=rule.id, action=action, by=by, at=rule.updated_at,
                                          before=before, after=after))
        session.flush()
        session.expunge(rule)
    return rule


def active_rows(db: Database) -> list[dict]:
    """The enabled rules as pipeline.routing.policy rows, oldest first; the reason names the rule's number."""
    rows = []
    for rule in list_rules(db):
        if not rule.enabled:
            continue
        row = {k: getattr(rule, k) for k in FIELDS}
        shown = row["reason"] or f"diteruskan ke {TARGET_WORDS.get(row['route_to'].lower(), row['route_to'])}"
        row["reason"] = f"{shown} (aturan #{rule.id})"
        rows.append(row)
    return rows
