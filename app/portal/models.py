"""News shown in the home page's optional portlets."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from ..accounts.models import enum_column
from ..extensions import db


class NewsKind(enum.Enum):
    COMPANY = "company"
    PRODUCT = "product"


class NewsItem(db.Model):
    __tablename__ = "news_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NewsKind] = mapped_column(enum_column(NewsKind))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
