"""The transition table: every allowed and every refused move, per type and per actor."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from app.errors import Conflict, InvalidInput, PermissionDenied
from app.extensions import db
from app.tickets import services
from app.tickets.models import RequestType, Status

from .conftest import NOW, force_status

NON_TERMINAL = {
    RequestType.COMPLAINT: [Status.OPEN, Status.ASSIGNED, Status.SOLVING],
    RequestType.INFORMATION: [Status.OPEN, Status.ASSIGNED, Status.SOLVING],
    RequestType.RETURNED_MATERIAL: [Status.OPEN, Status.ASSIGNED, Status.MATERIAL_RECEIVED, Status.SOLVING],
}
# What the manager (owning office) may do, written out by hand from DOMAIN.md, independent of the code.
EXPECTED_MANAGER = {
    (RequestType.COMPLAINT, Status.OPEN): {
        Status.ASSIGNED,
        Status.SOLVING,
        Status.SOFT_CLOSED,
        Status.HARD_CLOSED,
        Status.CANCELLED,
    },
    (RequestType.COMPLAINT, Status.ASSIGNED): {
        Status.SOLVING,
        Status.SOFT_CLOSED,
        Status.HARD_CLOSED,
        Status.CANCELLED,
    },
    (RequestType.COMPLAINT, Status.SOLVING): {Status.SOFT_CLOSED, Status.HARD_CLOSED, Status.CANCELLED},
    (RequestType.RETURNED_MATERIAL, Status.OPEN): {
        Status.ASSIGNED,
        Status.MATERIAL_RECEIVED,
        Status.SOLVING,
        Status.SOFT_CLOSED,
        Status.HARD_CLOSED,
        Status.CANCELLED,
    },
    (RequestType.RETURNED_MATERIAL, Status.ASSIGNED): {
        Status.MATERIAL_RECEIVED,
        Status.SOLVING,
        Status.SOFT_CLOSED,
        Status.HARD_CLOSED,
        Status.CANCELLED,
    },
    (RequestType.RETURNED_MATERIAL, Status.MATERIAL_RECEIVED): {
        Status.SOLVING,
        Status.SOFT_CLOSED,
        Status.HARD_CLOSED,
    },
    (RequestType.RETURNED_MATERIAL, Status.SOLVING): {Status.SOFT_CLOSED, Status.HARD_CLOSED},
}
for state in (Status.OPEN, Status.ASSIGNED, Status.SOLVING):
    EXPECTED_MANAGER[(RequestType.INFORMATION, state)] = EXPECTED_MANAGER[(RequestType.COMPLAINT, state)]
CUSTOMER_MOVES = {Status.SOFT_CLOSED, Status.CANCELLED}


def _manager_expected(kind, source):
    return EXPECTED_MANAGER.get((kind, source), set())


def _customer_expected(kind, source):
    return _manager_expected(kind, source) & CUSTOMER_MOVES


def _pairs(kind):
    used = NON_TERMINAL[kind] + [Status.SOFT_CLOSED, Status.HARD_CLOSED, Status.CANCELLED]
    return [(a, b) for a, b in itertools.product(used, used) if a is not b]


@pytest.mark.parametrize("kind", list(RequestType))
def test_every_move_of_the_owning_office(world, kind):
    office = world.staff["office-east"]
    checked = 0
    for source, target in _pairs(kind):
        sr = world.request(kind)
        force_status(sr, source)
        if target not in _manager_expected(kind, source):
            with pytest.raises(Conflict) as error:
                services.transition(db.session, office, sr, target, NOW)
            assert error.value.code == "illegal_transition", (source, target)
            db.session.rollback()
            assert db.session.get(type(sr), sr.id).status is source
            checked += 1
            continue
        actor = office
        if target is Status.MATERIAL_RECEIVED:
            with pytest.raises(InvalidInput):  # only together with the receipt
                services.transition(db.session, office, sr, target, NOW)
            db.session.rollback()
            actor = world.staff["warehouse"]
            services.receive_material(db.session, actor, sr, date(2026, 6, 9), "完好", NOW)
        else:
            services.transition(db.session, office, sr, target, NOW, "note")
        db.session.commit()
        assert sr.status is target, (source, target)
        last = [e for e in sr.events if e.kind.value == "status"][-1]
        assert (last.old_value, last.new_value, last.actor_id) == (source.value, target.value, actor.id)
        assert (sr.closed_at is not None) == (
            target in {Status.SOFT_CLOSED, Status.HARD_CLOSED, Status.CANCELLED}
        )
        checked += 1
    assert checked == len(_pairs(kind))


@pytest.mark.parametrize("kind", list(RequestType))
def test_every_move_of_the_customer(world, kind):
    for source, target in _pairs(kind):
        sr = world.request(kind)
        force_status(sr, source)
        if target in _customer_expected(kind, source):
            services.transition(db.session, world.alice, sr, target, NOW)
            db.session.commit()
            assert sr.status is target, (source, target)
        else:
            with pytest.raises(Conflict):
                services.transition(db.session, world.alice, sr, target, NOW)
            db.session.rollback()
            assert db.session.get(type(sr), sr.id).status is source, (source, target)


def test_table_matches_the_hand_written_expectation():
    for kind, table in services.TRANSITIONS.items():
        for source in NON_TERMINAL[kind]:
            assert set(table[source]) == EXPECTED_MANAGER[(kind, source)], (kind, source)
        assert not set(table) & {Status.SOFT_CLOSED, Status.HARD_CLOSED, Status.CANCELLED}


def test_other_units_and_other_customers_may_not_move_it(world):
    sr = world.request()
    with pytest.raises(PermissionDenied):
        services.transition(db.session, world.staff["office-south"], sr, Status.SOLVING, NOW)
    db.session.rollback()
    with pytest.raises(Conflict):
        services.transition(db.session, world.bob, sr, Status.CANCELLED, NOW)
    db.session.rollback()
    services.transition(db.session, world.staff["infocentre"], sr, Status.SOLVING, NOW)  # infocentre may
    assert sr.status is Status.SOLVING


def test_assign_moves_open_to_assigned_and_records_both(world):
    sr = world.request()
    office = world.staff["office-east"]
    services.assign(db.session, office, sr, office, NOW)
    db.session.commit()
    assert sr.status is Status.ASSIGNED and sr.assignee_id == office.id
    kinds = [e.kind.value for e in sr.events]
    assert kinds == ["created", "assignee", "status"]
    with pytest.raises(InvalidInput):
        services.assign(db.session, office, sr, world.staff["office-south"], NOW)  # not of the owning unit


def test_escalate_once_and_not_when_closed(world):
    sr = world.request()
    services.escalate(db.session, world.alice, sr, NOW, "urgent")
    db.session.commit()
    assert sr.escalated
    with pytest.raises(Conflict):
        services.escalate(db.session, world.alice, sr, NOW)
    db.session.rollback()
    services.transition(db.session, world.alice, sr, Status.CANCELLED, NOW)
    db.session.commit()
    with pytest.raises(Conflict):
        services.set_severity(db.session, world.staff["office-east"], sr, services.Level.HIGH, NOW)
