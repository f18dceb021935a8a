"""Fault reports: what a customer described, what the portal suggested, and how it ended."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Account, User, enum_column
from ..extensions import db


class Outcome(enum.Enum):
    PENDING = "pending"  # suggestions shown, no answer yet
    SOLVED = "solved"  # an article solved it: deflected
    REQUESTED = "requested"  # went on to a service request
    ABANDONED = "abandoned"  # left without either


class NotHelpfulReason(enum.Enum):
    NOT_MY_PROBLEM = "not_my_problem"
    DID_NOT_WORK = "did_not_work"  # tried it, did not work
    UNCLEAR = "unclear"


class Channel(enum.Enum):
    WEB = "web"
    API = "api"


class FaultReport(db.Model):
    __tablename__ = "fault_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The customer's account; staff trying the suggestions for themselves have none.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True, index=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel), default=Channel.WEB)
    product_model: Mapped[str] = mapped_column(String(40), default="")
    product_series: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    serial_number: Mapped[str] = mapped_column(String(64), default="")
    production_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    fault_code: Mapped[str] = mapped_column(String(16), default="")
    description: Mapped[str] = mapped_column(Text)
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome), default=Outcome.PENDING, index=True)
    solved_slug: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    request_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    outcome_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    model_version: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), index=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    account: Mapped[Account | None] = relationship(foreign_keys=[account_id])
    suggestions: Mapped[list[FaultSuggestion]] = relationship(
        back_populates="report", order_by="FaultSuggestion.rank", cascade="all, delete-orphan"
    )

    def suggestion(self, slug: str) -> FaultSuggestion | None:
        return next((s for s in self.suggestions if s.slug == slug), None)


class FaultSuggestion(db.Model):
    """One article shown for a report, with its rank and score at the time."""

    __tablename__ = "fault_suggestions"
    __table_args__ = (UniqueConstraint("report_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("fault_reports.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    slug: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16), default="solution")
    score: Mapped[float] = mapped_column(Float)
    similarity: Mapped[float] = mapped_column(Float, default=0.0)  # the TF-IDF cosine, 0..1
    snippet: Mapped[str] = mapped_column(Text, default="")  # safe HTML with <mark>, as shown
    why: Mapped[str] = mapped_column(String(300), default="")  # matched words and boosts, for staff
    opened_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    reason: Mapped[NotHelpfulReason | None] = mapped_column(enum_column(NotHelpfulReason), nullable=True)

    report: Mapped[FaultReport] = relationship(back_populates="suggestions")
