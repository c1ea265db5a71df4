"""``/v1/policy-rules``: the handling policy — list (everyone), add, edit, disable/enable (admins), history.

A change applies in this process at once and in every other server process within ``LAPOR_MODEL_POLL_SECONDS``;
each is a row of the append-only history (who, when, before, after).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from service import policy_rules
from service.deps import Admin, DbDep, Reader
from service.http_errors import error_responses
from service.model_switch import refresh_rules
from service.policy_schemas import RuleChange, RuleHistoryPage, RuleIn, RuleOut, RulePage

router = APIRouter(prefix="/v1/policy-rules", tags=["policy"])

RuleId = Annotated[int, Path(ge=1)]


def change_out(h) -> dict:
    return {"rule_id": h.rule_id, "action": h.action, "by": h.by, "at": h.at.isoformat(timespec="seconds"),
            "before": h.before, "after": h.after}


@router.get("", response_model=RulePage, summary="The handling-policy rules (enabled and disabled)",
            responses=error_responses(401, 403, 429))
def list_rules(db: DbDep, principal: Reader) -> Any:
    return {"items": [policy_rules.rule_out(r) for r in policy_rules.list_rules(db)]}


@router.post("", status_code=201, response_model=RuleOut, summary="Add a rule (applied at once)",
             responses=error_responses(401, 403, 429))
def add_rule(body: RuleIn, request: Request, db: DbDep, principal: Admin) -> Any:
    rule = policy_rules.add_rule(db, body.model_dump(), f"admin:{principal.name}")
    refresh_rules(request.app)
    return policy_rules.rule_out(rule)


@router.patch("/{rule_id}", response_model=RuleOut, summary="Edit, disable or enable a rule (applied at once)",
              responses=error_responses(401, 403, 404, 429))
def change_rule(rule_id: RuleId, body: RuleChange, request: Request, db: DbDep, principal: Admin) -> Any:
    fields = body.model_dump(exclude={"enabled"}, exclude_none=True)
    rule = policy_rules.change_rule(db, rule_id, f"admin:{principal.name}", fields, body.enabled)
    refresh_rules(request.app)
    return policy_rules.rule_out(rule)


@router.get("/history", response_model=RuleHistoryPage, summary="Who changed which rule, when (newest first)",
            responses=error_responses(401, 403, 429))
def rule_history(db: DbDep, principal: Admin) -> Any:
    return {"items": [change_out(h) for h in policy_rules.history(db)]}
