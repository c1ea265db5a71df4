"""An operator's decisions and the OPD's answers on a complaint, and what each returns."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from service.complaint_schemas import ComplaintOut, DecisionOut, ResponseOut
from service.field_types import Strict, UnitName, UtcDatetime, not_blank, storable
from service.models import MAX_ID


Action = Literal["verify", "route", "forward", "postpone", "archive", "done", "merge", "unmerge", "reopen",
                 "clear_flag", "escalate", "claim", "release"]
NOTE_REQUIRED = ("clear_flag", "escalate", "forward", "postpone", "archive", "reopen")


class DecisionIn(Strict):
    """An operator's decision; which actions a complaint allows now is in its ``allowed_actions``."""

    action: Action = Field(description="verify (verifikasi), route (disposisi), forward (bukan wewenang → teruskan; "
                                       "also after an answer), postpone (tunda), archive (arsipkan), done "
                                       "(selesai), merge / unmerge, reopen, clear_flag, escalate, claim / release")
    expected_version: int = Field(ge=1, le=2**31 - 1, description="the complaint's version the operator saw")
    opd: UnitName | None = Field(None, description="the lead unit; required for route and forward; must be one "
                                                   "of the tenant's units (else 422)")
    co_opds: list[UnitName] | None = Field(None, max_length=20, description="co-handling units (route, forward)")
    duplicate_of: int | None = Field(None, ge=1, le=MAX_ID, description="required for action=merge")
    note: Annotated[str, Field(max_length=5000), AfterValidator(storable)] | None = Field(
        None, description="why; required for " + ", ".join(NOTE_REQUIRED))
    assignee: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(storable)] | None = Field(
        None, description="claim: who works on it (default: the caller)")
    force: bool = Field(False, description="claim: take over a complaint another operator has claimed")

    @model_validator(mode="after")
    def _fields_for_action(self):
        if self.action in ("route", "forward") and not self.opd:
            raise ValueError(f"opd is required when action is '{self.action}'")
        if self.action == "merge" and self.duplicate_of is None:
            raise ValueError("duplicate_of is required when action is 'merge'")
        if self.action in NOTE_REQUIRED and not (self.note and self.note.strip()):
            raise ValueError(f"note is required when action is '{self.action}'")
        return self


class DecisionResult(BaseModel):
    decision: DecisionOut
    complaint: ComplaintOut


class ResponseIn(Strict):
    text: Annotated[str, Field(min_length=1, description="at most LAPOR_MAX_TEXT_CHARS characters"),
                    AfterValidator(storable), AfterValidator(not_blank)]
    responded_at: UtcDatetime | None = Field(None, description="when the OPD answered (default: now)")
    opd: Annotated[str, Field(min_length=1, max_length=300), AfterValidator(storable)] | None = Field(
        None, description="the answering OPD (default: the OPD the complaint was routed to)")


class CannedReply(BaseModel):
    title: str
    text: str = Field(description="the reply with {nomor}, {opd}, {wilayah}, {tenggat}, {tanggal} filled in")


class ResponseResult(BaseModel):
    response: ResponseOut
    complaint: ComplaintOut
