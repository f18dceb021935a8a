"""Fixtures of the service-request tests: the staff of every unit, customers, and a request factory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest

from app.accounts.models import Account, Region, Role, User
from app.extensions import db
from app.tickets import services
from app.tickets.models import Channel, DefectCode, Level, RequestType, ServiceRequest, Status

NOW = datetime(2026, 6, 10, 9, 0)  # a Wednesday


@dataclass
class World:
    east: Account
    south: Account
    alice: User  # customer of east
    bob: User  # customer of south
    staff: dict[str, User]  # by unit code; "infocentre" is the information-centre user
    make: object

    def request(
        self,
        kind: RequestType = RequestType.COMPLAINT,
        customer: User | None = None,
        now: datetime = NOW,
        **kwargs,
    ) -> ServiceRequest:
        fields = dict(type=kind, summary="压缩机异响", description="启动时有金属撞击声", urgency=Level.MEDIUM)
        if kind is RequestType.RETURNED_MATERIAL:
            fields.update(
                product_model="SHV33YC",
                serial_number="SHV2501000123",
                production_date=date(2025, 1, 5),
                ship_date=date(2025, 2, 1),
            )
        fields.update(kwargs)
        sr = services.create_request(db.session, customer or self.alice, services.NewRequest(**fields), now)
        db.session.commit()
        return sr


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Argon2 at its default cost takes most of a test's time on a busy machine; these tests are
    about requests, not passwords (the accounts tests cover hashing at full cost)."""
    from argon2 import PasswordHasher

    from app.accounts import services as account_services

    monkeypatch.setattr(
        account_services, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def world(app, make) -> World:
    east = make.account("C-EAST-T1", Region.EAST, "宁波测试空调")
    south = make.account("C-SOUTH-T1", Region.SOUTH, "广州测试空调")
    alice = make.user(Role.CUSTOMER, account=east, email="alice@east.example.com", name="Alice")
    bob = make.user(Role.CUSTOMER, account=south, email="bob@south.example.com", name="Bob")
    staff = {}
    for code in (
        "office-intl",
        "office-east",
        "office-south",
        "office-north",
        "sales-tech",
        "qa-aftersales",
        "warehouse",
    ):
        staff[code] = make.user(Role.STAFF, unit=code, email=f"{code}@staff.example.com", name=f"员工 {code}")
    staff["infocentre"] = make.user(Role.INFOCENTRE, email="info@staff.example.com", name="信息中心")
    for code, zh, en in (
        ("D-VALVE", "排气阀片断裂", "Discharge valve broken"),
        ("D-WINDING", "绕组烧毁", "Winding burnt"),
        ("D-LIQUID", "液击", "Liquid slugging"),
    ):
        db.session.add(DefectCode(code=code, name_zh=zh, name_en=en, active=True))
    db.session.commit()
    return World(east, south, alice, bob, staff, make)


def force_status(sr: ServiceRequest, status: Status) -> None:
    """Puts a request straight into a status (to test the moves out of it)."""
    sr.status = status
    db.session.commit()


__all__ = ["NOW", "World", "force_status", "Channel"]
