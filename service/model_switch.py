"""Switching the served model without a restart: every server process follows the registry's active version.

Each process runs a :class:`ModelWatcher` thread that reads the active version every ``LAPOR_MODEL_POLL_SECONDS``
(default 2 s); when it changed, the process loads that version's directory (sha256-verified), and swaps it into
its triage (:meth:`service.triage.Triage.swap`) and its tenant's unit list; a change of the unit table
(an admin added, renamed or merged a unit through another process) reloads the unit list the same way. Sessions, keys, the duplicate index
and the intake queue stay as they are. The process that handles a promotion switches at once. The same thread
fails retrains whose server process is gone (:mod:`service.training_owner`) and reloads the handling-policy rules
when an admin changed them (:mod:`service.policy_rules`).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from pipeline.model import TriageModel
from pipeline.triage.new_units import UnitDescriptions
from service import policy_rules, registry, units
from service.db import Database
from service.settings import Settings
from service.tenant import Tenant
from service.yielding import keep_out_of_collections

log = logging.getLogger(__name__)


def load_version(row) -> TriageModel:
    return TriageModel.load(Path(row.path))


def load_tenant(settings: Settings, triage, db: Database | None = None) -> Tenant:
    """The served tenant's rules. Decisions may name the tenant's units (the unit table in the database, else
    units.csv), area offices, forward destinations and every unit the model knows — but never a unit renamed or
    merged away. Units the model does not know yet become ``triage.new_units`` (suggested by description)."""
    manifest = getattr(triage.model, "manifest", {}) or {}
    labels = [str(x) for x in manifest.get("labels") or []]
    tenant = Tenant.load(settings.served_tenant_dir, extra_units=labels)
    if db is None:
        return tenant
    try:
        active, retired = units.known(db)
        fresh = [u for u in units.list_units(db) if u.name not in set(labels)]
    except SQLAlchemyError as exc:  # not migrated yet: the files alone (/readyz says why)
        log.warning("unit table unavailable (%s)", str(exc).splitlines()[0])
        return tenant
    triage.new_units = UnitDescriptions.fit([(u.name, f"{u.name}. {u.aliases.replace('|', ', ')}. {u.description}")
                                             for u in fresh])
    return replace(tenant, units=frozenset((tenant.units | active) - retired))


def _units_stamp(db: Database):
    try:
        return units.stamp(db)
    except SQLAlchemyError:  # not migrated yet: the watcher's first poll that can read it reloads
        return None


def refresh_tenant(app) -> None:
    """Reload the tenant's units in this process (the API, the console and the intake workers). The unit
    table's stamp is read *before* the units, and the watcher takes it as seen: a change made elsewhere after
    it is a change at the next poll (never lost), and what was just loaded is not reloaded needlessly."""
    state = app.state
    stamp = _units_stamp(state.db)
    state.tenant = load_tenant(state.settings, state.triage, state.db)
    watcher = getattr(state, "model_watcher", None)
    if watcher is not None:
        watcher.units_seen = stamp
    if getattr(state, "ingestor", None) is not None:
        state.ingestor.tenant = state.tenant


def refresh_rules(app) -> None:
    """Reload the handling-policy rules in this process (applied from the next triage on)."""
    learning = getattr(app.state.triage, "learning", None)
    if learning is not None:
        learning.set_rules(policy_rules.active_rows(app.state.db))


def serve_model(app, model: TriageModel) -> None:
    """Serve ``model`` in this process: triage, tenant units (the model's labels) and the intake workers.

    It is warmed first (caches, screening matchers, the area gazetteer), while the current model still serves:
    the first complaints after a switch cost what they cost before it."""
    model.warm()
    model.warm_gazetteer()
    app.state.triage.swap(model)
    refresh_tenant(app)
    keep_out_of_collections(reclaim=True)  # the new model leaves the collector's scans, the replaced one is freed
    log.info("now serving model %s", model.version)


def follow(app, version: str | None) -> bool:
    """Switch to ``version`` if this process serves another one; True when it switched."""
    state = app.state
    if not version or version == state.triage.version:
        return False
    row = registry.get_row(state.db, version)
    if row is None:
        return False
    with state.model_switch_lock:
        if state.triage.version != version:
            serve_model(app, load_version(row))
            switched = True
        else:
            switched = False
    watcher = getattr(state, "model_watcher", None)
    if watcher is not None:  # a promote through this process is a change its watcher has seen: a rollback
        watcher.seen = version  # made elsewhere before the next poll then still reads as a change
    return switched


class ModelWatcher:
    """Polls the registry's active version and follows it (one daemon thread per server process)."""

    def __init__(self, app, db: Database, interval: float, seen: str | None):
        self.app = app
        self.db = db
        self.interval = interval
        self.seen = seen  # the active version when the process started: only a change is followed
        self.units_seen = None  # the unit table's stamp when its units were loaded (refresh_tenant)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_reap = 0.0
        self.rules_seen = None  # the handling-policy rules' stamp: a change (an admin elsewhere) reloads them

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="lapor-model-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def reap(self) -> None:
        """Every few polls: fail retrains whose server process is gone (any process may notice)."""
        retrainer = getattr(self.app.state, "retrainer", None)
        if retrainer is None or time.monotonic() < self._next_reap:
            return
        self._next_reap = time.monotonic() + retrainer.settings.retrain_heartbeat_seconds
        retrainer.reap()

    def check(self) -> bool:
        self.reap()
        feed = getattr(self.app.state.triage, "decision_feed", None)
        if feed is not None:
            feed.catch_up()  # dispositions made through the other processes reach this one's decision memory
        rules = policy_rules.stamp(self.db)
        if rules != self.rules_seen:  # the first poll too: a change between start-up and it is not lost
            refresh_rules(self.app)
            self.rules_seen = rules
        if units.stamp(self.db) != self.units_seen:  # the first poll too: the loaded units' stamp is the baseline
            refresh_tenant(self.app)  # which takes the stamp it read before loading as seen
        version = registry.active_version(self.db)
        if version is None or version == self.seen:
            return False
        switched = follow(self.app, version)
        self.seen = version
        return switched

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except SQLAlchemyError as exc:  # the database away: keep serving, look again
                log.warning("model watcher: cannot read the registry (%s)", str(exc).splitlines()[0])
            except Exception:  # a broken model directory: keep serving the current model, try again
                log.exception("model watcher: could not follow the registry")
