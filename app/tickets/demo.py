"""Demo service-request history: the defect catalogue and ~300 requests over the last 18 months, in
every status, made through the real services (so numbers, routing and history are genuine).
Idempotent: nothing is added when the demo accounts already have requests."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..accounts.demo import DEMO_ACCOUNTS, DEMO_STAFF
from ..accounts.models import Account, Role, User
from ..catalog import catalog
from ..clock import utcnow
from ..extensions import db
from . import services
from .models import Channel, DefectCode, Level, RequestType, ServiceRequest, Status

DEFECTS = (
    ("D-VALVE", "排气阀片断裂", "Discharge valve broken"),
    ("D-BEARING", "轴承磨损", "Bearing worn"),
    ("D-WINDING", "电机绕组烧毁", "Motor winding burnt"),
    ("D-INSUL", "绝缘不良", "Insulation failure"),
    ("D-LEAK", "焊缝泄漏", "Weld leak"),
    ("D-OIL", "润滑油不足或变质", "Oil shortage or degraded"),
    ("D-LIQUID", "液击", "Liquid slugging"),
    ("D-NOISE", "异常噪音", "Abnormal noise"),
    ("D-TERMINAL", "接线柱损坏", "Terminal damaged"),
    ("D-FOREIGN", "系统内异物", "Foreign matter in system"),
    ("D-OVERHEAT", "过热保护频繁动作", "Overheat protector trips"),
    ("D-NONE", "未发现异常", "No fault found"),
)
# Defects caused by the customer's system (not the company's responsibility).
CUSTOMER_SIDE = {"D-LIQUID", "D-FOREIGN", "D-NONE"}

COMPLAINTS = (
    ("包装箱破损，两台压缩机外壳凹陷", "到货时外包装破损，压缩机外壳有明显凹陷，请安排处理。"),
    ("发货延迟一周", "订单约定交期已过一周仍未到货，影响我司生产计划。"),
    ("装箱单与实物型号不符", "装箱单上的型号与实际到货的压缩机型号不一致。"),
    ("提单迟迟未寄出", "货物已到港，但提单尚未收到，无法清关。"),
)
INFORMATION = (
    ("索取SHV33YC安装说明书", "请提供SHV33YC最新版安装说明书（中英文）。"),
    ("需要变频压缩机技术期刊", "请寄送最近两期变频压缩机技术期刊。"),
    ("索取外形尺寸图纸", "新机型设计需要压缩机外形及安装尺寸图纸（DWG）。"),
    ("Request for R32 product catalogue", "Please send the latest catalogue of R32 rotary compressors."),
)
FAULTS = (
    ("压缩机启动不了，嗡嗡响", "整机试运行时压缩机无法启动，有嗡嗡声，过载保护器动作。"),
    ("运行噪音大", "压缩机运行时有金属撞击声，噪音明显偏大。"),
    ("绝缘电阻低", "出厂检验时发现绝缘电阻低于2MΩ。"),
    ("排气温度过高后停机", "运行约30分钟后排气温度过高，保护停机。"),
    ("Compressor trips on overload", "The unit trips on overload a few minutes after start."),
)


def _staff(session) -> dict[str, User]:
    emails = [e for e, *_ in DEMO_STAFF]
    return {
        u.unit.code if u.unit else u.role.value: u
        for u in session.scalars(select(User).where(User.email.in_(emails)))
    }


def load_demo(settings, echo: Callable[[str], None]) -> None:
    session = db.session
    for code, name_zh, name_en in DEFECTS:
        if session.scalar(select(DefectCode).where(DefectCode.code == code)) is None:
            session.add(DefectCode(code=code, name_zh=name_zh, name_en=name_en, active=True))
    session.commit()
    codes = [code for code, *_ in DEMO_ACCOUNTS]
    accounts = list(session.scalars(select(Account).where(Account.code.in_(codes)).order_by(Account.code)))
    existing = (
        session.scalar(
            select(func.count())
            .select_from(ServiceRequest)
            .where(ServiceRequest.account_id.in_([a.id for a in accounts]))
        )
        if accounts
        else 0
    )
    if not accounts or existing:
        echo(f"  service requests: {existing} already there, nothing added")
        return
    staff = _staff(session)
    customers = {
        a.id: list(session.scalars(select(User).where(User.account_id == a.id, User.role == Role.CUSTOMER)))
        for a in accounts
    }
    models = sorted(catalog().models) or ["SHV33YC"]
    rng = random.Random(20261203)
    now = utcnow().replace(microsecond=0)
    start = now - timedelta(days=548)
    moments = sorted(
        start + timedelta(seconds=rng.randrange(int((now - start).total_seconds()) - 3600))
        for _ in range(300)
    )
    made = 0
    for index, created in enumerate(moments):
        account = rng.choice(accounts)
        _one(session, rng, index, created, now, account, customers[account.id], staff, models)
        made += 1
        if made % 50 == 0:
            session.commit()
    session.commit()
    echo(f"  service requests: {made} added, {len(DEFECTS)} defect codes")


def _one(
    session,
    rng: random.Random,
    index: int,
    created: datetime,
    now: datetime,
    account: Account,
    customers: list[User],
    staff: dict[str, User],
    models: list[str],
) -> None:
    kind = rng.choices(list(RequestType), weights=(25, 20, 55))[0]
    office = staff[services.sales_office_for(session, account.region).code]
    by_phone = rng.random() < 0.2 or not customers
    customer = rng.choice(customers) if customers else None
    model = rng.choice(models)
    if kind is RequestType.RETURNED_MATERIAL:
        summary, description = rng.choice(FAULTS)
    elif kind is RequestType.COMPLAINT:
        summary, description = rng.choice(COMPLAINTS)
    else:
        summary, description = rng.choice(INFORMATION)
    production = (created - timedelta(days=rng.randint(60, 700))).date()
    ship = production + timedelta(days=rng.randint(10, 40))
    new = services.NewRequest(
        type=kind,
        summary=summary,
        description=description,
        urgency=rng.choices(list(Level), (2, 5, 3))[0],
        product_model=model if kind is not RequestType.COMPLAINT or rng.random() < 0.5 else "",
        serial_number=f"{model[:3]}{production:%y%m}{index:05d}"
        if kind is RequestType.RETURNED_MATERIAL
        else "",
        production_date=production if kind is RequestType.RETURNED_MATERIAL else None,
        ship_date=ship if kind is RequestType.RETURNED_MATERIAL else None,
        channel=rng.choice((Channel.PHONE, Channel.FAX)) if by_phone else Channel.WEB,
        account_code=account.code,
    )
    sr = services.create_request(session, office if by_phone else customer, new, created)
    age = (now - created).days
    # How far this request got: old ones are finished, recent ones spread over the workflow.
    stages = ["open", "assigned", "received", "solving", "analysed", "replaced", "delivered", "closed"]
    if kind is not RequestType.RETURNED_MATERIAL:
        stages = ["open", "assigned", "solving", "closed"]
    target = len(stages) - 1 if age > 60 else rng.randrange(len(stages))
    clock = created

    def tick(hours_low: int, hours_high: int) -> datetime:
        nonlocal clock
        clock = min(clock + timedelta(hours=rng.randint(hours_low, hours_high)), now - timedelta(minutes=5))
        return clock

    if rng.random() < 0.1 and customer is not None:
        services.escalate(session, customer, sr, tick(1, 20), "生产线等待，请尽快处理。")
    if target >= 1:
        services.set_severity(session, office, sr, rng.choice(list(Level)), tick(1, 30))
        services.assign(session, office, sr, office, tick(0, 4))
        if rng.random() < 0.4:
            services.add_comment(session, office, sr, "已联系客户确认情况。", tick(1, 24), internal=True)
    if rng.random() < 0.08 and customer is not None:
        services.transition(session, customer, sr, Status.CANCELLED, tick(2, 48), "问题已自行解决。")
        return
    if kind is not RequestType.RETURNED_MATERIAL:
        if target >= 2:
            services.transition(session, office, sr, Status.SOLVING, tick(2, 48))
            services.add_comment(session, office, sr, "资料/处理方案已发送，请查收。", tick(2, 48))
        if target >= 3:
            _close(session, rng, sr, office, customer, tick(24, 96))
        return
    if target >= 2:
        services.receive_material(
            session,
            staff["warehouse"],
            sr,
            tick(48, 240).date(),
            rng.choice(("外观完好，铭牌清晰", "外壳有轻微磕碰", "接线柱护盖缺失")),
            clock,
        )
    if target >= 3:
        services.assign_teardown(session, office, sr, rng.choice(services.TEARDOWN_UNITS), tick(4, 48))
    if target >= 4:
        analyst = staff[sr.teardown_unit.code]
        defects = rng.sample([c for c, *_ in DEFECTS], rng.choice((1, 1, 2)))
        responsible = not set(defects) <= CUSTOMER_SIDE and rng.random() < 0.7
        services.record_analysis(
            session,
            analyst,
            sr,
            services.AnalysisInput(
                tuple(defects),
                "拆解分析确认：" + "、".join(defects),
                responsible,
                "拆解检查结果见附件照片。结论：" + ("我司责任" if responsible else "非我司责任"),
            ),
            tick(48, 240),
        )
    if target >= 5:
        services.record_replacement(
            session,
            staff["warehouse"],
            sr,
            sr.product_model,
            f"R{sr.serial_number[1:]}",
            tick(24, 96).date(),
            clock,
        )
    if target >= 6:
        services.record_delivery(session, office, sr, tick(48, 120).date(), "随货附分析报告。", clock)
    if target >= 7:
        _close(session, rng, sr, office, customer, tick(24, 240))


def _close(session, rng, sr, office, customer, at: datetime) -> None:
    if customer is not None and rng.random() < 0.65:
        services.transition(session, customer, sr, Status.SOFT_CLOSED, at, "确认解决，谢谢。")
    else:
        services.transition(session, office, sr, Status.HARD_CLOSED, at, "客户未回复，按规定关闭。")
