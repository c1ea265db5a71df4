"""``GET /v1/stats`` and the dashboard: SQL aggregates over the complaints table (no rows read into Python).

Complaints are counted by their own submission time (``reported_at``: ``submitted_at``, else the time the
server received it), bucketed in the tenant's time zone. Per OPD: received, disposed, answered, the median
and 90th percentile of time to disposition and time to answer, and the share within the deadline; the same
per period and OPD for the trends. Percentiles are linear interpolations (numpy's default) computed with
window functions, so SQLite and PostgreSQL give the same numbers.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import text

from service.db import Database
from service.tenant import Tenant
from service.workflow import MODEL_ROUTER, QUEUE_STATUSES

UNKNOWN = "(tidak diketahui)"


class _Sql:
    """The few expressions that differ between SQLite and PostgreSQL."""

    def __init__(self, dialect: str, tenant: Tenant):
        self.pg = dialect == "postgresql"
        self.zone = tenant.time_zone
        offset = datetime.now(tenant.calendar.tz).utcoffset() or timedelta(0)
        self.minutes = int(offset.total_seconds() // 60)

    def seconds(self, later: str, earlier: str) -> str:
        if self.pg:
            return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
        return f"((julianday({later}) - julianday({earlier})) * 86400.0)"

    def period(self, column: str, period: str) -> str:
        if self.pg:
            return f"CAST(date_trunc('{period}', {column} AT TIME ZONE '{self.zone}') AS DATE)"
        shift = f"'{self.minutes:+d} minutes'"
        if period == "day":
            return f"date({column}, {shift})"
        if period == "week":
            return f"date({column}, {shift}, '-6 days', 'weekday 1')"
        return f"strftime('%Y-%m-01', {column}, {shift})"


def _where(date_from, date_to) -> tuple[str, dict]:
    parts, params = ["1=1"], {}
    if date_from is not None:
        parts.append("reported_at >= :date_from")
        params["date_from"] = date_from
    if date_to is not None:
        parts.append("reported_at < :date_to")
        params["date_to"] = date_to
    return " AND ".join(parts), params


def _bind(params: dict, dialect: str) -> dict:
    """SQLite stores UTC datetimes naive (see ``service.models.UTCDateTime``)."""
    if dialect != "sqlite":
        return params
    return {k: v.astimezone(timezone.utc).replace(tzinfo=None) if isinstance(v, datetime) else v
            for k, v in params.items()}


def _interpolate(n: int, q: int, lo, hi) -> float | None:
    if not n or lo is None:
        return None
    frac = ((n - 1) * q % 100) / 100
    value = float(lo) + (frac * (float(hi) - float(lo)) if hi is not None else 0.0)
    return round(max(0.0, value), 3)


def _percentiles(session, sql: _Sql, where: str, params: dict, duration: str, keys: list[str]) -> dict:
    """{key tuple: (median, p90, n)} of ``duration`` (rows where it is not null), grouped by ``keys``."""
    cols = ", ".join(keys)
    q = text(f"""
        WITH d AS (
            SELECT {cols}, dur,
                   ROW_NUMBER() OVER (PARTITION BY {cols} ORDER BY dur) AS rn,
                   COUNT(*) OVER (PARTITION BY {cols}) AS n
            FROM (SELECT {', '.join(_key_expr(k, sql) + ' AS ' + k for k in keys)}, {duration} AS dur
                  FROM complaints WHERE {where}) x
            WHERE dur IS NOT NULL)
        SELECT {cols}, MAX(n) AS n,
               MAX(CASE WHEN rn = ((n - 1) * 50) / 100 + 1 THEN dur END) AS m_lo,
               MAX(CASE WHEN rn = ((n - 1) * 50) / 100 + 2 THEN dur END) AS m_hi,
               MAX(CASE WHEN rn = ((n - 1) * 90) / 100 + 1 THEN dur END) AS p_lo,
               MAX(CASE WHEN rn = ((n - 1) * 90) / 100 + 2 THEN dur END) AS p_hi
        FROM d GROUP BY {cols}""")
    out = {}
    for r in session.execute(q, params).mappings():
        key = tuple(r[k] for k in keys)
        out[key] = (_interpolate(r["n"], 50, r["m_lo"], r["m_hi"]), _interpolate(r["n"], 90, r["p_lo"], r["p_hi"]),
                    r["n"])
    return out


def _key_expr(key: str, sql: _Sql) -> str:
    if key == "opd":
        return f"COALESCE(routed_opd, suggested_opd, '{UNKNOWN}')"
    return key  # "period" expressions are substituted by the caller


def _as_start(value, tenant: Tenant) -> datetime:
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return datetime(day.year, day.month, day.day, tzinfo=tenant.calendar.tz)


def compute_stats(db: Database, tenant: Tenant, period: str, date_from: datetime | None,
                  date_to: datetime | None) -> dict:
    dialect = db.engine.dialect.name
    sql = _Sql(dialect, tenant)
    where, params = _where(date_from, date_to)
    params = _bind(params, dialect)
    to_route = sql.seconds("routed_at", "reported_at")
    to_answer = sql.seconds("responded_at", "reported_at")
    opd = _key_expr("opd", sql)
    bucket = sql.period("reported_at", period)
    queue = ", ".join(f"'{s}'" for s in QUEUE_STATUSES)
    with db.session() as session:
        totals = session.execute(text(f"""
            SELECT COUNT(*) AS received,
                   SUM(CASE WHEN routed_by = '{MODEL_ROUTER}' THEN 1 ELSE 0 END) AS auto_routed,
                   SUM(CASE WHEN responded_at IS NOT NULL THEN 1 ELSE 0 END) AS responded,
                   SUM(CASE WHEN status IN ({queue}) THEN 1 ELSE 0 END) AS in_review
            FROM complaints WHERE {where}"""), params).mappings().one()
        dwhere = where.replace("reported_at", "d.created_at")
        decisions = session.execute(text(f"""
            SELECT COUNT(*) AS n, SUM(CASE WHEN d.opd <> COALESCE(d.suggested_opd, '') THEN 1 ELSE 0 END) AS changed
            FROM decisions d WHERE d.action IN ('route', 'forward') AND {dwhere}"""), params).mappings().one()
        per_opd_rows = session.execute(text(f"""
            SELECT {opd} AS opd, COUNT(*) AS received,
                   SUM(CASE WHEN routed_opd IS NOT NULL AND routed_at IS NOT NULL THEN 1 ELSE 0 END) AS routed,
                   SUM(CASE WHEN responded_at IS NOT NULL THEN 1 ELSE 0 END) AS responded,
                   SUM(CASE WHEN disposed_within THEN 1 ELSE 0 END) AS disposed_within,
                   SUM(CASE WHEN disposed_within IS NOT NULL THEN 1 ELSE 0 END) AS disposed_judged,
                   SUM(CASE WHEN answered_within THEN 1 ELSE 0 END) AS answered_within,
                   SUM(CASE WHEN answered_within IS NOT NULL THEN 1 ELSE 0 END) AS answered_judged
            FROM complaints WHERE {where} GROUP BY {opd}"""), params).mappings().all()
        route_p = _percentiles(session, sql, where + " AND routed_at IS NOT NULL", params, to_route, ["opd"])
        answer_p = _percentiles(session, sql, where + " AND responded_at IS NOT NULL", params, to_answer, ["opd"])
        period_rows = session.execute(text(f"""
            SELECT {bucket} AS period, {opd} AS opd, COUNT(*) AS received,
                   SUM(CASE WHEN responded_at IS NOT NULL THEN 1 ELSE 0 END) AS responded
            FROM complaints WHERE {where} GROUP BY {bucket}, {opd}"""), params).mappings().all()
        trend = _period_percentiles(session, where, params, bucket, opd, to_answer, with_opd=True)
        overall = _period_percentiles(session, where, params, bucket, opd, to_answer, with_opd=False)
        counts = session.execute(text(f"""
            SELECT {bucket} AS period, COUNT(*) AS received,
                   SUM(CASE WHEN responded_at IS NOT NULL THEN 1 ELSE 0 END) AS responded,
                   SUM(CASE WHEN answered_within THEN 1 ELSE 0 END) AS answered_within,
                   SUM(CASE WHEN answered_within IS NOT NULL THEN 1 ELSE 0 END) AS answered_judged
            FROM complaints WHERE {where} GROUP BY {bucket}"""), params).mappings().all()
    n = totals["received"] or 0
    auto = totals["auto_routed"] or 0
    n_dec, changed = decisions["n"] or 0, decisions["changed"] or 0

    def share(a, b):
        return round(a / b, 4) if b else None

    periods = []
    for r in sorted(period_rows, key=lambda r: (str(r["period"]), r["opd"])):
        med, p90 = trend.get((str(r["period"])[:10], r["opd"]), (None, None))
        periods.append({"period_start": _as_start(r["period"], tenant), "opd": r["opd"], "received": r["received"],
                        "responded": r["responded"] or 0, "time_to_response_median_s": med,
                        "time_to_response_p90_s": p90})
    per_opd = []
    for r in sorted(per_opd_rows, key=lambda r: r["opd"]):
        rm, rp, _ = route_p.get((r["opd"],), (None, None, 0))
        am, ap, _ = answer_p.get((r["opd"],), (None, None, 0))
        per_opd.append({
            "opd": r["opd"], "received": r["received"], "routed": r["routed"] or 0, "responded": r["responded"] or 0,
            "time_to_route_median_s": rm, "time_to_route_p90_s": rp,
            "time_to_response_median_s": am, "time_to_response_p90_s": ap,
            "disposed_within_deadline": share(r["disposed_within"] or 0, r["disposed_judged"] or 0),
            "answered_within_deadline": share(r["answered_within"] or 0, r["answered_judged"] or 0),
        })
    return {
        "period": period, "date_from": date_from, "date_to": date_to, "time_zone": tenant.time_zone,
        "totals": {
            "received": n, "auto_routed": auto, "auto_route_rate": share(auto, n),
            "operator_routed": n_dec, "overridden": changed, "override_rate": share(changed, n_dec),
            "responded": totals["responded"] or 0, "in_review": totals["in_review"] or 0,
        },
        "periods": periods,
        "per_opd": per_opd,
        "trend": [{
            "period_start": _as_start(r["period"], tenant), "received": r["received"], "responded": r["responded"] or 0,
            "time_to_response_median_s": overall.get((str(r["period"])[:10], None), (None, None))[0],
            "time_to_response_p90_s": overall.get((str(r["period"])[:10], None), (None, None))[1],
            "answered_within_deadline": share(r["answered_within"] or 0, r["answered_judged"] or 0),
        } for r in sorted(counts, key=lambda r: str(r["period"]))],
    }


def _period_percentiles(session, where: str, params: dict, bucket: str, opd: str, duration: str,
                        with_opd: bool) -> dict:
    """{(period, opd or None): (median, p90)} of time to answer, per period (and OPD)."""
    keys = "period, opd" if with_opd else "period"
    q = text(f"""
        WITH d AS (
            SELECT {keys}, dur,
                   ROW_NUMBER() OVER (PARTITION BY {keys} ORDER BY dur) AS rn,
                   COUNT(*) OVER (PARTITION BY {keys}) AS n
            FROM (SELECT {bucket} AS period, {opd} AS opd, {duration} AS dur FROM complaints
                  WHERE {where} AND responded_at IS NOT NULL) x)
        SELECT {keys}, MAX(n) AS n,
               MAX(CASE WHEN rn = ((n - 1) * 50) / 100 + 1 THEN dur END) AS m_lo,
               MAX(CASE WHEN rn = ((n - 1) * 50) / 100 + 2 THEN dur END) AS m_hi,
               MAX(CASE WHEN rn = ((n - 1) * 90) / 100 + 1 THEN dur END) AS p_lo,
               MAX(CASE WHEN rn = ((n - 1) * 90) / 100 + 2 THEN dur END) AS p_hi
        FROM d GROUP BY {keys}""")
    return {(str(r["period"])[:10], r["opd"] if with_opd else None): (
        _interpolate(r["n"], 50, r["m_lo"], r["m_hi"]), _interpolate(r["n"], 90, r["p_lo"], r["p_hi"]))
        for r in session.execute(q, params).mappings()}
