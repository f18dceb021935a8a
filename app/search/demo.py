"""Demo data of the knowledge base: the articles of content/, imported and indexed, and a month of
customers' searches for the analytics page (idempotent)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ..accounts.models import Role, User
from ..clock import utcnow
from ..extensions import db
from . import services
from .models import SearchLogEntry

# What customers typed, as they type it: symptoms, fault codes, model codes, paperwork, and a few
# things the knowledge base does not cover (they show up as zero-result searches, or should).
DEMO_QUERIES = (
    "压缩机启动不了 嗡嗡响", "压缩机不启动", "排气温度高", "E3 失步", "E5 过流", "P0 IPM 保护",
    "过载保护器跳", "绝缘电阻低", "压缩机噪音大", "停机后咕噜声", "回液", "冷冻油 混用", "R32 充注",
    "R410A 液态充注", "SHV33YC 接线", "DSN150XG 参数", "返回品 申请", "铭牌 生产日期", "质保期",
    "涡旋机 反转", "曲轴箱加热带", "焊接 氮气", "抽真空", "高压过高", "化霜 停机", "电容 鼓包",
    "压缩机 漏油", "冷库 压缩机 选型", "CO2 跨临界", "变频器 通讯 故障 E9",
)


def _demo_searches(echo: Callable[[str], None]) -> None:
    """Runs DEMO_QUERIES through the real search as demo customers over the last 30 days, and opens
    the first result of most of them. Skipped once the search log has any row."""
    if db.session.scalar(select(SearchLogEntry.id).limit(1)) is not None:
        return
    customers = list(db.session.scalars(select(User).where(User.role == Role.CUSTOMER).order_by(User.id)))
    if not customers:
        return
    rng = random.Random(2026)
    backend = services.get_backend(current_app)
    now = utcnow()
    count = 0
    for day in range(30):
        for _ in range(rng.randint(0, 4)):
            user = rng.choice(customers)
            query = rng.choice(DEMO_QUERIES)
            results = services.search_articles(db.session, backend, user, query, log_source="web", user=user)
            entry = db.session.get(SearchLogEntry, results.log_id) if results.log_id else None
            if entry is None:
                continue
            entry.created_at = now - timedelta(days=day, hours=rng.randint(0, 9), minutes=rng.randint(0, 59))
            if results.hits and rng.random() < 0.65:
                rank = 1 if rng.random() < 0.7 else min(len(results.hits), 2)
                entry.clicked_slug, entry.clicked_rank = results.hits[rank - 1].slug, rank
            count += 1
    db.session.commit()
    echo(f"  search log: {count} searches over the last 30 days")


def load_demo(settings, echo: Callable[[str], None]) -> None:
    author = db.session.scalar(select(User).where(User.email == "info@isupport.example.com"))
    for folder in ("solutions", "documents"):
        path = settings.content_dir / folder
        if path.is_dir():
            report = services.import_articles(db.session, path, author=author)
            echo(
                f"  {folder}: {report.imported} articles ({report.created} new), "
                f"{len(report.rejected)} rejected"
            )
            for where, message in report.rejected:
                echo(f"  rejected {where}: {message}")
    count = services.reindex(db.session, services.get_backend(current_app), procs=1)
    echo(f"  search index: {count} articles in {settings.index_dir}")
    _demo_searches(echo)
