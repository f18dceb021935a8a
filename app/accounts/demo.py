"""Demo accounts, contacts and a user for every role. Idempotent: existing rows are kept."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from ..extensions import db
from . import services
from .models import Account, Region, Role

DEMO_PASSWORD = "isupport2026"

# code, name, region, contacts (name, phone, e-mail local part)
DEMO_ACCOUNTS: tuple[tuple[str, str, Region, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "C-EAST-01",
        "宁波海岚空调有限公司",
        Region.EAST,
        (("王建国", "0574-8765-1201", "wang.jianguo"), ("李晓燕", "0574-8765-1202", "li.xiaoyan")),
    ),
    (
        "C-EAST-02",
        "苏州澄风电器有限公司",
        Region.EAST,
        (("陈志明", "0512-6620-3301", "chen.zhiming"), ("周丽", "0512-6620-3302", "zhou.li")),
    ),
    ("C-EAST-03", "杭州云溪制冷设备有限公司", Region.EAST, (("赵鹏", "0571-8890-4401", "zhao.peng"),)),
    (
        "C-SOUTH-01",
        "广东美凌制冷设备有限公司",
        Region.SOUTH,
        (("黄伟", "0757-2233-5501", "huang.wei"), ("林静", "0757-2233-5502", "lin.jing")),
    ),
    ("C-SOUTH-02", "珠海格瑞空调器有限公司", Region.SOUTH, (("吴海涛", "0756-8612-6601", "wu.haitao"),)),
    (
        "C-NORTH-01",
        "青岛海澜空调器有限公司",
        Region.NORTH,
        (("刘洋", "0532-8893-7701", "liu.yang"), ("孙敏", "0532-8893-7702", "sun.min")),
    ),
    ("C-NORTH-02", "天津北辰冷暖设备有限公司", Region.NORTH, (("张磊", "022-2671-8801", "zhang.lei"),)),
    (
        "C-INTL-01",
        "Siam Cooltech Co., Ltd.",
        Region.INTERNATIONAL,
        (("Somchai Prasert", "+66-2-555-0101", "somchai"), ("Nok Chaiyaporn", "+66-2-555-0102", "nok")),
    ),
    (
        "C-INTL-02",
        "Nile Air Conditioning S.A.E.",
        Region.INTERNATIONAL,
        (("Michael Hanna", "+20-2-2555-0199", "michael"),),
    ),
)

# e-mail, name, role, unit
DEMO_STAFF: tuple[tuple[str, str, Role, str | None], ...] = (
    ("admin@isupport.example.com", "系统管理员", Role.SYSADMIN, None),
    ("info@isupport.example.com", "信息中心 高琳", Role.INFOCENTRE, "infocentre"),
    ("east@isupport.example.com", "华东营业所 钱峰", Role.STAFF, "office-east"),
    ("south@isupport.example.com", "南方营业所 何颖", Role.STAFF, "office-south"),
    ("north@isupport.example.com", "北方营业所 马骏", Role.STAFF, "office-north"),
    ("intl@isupport.example.com", "国际营业所 Allen Wu", Role.STAFF, "office-intl"),
    ("tech@isupport.example.com", "营业技术部 陈军", Role.STAFF, "sales-tech"),
    ("qa@isupport.example.com", "售后服务科 许文", Role.STAFF, "qa-aftersales"),
    ("warehouse@isupport.example.com", "仓储科 朱强", Role.STAFF, "warehouse"),
)


def customer_email(account_code: str, local: str) -> str:
    return f"{local}@{account_code.lower()}.example.com"


def load_demo(settings, echo: Callable[[str], None]) -> None:
    session = db.session
    services.ensure_units(session)
    for code, name, region, contacts in DEMO_ACCOUNTS:
        account = session.scalar(select(Account).where(Account.code == code))
        if account is None:
            account = services.create_account(session, code, name, region)
        for index, (contact_name, phone, local) in enumerate(contacts):
            email = customer_email(code, local)
            if services.user_by_email(session, email) is None:
                user = services.create_user(
                    session,
                    services.NewUser(
                        email=email,
                        password=DEMO_PASSWORD,
                        role=Role.CUSTOMER,
                        name=contact_name,
                        account_code=code,
                        phone=phone,
                    ),
                )
                if index == 0 and region is Region.INTERNATIONAL:
                    user.language = "en"
    for email, name, role, unit in DEMO_STAFF:
        if services.user_by_email(session, email) is None:
            services.create_user(
                session,
                services.NewUser(
                    email=email,
                    password=DEMO_PASSWORD,
                    role=role,
                    name=name,
                    unit_code=unit,
                ),
            )
    session.commit()
    echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, _name, role, unit in DEMO_STAFF:
        echo(f"  {role.value:<11} {email}" + (f"  ({unit})" if unit else ""))
    for code, _name, _region, contacts in DEMO_ACCOUNTS[:3] + DEMO_ACCOUNTS[-2:-1]:
        echo(f"  customer    {customer_email(code, contacts[0][2])}  ({code})")
