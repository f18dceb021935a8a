"""The knowledge base: articles with a version row per saved change, attachments, helpful votes
and the search log the information centre's analytics read."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User, enum_column
from ..extensions import db


class ArticleKind(enum.Enum):
    SOLUTION = "solution"
    DOCUMENT = "document"


class Visibility(enum.Enum):
    PUBLIC = "public"
    CUSTOMERS = "customers"
    INTERNAL = "internal"


class ArticleStatus(enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Article(db.Model):
    __tablename__ = "kb_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[ArticleKind] = mapped_column(
        enum_column(ArticleKind), default=ArticleKind.SOLUTION, index=True
    )
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility), default=Visibility.CUSTOMERS)
    status: Mapped[ArticleStatus] = mapped_column(
        enum_column(ArticleStatus), default=ArticleStatus.DRAFT, index=True
    )
    products: Mapped[list] = mapped_column(JSON, default=list)
    refrigerants: Mapped[list] = mapped_column(JSON, default=list)
    fault_codes: Mapped[list] = mapped_column(JSON, default=list)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    helpful_yes: Mapped[int] = mapped_column(Integer, default=0)
    helpful_no: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    published_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    author: Mapped[User | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        "app.search.models.Attachment", back_populates="article", order_by=lambda: Attachment.id
    )


class ArticleVersion(db.Model):
    """A snapshot of an article as saved: every edit, publication and archiving adds one."""

    __tablename__ = "kb_article_versions"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[ArticleStatus] = mapped_column(enum_column(ArticleStatus))
    meta: Mapped[dict] = mapped_column(JSON, default=dict)  # kind, visibility, products, ...
    note: Mapped[str] = mapped_column(String(200), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    author: Mapped[User | None] = relationship()


class Attachment(db.Model):
    """A file of a document (PDF, image), stored under instance/attachments/ by a random name."""

    __tablename__ = "kb_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    article: Mapped[Article] = relationship(back_populates="attachments")


class ArticleVote(db.Model):
    """ "Was this helpful?": one vote per user per article (a second vote changes the first)."""

    __tablename__ = "kb_article_votes"
    __table_args__ = (UniqueConstraint("article_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class SearchLogEntry(db.Model):
    """One search: what was asked, by which role, how many results, which result was opened."""

    __tablename__ = "kb_search_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(500))
    normalised: Mapped[str] = mapped_column(String(500), index=True)
    role: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    source: Mapped[str] = mapped_column(String(10), default="web")  # web, api
    result_count: Mapped[int] = mapped_column(Integer)
    clicked_slug: Mapped[str | None] = mapped_column(String(120), nullable=True)
    clicked_rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), index=True)
