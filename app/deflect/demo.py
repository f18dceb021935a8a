"""Demo fault reports with outcomes: solved by an article, went on to a request, left. Idempotent
(a demo user's report with the same description is not filed twice)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ..accounts.models import User
from ..catalog import load_catalog
from ..clock import utcnow
from ..extensions import db
from . import services
from .models import FaultReport, NotHelpfulReason

# (user e-mail, days ago, product, fault code, description, outcome: solved | requested | left | pending)
DEMO_REPORTS = (
    ("wang.jianguo@c-east-01.example.com", 40, "SGN33YC", "",
     "售后反馈挂机开机后压缩机只嗡嗡响不转，外风机正常，过几秒保护器跳开，电压220V正常。", "solved"),
    ("wang.jianguo@c-east-01.example.com", 12, "SHV33YC", "",
     "新装机器运行几天后制冷越来越差，低压偏低，毛细管入口结霜，焊接时没有充氮。", "solved"),
    ("chen.zhiming@c-east-02.example.com", 25, "DSY190XH", "E5",
     "变频柜机夏天高温时运行一会就停机，驱动板报E5，室外机散热器很脏。", "solved"),
    ("huang.wei@c-south-01.example.com", 18, "SGT45YC", "",
     "压缩机运行时外壳下部有很响的金属敲击声，运行一段时间后电流慢慢升高，怀疑内部损坏，要求退货。",
     "requested"),
    ("liu.yang@c-north-01.example.com", 9, "SHZ160TF", "",
     "冬天开机头几分钟涡旋机声音很大，像液体冲击，过一会正常，曲轴箱加热带是好的。", "requested"),
    ("somchai@c-intl-01.example.com", 6, "ASD102RKNA", "",
     "Unit stops after 10 minutes in heating mode, drive board blinks 4 times. Need the meaning of the code.",
     "left"),
    ("zhang.lei@c-north-02.example.com", 3, "SGA19YC", "",
     "压缩机接线端子烧黑，端子盖上有焦味，更换后半个月又烧了。", "requested"),
    ("lin.jing@c-south-01.example.com", 1, "SGB52YD", "",
     "R32机器抽真空后充注，运行时排气温度比R410A的机器高很多，这个正常吗？", "pending"),
)


def load_demo(settings, echo: Callable[[str], None]) -> None:
    from .runtime import get_engine

    engine = get_engine(current_app)
    engine.store.refit()
    catalog = load_catalog(settings.content_dir)
    now = utcnow()
    filed = 0
    for email, days_ago, model, code, description, outcome in DEMO_REPORTS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            continue
        exists = db.session.scalar(select(FaultReport.id).where(FaultReport.user_id == user.id,
                                                                FaultReport.description == description))
        if exists:
            continue
        when = now - timedelta(days=days_ago)
        data = services.FaultDescription(description=description, product_model=model, fault_code=code)
        report = services.file_report(db.session, user, data, engine, catalog, lambda when=when: when)
        later = when + timedelta(minutes=7)
        if outcome == "solved" and report.suggestions:
            services.record_outcome(db.session, report,
                                    services.OutcomeAnswer(True, report.suggestions[0].slug),
                                    engine, "customer", lambda later=later: later)
        elif outcome in ("requested", "left"):
            reasons = {s.slug: NotHelpfulReason.NOT_MY_PROBLEM for s in report.suggestions[:2]}
            if report.suggestions and outcome == "requested":
                reasons[report.suggestions[0].slug] = NotHelpfulReason.DID_NOT_WORK if days_ago % 2 else \
                    NotHelpfulReason.UNCLEAR
            services.record_outcome(db.session, report, services.OutcomeAnswer(False, reasons=reasons),
                                    engine, "customer", lambda later=later: later)
            if outcome == "requested":
                _request(report, user, model, description, later)
        filed += 1
    db.session.commit()
    engine.store.refit()
    echo(f"  fault reports: {filed} filed")


def _request(report: FaultReport, user: User, model: str, description: str, when) -> None:
    from ..tickets import services as tickets
    from ..tickets.models import Level, RequestType

    new = tickets.NewRequest(type=RequestType.COMPLAINT, summary=description[:40], description=description,
                             urgency=Level.MEDIUM, product_model=model, deflection_id=report.id)
    service_request = tickets.create_request(db.session, user, new, when)
    services.link_request(db.session, report, service_request.number, lambda: when)
