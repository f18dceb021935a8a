"""Demo news for the home page's optional portlets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from .models import NewsItem, NewsKind

DEMO_NEWS = (
    (
        NewsKind.COMPANY,
        "2026年空调压缩机技术交流会将于12月在上海举行",
        "欢迎各空调器厂家技术人员报名参加，届时将介绍R32变频压缩机的可靠性设计与应用要点。",
        datetime(2026, 11, 20),
    ),
    (
        NewsKind.COMPANY,
        "iSupport 自助服务门户上线",
        "客户可在线检索故障解决方案、提交服务请求并查看订单、发票与付款。",
        datetime(2026, 11, 1),
    ),
    (
        NewsKind.PRODUCT,
        "DSY190XH 直流变频压缩机量产",
        "R32 冷媒，15-120 rps，能效比提升约 4%，适用于 1.5-2 匹家用变频空调。",
        datetime(2026, 10, 15),
    ),
    (
        NewsKind.PRODUCT,
        "SHZ160TF 涡旋压缩机通过 UL 认证",
        "适用于商用多联机与单元机，380V 三相供电。",
        datetime(2026, 9, 8),
    ),
)


def load_demo(settings, echo) -> None:
    existing = set(db.session.scalars(select(NewsItem.title)))
    for kind, title, body, when in DEMO_NEWS:
        if title not in existing:
            db.session.add(NewsItem(kind=kind, title=title, body=body, published_at=when))
    db.session.commit()
