"""What the home page gathers: the user's account, latest requests, alerts and news."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..registry import Alert, PortalRegistry
from .models import NewsItem, NewsKind


@dataclass
class HomePage:
    latest_requests: list[Any] | None  # None: the service-request domain is not there
    alerts: list[Alert] = field(default_factory=list)
    company_news: list[NewsItem] = field(default_factory=list)
    product_news: list[NewsItem] = field(default_factory=list)


def latest_news(session: Session, kind: NewsKind, limit: int = 3) -> list[NewsItem]:
    stmt = (
        select(NewsItem)
        .where(NewsItem.kind == kind)
        .order_by(NewsItem.published_at.desc(), NewsItem.id.desc())
    )
    return list(session.scalars(stmt.limit(limit)))


def build_home(session: Session, reg: PortalRegistry, user) -> HomePage:
    latest = reg.latest_requests_provider(user, 3) if reg.latest_requests_provider else None
    alerts: list[Alert] = []
    for provider in reg.alert_providers:
        alerts.extend(provider(user))
    return HomePage(
        latest_requests=latest,
        alerts=alerts,
        company_news=latest_news(session, NewsKind.COMPANY) if user.show_company_news else [],
        product_news=latest_news(session, NewsKind.PRODUCT) if user.show_product_news else [],
    )
