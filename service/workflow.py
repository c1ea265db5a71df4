"""The complaint workflow in LAPOR! terms: statuses, actions and the transition table — pure, no database.

Amsterdam Signals style: every status change is one row of :data:`TRANSITIONS` (which statuses an action may
start from, where it leads, what it needs); :func:`plan` turns an action on a complaint's current state into
the change to store, or refuses it with :class:`service.errors.Conflict` / :class:`service.errors.Invalid`.
The caller (``service.decisions``) persists what :func:`plan` returns and appends the history row (who,
when, why) — history is never edited.

| LAPOR! | action | status after |
|---|---|---|
| verifikasi | ``verify`` | ``verified`` (waiting for disposition) |
| disposisi (lead OPD + co-handling OPDs) | ``route`` | ``routed`` |
| bukan wewenang → teruskan | ``forward`` (also after an answer) | ``routed`` |
| tunda (with reason) | ``postpone`` | ``postponed`` |
| arsipkan | ``archive`` | ``archived`` |
| tindak lanjut OPD | ``POST …/response`` | ``responded`` |
| selesai | ``done`` | ``done`` |
| gabung / batalkan gabung | ``merge`` / ``unmerge`` | ``merged`` / the status before the merge |
| buka kembali | ``reopen`` | ``pending_review`` |
| eskalasi, hapus tanda | ``escalate``, ``clear_flag`` | ``escalated`` / unchanged or routed |
| ambil / lepas | ``claim`` / ``release`` | unchanged (who works on it) |
"""

from __future__ import annotations

from dataclasses import dataclass, field

from service.errors import Conflict, Invalid

# -- statuses ----------------------------------------------------------------------------------------
PENDING_REVIEW = "pending_review"   # waiting for verification (menunggu verifikasi)
VERIFIED = "verified"               # verified, waiting for disposition (terverifikasi)
ROUTED = "routed"                   # disposed to an OPD (didisposisikan), waiting for its follow-up
ESCALATED = "escalated"             # handed to a supervisor (dieskalasi)
POSTPONED = "postponed"             # on hold with a reason (ditunda)
MERGED = "merged"                   # a duplicate of another complaint (digabung)
RESPONDED = "responded"             # the OPD answered (ditindaklanjuti)
DONE = "done"                       # settled (selesai)
ARCHIVED = "archived"               # not about a public service (diarsipkan)
STATUSES = (PENDING_REVIEW, VERIFIED, ROUTED, ESCALATED, POSTPONED, MERGED, RESPONDED, DONE, ARCHIVED)
QUEUE_STATUSES = (PENDING_REVIEW, VERIFIED, ESCALATED)
OPEN_STATUSES = (PENDING_REVIEW, VERIFIED, ROUTED, ESCALATED, POSTPONED, RESPONDED)  # may take a merge

# -- review reasons (why a complaint is in the queue) ----------------------------------------------------
NOT_AUTO_ROUTED = "not_auto_routed"
FLAGGED = "flagged"
PROBABLE_DUPLICATE = "probable_duplicate"
ESCALATION = "escalated"
REASONS = (NOT_AUTO_ROUTED, FLAGGED, PROBABLE_DUPLICATE, ESCALATION)

MODEL_ROUTER = "model"  # routed_by of a complaint the model routed on its own

# -- deadline stages ----------------------------------------------------------------------------------
VERIFICATION = "verification"
FOLLOW_UP = "follow_up"
STAGE_OF = {PENDING_REVIEW: VERIFICATION, VERIFIED: VERIFICATION, ESCALATED: VERIFICATION, ROUTED: FOLLOW_UP}

# -- actions -------------------------------------------------------------------------------------------
VERIFY, ROUTE, FORWARD, POSTPONE, ARCHIVE, DONE_ACTION = "verify", "route", "forward", "postpone", "archive", "done"
MERGE, UNMERGE, REOPEN, CLEAR_FLAG, ESCALATE = "merge", "unmerge", "reopen", "clear_flag", "escalate"
CLAIM, RELEASE = "claim", "release"

_BEFORE_DISPOSITION = frozenset({PENDING_REVIEW, VERIFIED, ESCALATED, POSTPONED})


@dataclass(frozen=True)
class Transition:
    """``action`` may start from ``sources``; it leads to ``target`` (None: the rule decides)."""

    sources: frozenset[str]
    target: str | None
    needs_note: bool = False
    needs_opd: bool = False


TRANSITIONS: dict[str, Transition] = {
    VERIFY: Transition(frozenset({PENDING_REVIEW, ESCALATED, POSTPONED}), VERIFIED),
    ROUTE: Transition(_BEFORE_DISPOSITION | {ROUTED, RESPONDED}, ROUTED, needs_opd=True),
    FORWARD: Transition(_BEFORE_DISPOSITION | {ROUTED, RESPONDED}, ROUTED, needs_note=True, needs_opd=True),
    POSTPONE: Transition(frozenset({PENDING_REVIEW, VERIFIED, ESCALATED}), POSTPONED, needs_note=True),
    ARCHIVE: Transition(_BEFORE_DISPOSITION, ARCHIVED, needs_note=True),
    DONE_ACTION: Transition(frozenset({RESPONDED}), DONE),
    MERGE: Transition(_BEFORE_DISPOSITION | {ROUTED}, MERGED),
    UNMERGE: Transition(frozenset({MERGED}), None),
    REOPEN: Transition(frozenset({DONE, ARCHIVED, RESPONDED}), PENDING_REVIEW, needs_note=True),
    CLEAR_FLAG: Transition(_BEFORE_DISPOSITION | {ROUTED}, None, needs_note=True),
    ESCALATE: Transition(frozenset({PENDING_REVIEW, VERIFIED, POSTPONED, ROUTED}), ESCALATED, needs_note=True),
    CLAIM: Transition(frozenset(OPEN_STATUSES), None),
    RELEASE: Transition(frozenset(STATUSES), None),
}
ACTIONS = tuple(TRANSITIONS)


def allowed_actions(status: str) -> list[str]:
    """The actions an operator may take on a complaint in ``status`` (the console shows these)."""
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
    routed_opd: str | None = None
    assignee: str | None = None
    status_before_merge: str | None = None  # from the history: where an unmerge returns to
    merged_here: tuple[int, ...] = ()  # complaints merged into this one (a merge would leave them on a merged one)


@dataclass(frozen=True)
class Target:
    """The complaint another one is merged into; ``chain``: where its ``duplicate_of`` links lead, in order."""

    id: int
    status: str
    duplicate_of: int | None = None
    chain: tuple[int, ...] = ()


@dataclass(frozen=True)
class Command:
    action: str
    operator: str
    opd: str | None = None
    co_opds: tuple[str, ...] = ()
    duplicate_of: int | None = None
    note: str | None = None
    assignee: str | None = None
    force: bool = False


@dataclass
class Change:
    """Columns to set on the complaint (``values``), its review reasons and the status it ends in."""

    to_status: str
    reasons: list[str]
    values: dict = field(default_factory=dict)


DUP_LOC = ["body", "duplicate_of"]


def check_merge_target(state: State, target: Target | None, wanted: int) -> None:
    """A complaint may only be merged into another open complaint that is not merged itself, never into one
    that (transitively) is merged into it, and only when nothing is merged into it (no chains, no cycles)."""
    if wanted == state.id:
        raise Invalid("invalid_duplicate_of", "duplicate_of: pengaduan tidak dapat menjadi duplikat dirinya sendiri.",
                      DUP_LOC)
    if target is None:
        raise Invalid("invalid_duplicate_of", f"duplicate_of: pengaduan {wanted} tidak ditemukan.", DUP_LOC)
    if state.id in target.chain:
        raise Conflict("merge_cycle", f"Pengaduan {target.id} sudah digabung ke pengaduan ini (#{state.id}); "
                                      f"menggabungkan #{state.id} ke #{target.id} akan membuat lingkaran.", DUP_LOC)
    if target.status == MERGED:
        raise Conflict("merge_target_merged",
                       f"Pengaduan {target.id} sendiri sudah digabung ke {target.duplicate_of}; "
                       f"gabungkan ke {target.duplicate_of}.", DUP_LOC)
    if target.status not in OPEN_STATUSES:
        raise Invalid("invalid_duplicate_of", f"duplicate_of: pengaduan {target.id} sudah ditutup ({target.status}); "
                                              "gabungkan hanya ke pengaduan yang masih terbuka.", DUP_LOC)
    if state.merged_here:
        ids = ", ".join(f"#{i}" for i in state.merged_here)
        raise Conflict("merge_source_has_duplicates",
                       f"Pengaduan #{state.id} adalah induk gabungan {ids}; gabungkan #{target.id} ke #{state.id}, "
                       "atau batalkan gabung duplikatnya lebih dulu.", DUP_LOC)


def _refuse(state: State, action: str) -> Conflict:
    if action == ESCALATE and state.status == ESCALATED:
        return Conflict("invalid_state", "Pengaduan ini sudah dieskalasi.")
    if state.status in (MERGED, DONE, ARCHIVED) or not allowed_actions(state.status):
        return Conflict("invalid_state", f"Pengaduan berstatus '{state.status}' tidak dapat diputuskan lagi "
                                         f"dengan '{action}'.")
    return Conflict("invalid_state", f"Tindakan '{action}' tidak berlaku untuk pengaduan berstatus '{state.status}' "
                                     f"(boleh: {', '.join(allowed_actions(state.status))}).")


def plan(state: State, cmd: Command, now, target: Target | None = None) -> Change:
    """The change ``cmd`` makes to a complaint in ``state``; refused when the table forbids it."""
    rule = TRANSITIONS.get(cmd.action)
    if rule is None:
        raise Invalid("invalid_action", f"action: tindakan '{cmd.action}' tidak dikenal.", ["body", "action"])
    if state.status not in rule.sources:
        raise _refuse(state, cmd.action)
    if rule.needs_note and not (cmd.note and cmd.note.strip()):
        raise Invalid("note_required", f"note: catatan wajib untuk tindakan '{cmd.action}'.", ["body", "note"])
    if rule.needs_opd and not (cmd.opd and cmd.opd.strip()):
        raise Invalid("opd_required", f"opd: unit tujuan wajib untuk tindakan '{cmd.action}'.", ["body", "opd"])
    reasons = list(state.reasons)
    if cmd.action in (ROUTE, FORWARD):
        if state.flagged and not state.flag_cleared:
            raise Conflict("flag_not_cleared", "Pengaduan ini ditandai oleh penyaringan; bersihkan tanda "
                                               "(clear_flag) dengan catatan sebelum disposisi.")
        lead = cmd.opd.strip()
        co = [o for o in dict.fromkeys(x.strip() for x in cmd.co_opds) if o and o != lead]
        reasons = [r for r in reasons if r not in (NOT_AUTO_ROUTED, PROBABLE_DUPLICATE, ESCALATION)]
        return Change(ROUTED, reasons, {"routed_opd": lead, "co_opds": co, "routed_at": now,
                                        "routed_by": cmd.operator})
    if cmd.action == MERGE:
        check_merge_target(state, target, cmd.duplicate_of or 0)
        return Change(MERGED, [], {"duplicate_of": target.id})
    if cmd.action == UNMERGE:
        back = state.status_before_merge if state.status_before_merge in STATUSES and \
            state.status_before_merge != MERGED else PENDING_REVIEW
        if back in QUEUE_STATUSES:
            reasons = [NOT_AUTO_ROUTED] if not state.routed_opd else []
            if state.flagged and not state.flag_cleared:
                reasons.append(FLAGGED)
            if not reasons:
                reasons = [NOT_AUTO_ROUTED]
        return Change(back, reasons, {"duplicate_of": None})
    if cmd.action == CLEAR_FLAG:
        if not state.flagged or state.flag_cleared:
            raise Conflict("no_flag", "Pengaduan ini tidak memiliki tanda yang perlu dibersihkan.")
        reasons = [r for r in reasons if r != FLAGGED]
        values: dict = {"flag_cleared": True}
        status = state.status
        if not reasons and state.status in QUEUE_STATUSES:
            # the model was confident and nothing else is outstanding: the operator's clearance routes it
            status = ROUTED
            values.update(routed_opd=state.suggested_opd, routed_at=now, routed_by=cmd.operator)
        elif state.status in QUEUE_STATUSES and ESCALATION not in reasons:
            status = PENDING_REVIEW if state.status != VERIFIED else VERIFIED
        return Change(status, reasons, values)
    if cmd.action == ESCALATE:
        return Change(ESCALATED, reasons + [ESCALATION] if ESCALATION not in reasons else reasons, {})
    if cmd.action in (CLAIM, RELEASE):
        return _claim(state, cmd, now, reasons)
    if cmd.action == REOPEN:
        return Change(PENDING_REVIEW, [NOT_AUTO_ROUTED], {})
    return Change(rule.target, reasons, {})  # verify, postpone, archive, done


def _claim(state: State, cmd: Command, now, reasons: list[str]) -> Change:
    if cmd.action == RELEASE:
        return Change(state.status, reasons, {"assignee": None, "assigned_at": None})
    who = (cmd.assignee or cmd.operator).strip()
    if state.assignee and state.assignee != who and not cmd.force:
        raise Conflict("claimed", f"Pengaduan ini sedang ditangani {state.assignee}; minta ia melepasnya atau "
                                  "ambil alih dengan sengaja (force).")
    return Change(state.status, reasons, {"assignee": who, "assigned_at": now})
