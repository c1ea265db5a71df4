"""The workflow's transition table, without a database: which action may start where, and what it changes."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from service.errors import Conflict, Invalid
from service.workflow import (
    ESCALATED,
    MERGED,
    PENDING_REVIEW,
    RESPONDED,
    ROUTED,
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


def test_final_states_allow_no_decision():
    assert allowed_actions(MERGED) == [] and allowed_actions(RESPONDED) == []
    assert set(allowed_actions(PENDING_REVIEW)) == {"route", "merge", "clear_flag", "escalate"}
    assert "escalate" not in allowed_actions(ESCALATED)


def test_route_clears_the_routing_reasons_but_not_an_open_flag():
    state = State(1, PENDING_REVIEW, ("not_auto_routed", "probable_duplicate"), suggested_opd="Dinas Sosial")
    change = plan(state, cmd("route", opd=" Dinas Kesehatan "), NOW)
    assert change.to_status == ROUTED and change.reasons == []
    assert change.values == {"routed_opd": "Dinas Kesehatan", "routed_at": NOW, "routed_by": "op"}
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
    for target, wanted in ((None, 9), (Target(1, MERGED, 7), 1), (Target(2, PENDING_REVIEW), 2)):
        with pytest.raises(Invalid) as err:
            plan(state, cmd("merge", duplicate_of=wanted), NOW, target)
        assert err.value.loc == ["body", "duplicate_of"]


def test_disallowed_actions_are_conflicts_not_silent_changes():
    with pytest.raises(Conflict):
        plan(State(1, MERGED), cmd("route", opd="x"), NOW)
    with pytest.raises(Conflict) as err:
        plan(State(1, ESCALATED, ("escalated",)), cmd("escalate", note="lagi"), NOW)
    assert "sudah dieskalasi" in err.value.detail
    with pytest.raises(Invalid):
        plan(State(1, PENDING_REVIEW), cmd("teleport"), NOW)
