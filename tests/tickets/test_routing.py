"""Routing per region and channel, transfer and assignment along the routing table."""

from __future__ import annotations

import pytest

from app.accounts.models import Region, Role
from app.errors import Conflict, InvalidInput, PermissionDenied
from app.extensions import db
from app.tickets import services
from app.tickets.models import Channel, EventKind, Level, RequestType

from .conftest import NOW


@pytest.mark.parametrize(
    "region,office",
    [
        (Region.INTERNATIONAL, "office-intl"),
        (Region.EAST, "office-east"),
        (Region.SOUTH, "office-south"),
        (Region.NORTH, "office-north"),
    ],
)
def test_web_request_goes_to_the_sales_office_of_the_region(world, region, office):
    account = world.make.account(f"C-{region.value.upper()}-R", region)
    customer = world.make.user(Role.CUSTOMER, account=account)
    sr = world.request(customer=customer)
    assert sr.channel is Channel.WEB and sr.owner_unit.code == office
    assert sr.number.startswith("SR-2026-")


@pytest.mark.parametrize("channel", [Channel.PHONE, Channel.FAX])
@pytest.mark.parametrize("receiver", ["office-south", "qa-aftersales", "infocentre"])
def test_phone_and_fax_are_owned_by_the_receiving_unit(world, channel, receiver):
    sr = world.request(
        customer=world.staff[receiver], channel=channel, account_code="C-EAST-T1", summary="电话报修"
    )
    assert sr.owner_unit.code == receiver and sr.channel is channel and sr.account_id == world.east.id
    assert sr.contact_name  # defaults to the account's first contact


def test_customers_cannot_phone_and_staff_must_name_the_account(world):
    with pytest.raises(InvalidInput):
        world.request(channel=Channel.PHONE)
    db.session.rollback()
    with pytest.raises(InvalidInput):
        world.request(customer=world.staff["office-east"], channel=Channel.PHONE, account_code="NOPE")
    db.session.rollback()
    with pytest.raises(InvalidInput):
        world.request(customer=world.staff["office-east"], channel=Channel.WEB, account_code="C-EAST-T1")


def test_office_to_infocentre_to_department_and_refused_shortcuts(world):
    sr = world.request()
    office, info, tech = world.staff["office-east"], world.staff["infocentre"], world.staff["sales-tech"]
    services.assign(db.session, office, sr, office, NOW)
    with pytest.raises(Conflict):  # an office hands over to the information centre only
        services.transfer(db.session, office, sr, "sales-tech", NOW)
    db.session.rollback()
    services.transfer(db.session, office, sr, "infocentre", NOW, "需要技术部支持")
    db.session.commit()
    assert sr.owner_unit.code == "infocentre" and sr.assignee is None
    with pytest.raises(PermissionDenied):  # the office no longer owns it
        services.transfer(db.session, office, sr, "infocentre", NOW)
    db.session.rollback()
    services.transfer(db.session, info, sr, "sales-tech", NOW)
    services.assign(db.session, tech, sr, tech, NOW)
    db.session.commit()
    owners = [(e.old_value, e.new_value) for e in sr.events if e.kind is EventKind.OWNER]
    assert owners == [("office-east", "infocentre"), ("infocentre", "sales-tech")]
    assert sr.assignee_id == tech.id
    with pytest.raises(InvalidInput):
        services.transfer(db.session, tech, sr, "no-such-unit", NOW)


def test_severity_and_overdue_per_urgency(world):
    from datetime import datetime

    rules = services.TicketRules.from_settings(None)
    fri = datetime(2026, 6, 5, 9, 0)  # Friday
    high = world.request(now=fri, urgency=Level.HIGH)
    low = world.request(now=fri, urgency=Level.LOW)
    monday_10 = datetime(2026, 6, 8, 10, 0)  # one working day later (weekend skipped)
    assert services.is_overdue(high, monday_10, rules) and not services.is_overdue(low, monday_10, rules)
    assert not services.is_overdue(high, datetime(2026, 6, 8, 8, 0), rules)
    assert services.is_overdue(low, datetime(2026, 6, 12, 10, 0), rules)
    services.set_severity(db.session, world.staff["office-east"], high, Level.HIGH, monday_10)
    db.session.commit()
    assert not services.is_overdue(high, monday_10, rules)  # staff touched it
    stmt = services.list_statement(
        world.staff["office-east"],
        services.ListFilter(overdue=True),
        "updated",
        "desc",
        datetime(2026, 6, 12, 10, 0),
        rules,
    )
    assert {sr.number for sr in db.session.scalars(stmt)} == {low.number, high.number}
    custom = services.TicketRules.from_settings(
        type("S", (), {"extra": {"tickets": {"overdue_working_days": {"low": 10}}}})()
    )
    assert not services.is_overdue(low, datetime(2026, 6, 12, 10, 0), custom)


def test_warranty_from_ship_date_per_series(app):
    from datetime import date

    from app.catalog import catalog

    rules = services.TicketRules.from_settings(None)
    inv = services.warranty_status("DSN150XG", date(2025, 1, 31), date(2027, 1, 31), catalog(), rules)
    assert inv.months == 24 and inv.inside and inv.ends_on == date(2027, 1, 31)
    sg = services.warranty_status("SGA19YC", date(2025, 1, 31), date(2026, 8, 1), catalog(), rules)
    assert sg.months == 18 and not sg.inside and sg.ends_on == date(2026, 7, 31)
    custom = services.TicketRules({}, {"SG": 36})
    assert services.warranty_status("SGA19YC", date(2025, 1, 31), date(2026, 8, 1), catalog(), custom).inside


def test_numbers_are_unique_and_sequential_per_year(world):
    from datetime import datetime

    a = world.request()
    b = world.request()
    c = world.request(now=datetime(2027, 1, 2, 9, 0))
    assert (a.number, b.number, c.number) == ("SR-2026-000001", "SR-2026-000002", "SR-2027-000001")
    assert world.request(kind=RequestType.INFORMATION).number == "SR-2026-000003"
