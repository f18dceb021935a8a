"""Service requests: the request, its history, the returned-material records, defects, notifications."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Account, Contact, Unit, User, enum_column
from ..extensions import db


class RequestType(enum.Enum):
    COMPLAINT = "complaint"
    INFORMATION = "information"
    RETURNED_MATERIAL = "returned_material"


class Status(enum.Enum):
    OPEN = "open"
    ASSIGNED = "assigned"
    MATERIAL_RECEIVED = "material_received"
    SOLVING = "solving"
    SOFT_CLOSED = "soft_closed"
    HARD_CLOSED = "hard_closed"
    CANCELLED = "cancelled"


class Level(enum.Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Channel(enum.Enum):
    WEB = "web"
    PHONE = "phone"
    FAX = "fax"


class EventKind(enum.Enum):
    CREATED = "created"
    STATUS = "status"
    OWNER = "owner"
    ASSIGNEE = "assignee"
    SEVERITY = "severity"
    COMMENT = "comment"
    ESCALATION = "escalation"
    ATTACHMENT = "attachment"
    RECEIPT = "receipt"
    TEARDOWN = "teardown"
    ANALYSIS = "analysis"
    REPLACEMENT = "replacement"
    DELIVERY = "delivery"


class RequestCounter(db.Model):
    """The last number handed out per year; incremented in the creating transaction (never reused)."""

    __tablename__ = "sr_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class ServiceRequest(db.Model):
    __tablename__ = "service_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    type: Mapped[RequestType] = mapped_column(enum_column(RequestType))
    status: Mapped[Status] = mapped_column(enum_column(Status), default=Status.OPEN, index=True)
    summary: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), nullable=True)
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    product_model: Mapped[str] = mapped_column(String(40), default="")
    serial_number: Mapped[str] = mapped_column(String(60), default="")
    production_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    ship_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    order_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    urgency: Mapped[Level] = mapped_column(enum_column(Level))
    severity: Mapped[Level | None] = mapped_column(enum_column(Level), nullable=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set by the deflection domain's link later; a plain id so the two domains migrate independently.
    deflection_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    # Last action by staff: what the overdue targets measure ("untouched").
    staff_touched_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # Bumped by every change; the bump is also the row lock that serialises concurrent changes.
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    # Returned material: the warehouse's receipt, teardown, replacement and delivery.
    received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    received_condition: Mapped[str | None] = mapped_column(Text, nullable=True)
    teardown_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    replacement_model: Mapped[str | None] = mapped_column(String(40), nullable=True)
    replacement_serial: Mapped[str | None] = mapped_column(String(60), nullable=True)
    replacement_ship_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    delivered_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    account: Mapped[Account] = relationship()
    contact: Mapped[Contact | None] = relationship()
    owner_unit: Mapped[Unit] = relationship(foreign_keys=[owner_unit_id])
    teardown_unit: Mapped[Unit | None] = relationship(foreign_keys=[teardown_unit_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    events: Mapped[list[RequestEvent]] = relationship(
        back_populates="request", order_by="RequestEvent.id", cascade="all, delete-orphan"
    )
    analysis: Mapped[FailureAnalysis | None] = relationship(back_populates="request", uselist=False)
    attachments: Mapped[list[Attachment]] = relationship(
        "app.tickets.models.Attachment", back_populates="request", order_by=lambda: Attachment.id
    )

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL


TERMINAL = frozenset({Status.SOFT_CLOSED, Status.HARD_CLOSED, Status.CANCELLED})


class RequestEvent(db.Model):
    """One line of a request's history: who changed what, when, from which value to which."""

    __tablename__ = "sr_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind))
    old_value: Mapped[str | None] = mapped_column(String(200), nullable=True)
    new_value: Mapped[str | None] = mapped_column(String(200), nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")
    internal: Mapped[bool] = mapped_column(Boolean, default=False)

    request: Mapped[ServiceRequest] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class DefectCode(db.Model):
    """The maintained defect catalogue failure analyses pick from."""

    __tablename__ = "defect_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def display_name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_zh


class FailureAnalysis(db.Model):
    """The teardown analysis of a returned compressor (one per request)."""

    __tablename__ = "failure_analyses"
    __table_args__ = (UniqueConstraint("request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id"))
    analyst_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    cause: Mapped[str] = mapped_column(Text)
    company_responsible: Mapped[bool] = mapped_column(Boolean)
    report: Mapped[str] = mapped_column(Text)
    analysed_at: Mapped[datetime] = mapped_column(DateTime)

    request: Mapped[ServiceRequest] = relationship(back_populates="analysis")
    analyst: Mapped[User | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    defects: Mapped[list[AnalysisDefect]] = relationship(
        back_populates="analysis", cascade="all, delete-orphan", order_by="AnalysisDefect.id"
    )


class AnalysisDefect(db.Model):
    __tablename__ = "analysis_defects"
    __table_args__ = (UniqueConstraint("analysis_id", "defect_code_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(ForeignKey("failure_analyses.id"), index=True)
    defect_code_id: Mapped[int] = mapped_column(ForeignKey("defect_codes.id"), index=True)

    analysis: Mapped[FailureAnalysis] = relationship(back_populates="defects")
    defect: Mapped[DefectCode] = relationship()


class Attachment(db.Model):
    """A file on a request (or its failure analysis), kept under the instance folder."""

    __tablename__ = "sr_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id"), index=True)
    for_analysis: Mapped[bool] = mapped_column(Boolean, default=False)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)

    request: Mapped[ServiceRequest] = relationship(back_populates="attachments")


class Notification(db.Model):
    """An in-portal notice of a public change to a request."""

    __tablename__ = "sr_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    read_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    request: Mapped[ServiceRequest] = relationship()
