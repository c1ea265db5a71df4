"""The workflow's transition table, without a database: which action may start where, and what it changes."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from service.errors import Conflict, Invalid
from service.workflow import (
    ARCHIVED,
    DONE,
    ESCALATED,
    MERGED,
    PENDING_REVIEW,
    POSTPONED,
    RESPONDED,
    ROUTED,
    VERIFIED,
    STATUSES,
    TRANSITIONS,
    Command,
    State,
    Target,
    allowed_actions,
    plan,
)

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)


def cmd(action: str, **kw) -> Command:
    return Command(action=action, operator="op", **kw)


def test_every_transition_starts_and_ends_in_a_known_status():
    for action, t in TRANSITIONS.items():
        assert t.sources <= set(STATUSES), action
        assert t.target is None or t.target in STATUSES, action


def test_closed_states_allow_only_what_undoes_them():
    assert allowed_actions(MERGED) == ["unmerge", "release"]
    assert set(allowed_actions(DONE)) == {"reopen", "release"} and set(allowed_actions(ARCHIVED)) == {"reopen",
                                                                                                     "release"}
    assert {"route", "forward", "done", "reopen"} <= set(allowed_actions(RESPONDED))  # forwarding after an answer
    assert "merge" not in allowed_actions(RESPONDED) and "escalate" not in allowed_actions(ESCALATED)
    assert set(allowed_actions(PENDING_REVIEW)) >= {"verify", "route", "forward", "postpone", "archive", "merge",
                                                   "clear_flag", "escalate", "claim"}


def test_dispose_to_a_lead_and_co_handling_units():
    change = plan(State(1, VERIFIED), cmd("route", opd="Dinas Sosial",
                                          co_opds=("Dinas Kesehatan", "Dinas Sosial", "Dinas Kesehatan")), NOW)
    assert change.to_status == ROUTED and change.values["routed_opd"] == "Dinas Sosial"
    assert change.values["co_opds"] == ["Dinas Kesehatan"]  # no repeats, never the lead itself
    forward = plan(State(1, RESPONDED, routed_opd="Dinas Sosial"), cmd("forward", opd="PT PLN", note="listrik"), NOW)
    assert forward.to_status == ROUTED and forward.values["routed_opd"] == "PT PLN"
    with pytest.raises(Invalid):
        plan(State(1, ROUTED), cmd("forward", opd="PT PLN"), NOW)  # bukan wewenang needs the reason


def test_unmerge_returns_to_the_status_before_the_merge():
    back = plan(State(2, MERGED, duplicate_of=1, status_before_merge=ROUTED, routed_opd="Dinas Sosial"),
                cmd("unmerge", note="bukan duplikat"), NOW)
    assert back.to_status == ROUTED and back.values == {"duplicate_of": None}
    queue = plan(State(2, MERGED, duplicate_of=1, status_before_merge=PENDING_REVIEW), cmd("unmerge"), NOW)
    assert queue.to_status == PENDING_REVIEW and queue.reasons == ["not_auto_routed"]


def test_postpone_archive_done_reopen_need_their_reasons():
    assert plan(State(1, PENDING_REVIEW), cmd("postpone", note="kurang jelas"), NOW).to_status == POSTPONED
    assert plan(State(1, POSTPONED), cmd("archive", note="bukan pelayanan publik"), NOW).to_status == ARCHIVED
    assert plan(State(1, RESPONDED), cmd("done"), NOW).to_status == DONE
    assert plan(State(1, DONE), cmd("reopen", note="warga belum puas"), NOW).to_status == PENDING_REVIEW
    for action, status in (("postpone", PENDING_REVIEW), ("archive", VERIFIED), ("reopen", DONE)):
        with pytest.raises(Invalid):
            plan(State(1, status), cmd(action), NOW)
    with pytest.raises(Conflict):
        plan(State(1, ROUTED), cmd("done"), NOW)  # only an answered complaint is settled


def test_a_claimed_complaint_is_not_taken_unknowingly():
    mine = plan(State(1, PENDING_REVIEW), cmd("claim"), NOW)
    assert mine.values == {"assignee": "op", "assigned_at": NOW} and mine.to_status == PENDING_REVIEW
    taken = State(1, PENDING_REVIEW, assignee="other")
    with pytest.raises(Conflict) as err:
        plan(taken, cmd("claim"), NOW)
    assert err.value.code == "claimed" and "other" in err.value.detail
    assert plan(taken, Command("claim", "op", force=True), NOW).values["assignee"] == "op"


def test_route_clears_the_routing_reasons_but_not_an_open_flag():
    state = State(1, PENDING_REVIEW, ("not_auto_routed", "probable_duplicate"), suggested_opd="Dinas Sosial")
    change = plan(state, cmd("route", opd=" Dinas Kesehatan "), NOW)
    assert change.to_status == ROUTED and change.reasons == []
    assert change.values == {"routed_opd": "Dinas Kesehatan", "co_opds": [], "routed_at": NOW, "routed_by": "op"}
    flagged = State(1, PENDING_REVIEW, ("flagged",), flagged=True)
    with pytest.raises(Conflict) as err:
        plan(flagged, cmd("route", opd="Dinas Sosial"), NOW)
    assert err.value.code == "flag_not_cleared"


def test_clearing_the_only_reason_routes_to_the_suggestion():
    state = State(1, PENDING_REVIEW, ("flagged",), flagged=True, suggested_opd="Dinas Sosial")
    change = plan(state, cmd("clear_flag", note="laporan sah"), NOW)
    assert change.to_status == ROUTED and change.values["routed_opd"] == "Dinas Sosial"
    assert change.values["flag_cleared"] is True
    other = State(1, PENDING_REVIEW, ("not_auto_routed", "flagged"), flagged=True)
    assert plan(other, cmd("clear_flag", note="ok"), NOW).to_status == PENDING_REVIEW
    with pytest.raises(Invalid):
        plan(state, cmd("clear_flag", note="  "), NOW)
    with pytest.raises(Conflict):
        plan(State(1, PENDING_REVIEW), cmd("clear_flag", note="x"), NOW)


def test_merge_only_into_an_existing_unmerged_other_complaint():
    state = State(2, PENDING_REVIEW, ("probable_duplicate",))
    change = plan(state, cmd("merge", duplicate_of=1), NOW, Target(1, ROUTED))
    assert change.to_status == MERGED and change.values == {"duplicate_of": 1} and change.reasons == []
    for target, wanted in ((None, 9), (Target(2, PENDING_REVIEW), 2), (Target(1, DONE), 1)):
        with pytest.raises(Invalid) as err:
            plan(state, cmd("merge", duplicate_of=wanted), NOW, target)
        assert err.value.loc == ["body", "duplicate_of"]


@pytest.mark.parametrize("state, target, code", [
    (State(2, PENDING_REVIEW), Target(1, MERGED, 7, (7,)), "merge_target_merged"),  # never into a merged one
    (State(2, PENDING_REVIEW), Target(1, MERGED, 2, (2,)), "merge_cycle"),  # 1 is merged into 2: 2 -> 1 is a loop
    (State(3, PENDING_REVIEW), Target(1, ROUTED, 2, (2, 3)), "merge_cycle"),  # transitively (a corrupt chain)
    (State(2, PENDING_REVIEW, merged_here=(5,)), Target(1, ROUTED), "merge_source_has_duplicates"),  # no chains
])
def test_merge_never_makes_a_chain_or_a_cycle(state, target, code):
    with pytest.raises(Conflict) as err:
        plan(state, cmd("merge", duplicate_of=target.id), NOW, target)
    assert err.value.code == code and str(target.id) in err.value.detail


def test_disallowed_actions_are_conflicts_not_silent_changes():
    with pytest.raises(Conflict):
        plan(State(1, MERGED), cmd("route", opd="x"), NOW)
    with pytest.raises(Conflict) as err:
        plan(State(1, ESCALATED, ("escalated",)), cmd("escalate", note="lagi"), NOW)
    assert "sudah dieskalasi" in err.value.detail
    with pytest.raises(Invalid):
        plan(State(1, PENDING_REVIEW), cmd("teleport"), NOW)
