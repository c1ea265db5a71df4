"""Tables: complaints, triage results, decisions, responses, recurring groups, model versions, duplicate features
(SQLAlchemy 2); the kept counts are in ``service.count_models``, the tables only admins keep (keys, console
logins, units, handling-policy rules) in ``service.admin_models``, all on this module's ``Base.metadata``."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

BigId = BigInteger().with_variant(Integer, "sqlite")
MAX_ID = 2**62  # the largest id the API and the console accept (a BIGINT holds < 2**63): beyond it, not found


def valid_id(value: int) -> bool:
    """An id a row can have; a larger one never reaches the database (it would overflow there, a 500)."""
    return 1 <= value <= MAX_ID


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    pass


# statuses and review reasons live in the workflow (re-exported here for the modules that read them with the tables)
from service.workflow import (  # noqa: E402,F401
    ESCALATED,
    ESCALATION,
    FLAGGED,
    MERGED,
    NOT_AUTO_ROUTED,
    PENDING_REVIEW,
    PROBABLE_DUPLICATE,
    QUEUE_STATUSES,
    REASONS,
    RESPONDED,
    ROUTED,
    STATUSES,
)


class Complaint(Base):
    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    external_id: Mapped[str | None] = mapped_column(String(200))  # unique per channel (see __table_args__)
    channel: Mapped[str] = mapped_column(String(50), default="api")
    text: Mapped[str] = mapped_column(Text)
    masked_text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64), index=True)
    kecamatan: Mapped[str | None] = mapped_column(String(200))
    kelurahan: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20))
    review_reasons: Mapped[list] = mapped_column(JSON, default=list)
    suggested_opd: Mapped[str | None] = mapped_column(String(300), index=True)
    confidence: Mapped[float | None] = mapped_column(Float)
    auto_routed: Mapped[bool] = mapped_column(Boolean, default=False)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_categories: Mapped[str] = mapped_column(String(500), default="")  # ",cat1,cat2," for LIKE filters
    flag_cleared: Mapped[bool] = mapped_column(Boolean, default=False)
    routed_opd: Mapped[str | None] = mapped_column(String(300), index=True)
    routed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    routed_by: Mapped[str | None] = mapped_column(String(200))
    duplicate_of: Mapped[int | None] = mapped_column(BigId, ForeignKey("complaints.id"))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # LAPOR! workflow (migration 0002)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # submitted_at, else received_at
    category: Mapped[str | None] = mapped_column(String(100))
    co_opds: Mapped[list | None] = mapped_column(JSON)
    assignee: Mapped[str | None] = mapped_column(String(200))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stage: Mapped[str | None] = mapped_column(String(20))
    stage_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue3_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_note: Mapped[str | None] = mapped_column(Text)
    disposed_within: Mapped[bool | None] = mapped_column(Boolean)
    answered_within: Mapped[bool | None] = mapped_column(Boolean)
    # LAPOR! privacy options (migration 0005): kept out of every public listing (Open311)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)  # rahasia: the report itself is not public
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)  # anonim: the reporter's identity is withheld

    triage_results: Mapped[list["TriageResult"]] = relationship(
        back_populates="complaint", order_by="TriageResult.id", lazy="raise")

    __table_args__ = (
        Index("ix_complaints_received", "received_at", "id"),
        Index("ix_complaints_status_received", "status", "received_at", "id"),
        Index("ix_complaints_reported", "reported_at", "id"),
        Index("ix_complaints_routed_reported", "routed_opd", "reported_at"),
        Index("ix_complaints_status_due", "status", "due_at"),
        Index("ix_complaints_duplicate_of", "duplicate_of"),
        # a channel's own ids are unique within that channel: web #42 and SMS #42 are two complaints
        UniqueConstraint("channel", "external_id", name="uq_complaints_channel_external_id"),
    )


class TriageResult(Base):
    __tablename__ = "triage_results"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(BigId, ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    model_version: Mapped[str] = mapped_column(String(100))
    suggested_opd: Mapped[str | None] = mapped_column(String(300))
    confidence: Mapped[float] = mapped_column(Float)
    auto_route: Mapped[bool] = mapped_column(Boolean)
    top_k: Mapped[list] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text, default="")
    terms: Mapped[list] = mapped_column(JSON, default=list)
    area: Mapped[dict | None] = mapped_column(JSON)
    flags: Mapped[dict | None] = mapped_column(JSON)
    duplicate_candidates: Mapped[list] = mapped_column(JSON, default=list)
    # what the suggestion looked like (pipeline/routing/confidence.py): the auto-route score's evidence once decided
    score_features: Mapped[list | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="triage_results", lazy="raise")


class Decision(Base):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(BigId, ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    opd: Mapped[str | None] = mapped_column(String(300))
    co_opds: Mapped[list | None] = mapped_column(JSON)
    suggested_opd: Mapped[str | None] = mapped_column(String(300))
    duplicate_of: Mapped[int | None] = mapped_column(BigId)
    note: Mapped[str | None] = mapped_column(Text)
    operator_key_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("api_keys.id"))
    operator: Mapped[str] = mapped_column(String(200))
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    complaint_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Response(Base):
    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(BigId, ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    opd: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    responded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source_complaint_id: Mapped[int | None] = mapped_column(BigId)  # answer given to the merge target


class RecurringGroup(Base):
    """A recurring problem (``pipeline.recurring``): its id is the id of its first complaint."""

    __tablename__ = "recurring_groups"

    id: Mapped[int] = mapped_column(BigId, ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kelurahan: Mapped[str | None] = mapped_column(String(200))
    kecamatan: Mapped[str | None] = mapped_column(String(200), index=True)
    label: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ComplaintRecurrence(Base):
    """Per complaint: its recurring group (if any), what it linked to, and its words (for rising topics)."""

    __tablename__ = "complaint_recurrence"

    complaint_id: Mapped[int] = mapped_column(BigId, ForeignKey("complaints.id", ondelete="CASCADE"),
                                              primary_key=True)
    group_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("recurring_groups.id", ondelete="SET NULL"),
                                                 index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # submitted_at, else received_at
    links: Mapped[list] = mapped_column(JSON, default=list)  # [{"id", "score", "text"}]
    words: Mapped[str] = mapped_column(Text, default="")  # readable content words, space-separated
    # JSON [[word, stem], …]: the content words that label groups (``SurfaceForms.kept``), so the in-memory
    # groups refill at start-up without analysing text; NULL for rows filed before migration 0014
    forms: Mapped[str | None] = mapped_column(Text, nullable=True)


class ModelVersion(Base):
    """The model registry: one row per model version; exactly one is ``active`` once the service has started."""

    __tablename__ = "model_versions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)  # training, candidate, active, retired, failed
    path: Mapped[str] = mapped_column(String(1000))  # the version's model directory
    manifest: Mapped[dict | None] = mapped_column(JSON)
    metrics: Mapped[dict | None] = mapped_column(JSON)  # validation and the comparison with the active model
    training_data_hash: Mapped[str | None] = mapped_column(String(64))
    parent_version: Mapped[str | None] = mapped_column(String(100))  # the active model it was trained beside
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promoted_by: Mapped[str | None] = mapped_column(String(200))
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    override: Mapped[bool] = mapped_column(Boolean, default=False)  # promoted although the gate said worse
    error: Mapped[str | None] = mapped_column(Text)
    # the server process that trains a ``training`` version and when it last said so (service.training_owner)
    owner: Mapped[str | None] = mapped_column(String(300))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DedupFeatures(Base):
    """What the near-duplicate index keeps of a complaint (``pipeline.dedup.ComplaintFeatures``), stored with it:
    an index is filled from these rows, without analysing any text again (``service.duplicates``)."""

    __tablename__ = "dedup_features"

    complaint_id: Mapped[int] = mapped_column(BigId, ForeignKey("complaints.id", ondelete="CASCADE"),
                                              primary_key=True)
    at: Mapped[float] = mapped_column(Float)  # seconds since the epoch (submitted, else received)
    exact: Mapped[int] = mapped_column(BigInteger)  # the 64-bit "same text" key, as a signed integer
    kelurahan: Mapped[int] = mapped_column(BigInteger)
    kecamatan: Mapped[int] = mapped_column(BigInteger)
    terms: Mapped[bytes] = mapped_column(LargeBinary)  # little-endian uint32 term ids
    place: Mapped[bytes] = mapped_column(LargeBinary)
    numbers: Mapped[bytes] = mapped_column(LargeBinary)
