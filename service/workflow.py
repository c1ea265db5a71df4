"""The complaint workflow: statuses, actions and the transition table — pure, no database, no HTTP.

Amsterdam Signals style: every status change is one row of :data:`TRANSITIONS` (which statuses an action may
start from and where it leads); :func:`plan` turns an action on a complaint's current state into the change to
store, or refuses it with a :class:`service.errors.Conflict`. The caller (``service.decisions``) only persists
what :func:`plan` returns and appends the history row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from service.errors import Conflict, Invalid

# -- statuses ----------------------------------------------------------------------------------------
PENDING_REVIEW = "pending_review"   # waiting for verification by an operator (menunggu verifikasi)
ROUTED = "routed"                   # disposed to an OPD (didisposisikan), waiting for its follow-up
ESCALATED = "escalated"             # handed to a supervisor (dieskalasi)
MERGED = "merged"                   # a duplicate of another complaint (digabung)
RESPONDED = "responded"             # the OPD answered (ditindaklanjuti)
STATUSES = (PENDING_REVIEW, ROUTED, ESCALATED, MERGED, RESPONDED)
QUEUE_STATUSES = (PENDING_REVIEW, ESCALATED)

# -- review reasons (why a complaint is in the queue) ----------------------------------------------------
NOT_AUTO_ROUTED = "not_auto_routed"
FLAGGED = "flagged"
PROBABLE_DUPLICATE = "probable_duplicate"
ESCALATION = "escalated"
REASONS = (NOT_AUTO_ROUTED, FLAGGED, PROBABLE_DUPLICATE, ESCALATION)

MODEL_ROUTER = "model"  # routed_by of a complaint the model routed on its own

# -- actions -------------------------------------------------------------------------------------------
ROUTE = "route"
MERGE = "merge"
CLEAR_FLAG = "clear_flag"
ESCALATE = "escalate"


@dataclass(frozen=True)
class Transition:
    """``action`` may start from ``sources``; it leads to ``target`` (None: decided by the rule itself)."""

    sources: frozenset[str]
    target: str | None
    needs_note: bool = False


TRANSITIONS: dict[str, Transition] = {
    ROUTE: Transition(frozenset({PENDING_REVIEW, ESCALATED, ROUTED}), ROUTED),
    MERGE: Transition(frozenset({PENDING_REVIEW, ESCALATED, ROUTED}), MERGED),
    CLEAR_FLAG: Transition(frozenset({PENDING_REVIEW, ESCALATED, ROUTED}), None, needs_note=True),
    ESCALATE: Transition(frozenset({PENDING_REVIEW, ROUTED}), ESCALATED, needs_note=True),
}
ACTIONS = tuple(TRANSITIONS)


def allowed_actions(status: str) -> list[str]:
    """The actions an operator may take on a complaint in ``status`` (the console shows these buttons)."""
    return [a for a, t in TRANSITIONS.items() if status in t.sources]


@dataclass(frozen=True)
class State:
    """What the workflow needs to know about a complaint."""

    id: int
    status: str
    reasons: tuple[str, ...] = ()
    flagged: bool = False
    flag_cleared: bool = False
    suggested_opd: str | None = None
    duplicate_of: int | None = None


@dataclass(frozen=True)
class Target:
    """The complaint another one is merged into."""

    id: int
    status: str
    duplicate_of: int | None = None


@dataclass(frozen=True)
class Command:
    action: str
    operator: str
    opd: str | None = None
    duplicate_of: int | None = None
    note: str | None = None


@dataclass
class Change:
    """Columns to set on the complaint (``values``) and the status it ends in."""

    to_status: str
    reasons: list[str]
    values: dict = field(default_factory=dict)


DUP_LOC = ["body", "duplicate_of"]


def check_merge_target(state: State, target: Target | None, wanted: int) -> None:
    """A complaint may only be merged into another open complaint that is not merged itself."""
    if wanted == state.id:
        raise Invalid("invalid_duplicate_of", "duplicate_of: pengaduan tidak dapat menjadi duplikat dirinya sendiri.",
                      DUP_LOC)
    if target is None:
        raise Invalid("invalid_duplicate_of", f"duplicate_of: pengaduan {wanted} tidak ditemukan.", DUP_LOC)
    if target.status == MERGED:
        raise Invalid("invalid_duplicate_of",
                      f"duplicate_of: pengaduan {target.id} sendiri sudah digabung ke {target.duplicate_of}; "
                      f"gabungkan ke {target.duplicate_of}.", DUP_LOC)


def plan(state: State, cmd: Command, now, target: Target | None = None) -> Change:
    """The change ``cmd`` makes to a complaint in ``state``; :class:`Conflict` when the table forbids it."""
    rule = TRANSITIONS.get(cmd.action)
    if rule is None:
        raise Invalid("invalid_action", f"action: tindakan '{cmd.action}' tidak dikenal.", ["body", "action"])
    if state.status not in rule.sources:
        if cmd.action == ESCALATE and state.status == ESCALATED:
            raise Conflict("invalid_state", "Pengaduan ini sudah dieskalasi.")
        raise Conflict("invalid_state", f"Pengaduan berstatus '{state.status}' tidak dapat diputuskan lagi.")
    if rule.needs_note and not (cmd.note and cmd.note.strip()):
        raise Invalid("note_required", f"note: catatan wajib untuk tindakan '{cmd.action}'.", ["body", "note"])
    reasons = list(state.reasons)
    if cmd.action == ROUTE:
        if state.flagged and not state.flag_cleared:
            raise Conflict("flag_not_cleared", "Pengaduan ini ditandai oleh penyaringan; bersihkan tanda "
                                               "(clear_flag) dengan catatan sebelum merutekan.")
        reasons = [r for r in reasons if r not in (NOT_AUTO_ROUTED, PROBABLE_DUPLICATE, ESCALATION)]
        return Change(ROUTED, reasons, {"routed_opd": (cmd.opd or "").strip(), "routed_at": now,
                                        "routed_by": cmd.operator})
    if cmd.action == MERGE:
        check_merge_target(state, target, cmd.duplicate_of or 0)
        return Change(MERGED, [], {"duplicate_of": target.id})
    if cmd.action == CLEAR_FLAG:
        if not state.flagged or state.flag_cleared:
            raise Conflict("no_flag", "Pengaduan ini tidak memiliki tanda yang perlu dibersihkan.")
        reasons = [r for r in reasons if r != FLAGGED]
        values: dict = {"flag_cleared": True}
        status = state.status
        if not reasons:
            # the model was confident and nothing else is outstanding: the operator's clearance routes it
            status = ROUTED
            values.update(routed_opd=state.suggested_opd, routed_at=now, routed_by=cmd.operator)
        elif ESCALATION not in reasons:
            status = PENDING_REVIEW
        return Change(status, reasons, values)
    # ESCALATE
    return Change(ESCALATED, reasons + [ESCALATION], {})
