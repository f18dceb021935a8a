"""Derived statuses, views on chosen dates, sorting by every column, ageing buckets, lookups."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.accounts.models import Region
from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.ledger import services
from app.ledger.models import OrderStatus
from app.ledger.services import ListQuery, Scope


def scope_of(*accounts) -> Scope:
    return Scope(frozenset(a.id for a in accounts), internal=False)


@pytest.mark.parametrize(
    ("today", "applied", "expected"),
    [
        (date(2026, 2, 3), "0", ("due", 0, "1000.00")),
        (date(2026, 2, 4), "0", ("due", 0, "1000.00")),  # due on the due date itself
        (date(2026, 2, 5), "0", ("overdue", 1, "1000.00")),
        (date(2026, 3, 6), "400.00", ("overdue", 30, "600.00")),  # partial payment: open amount shown
        (date(2026, 3, 6), "1000.00", ("paid", 0, "0.00")),
    ],
)
def test_invoice_status_on_chosen_dates(today, applied, expected):
    status = services.invoice_status(Decimal("1000.00"), date(2026, 2, 4), Decimal(applied), today)
    assert (status.code, status.days_overdue, str(status.open_amount)) == expected


def test_payment_status():
    assert services.payment_status(Decimal("100.00"), Decimal("0")).code == "unapplied"
    assert services.payment_status(Decimal("100.00"), Decimal("40")).code == "partially_applied"
    assert services.payment_status(Decimal("100.00"), Decimal("100.00")).code == "applied"


def test_views_on_chosen_dates(make, ledger):
    account = make.account()
    # Wednesday 2026-03-11: this week starts Monday 03-09, last week Monday 03-02
    for number, day in (
        ("A", date(2026, 3, 1)),
        ("B", date(2026, 3, 2)),
        ("C", date(2026, 3, 8)),
        ("D", date(2026, 3, 9)),
        ("E", date(2026, 3, 11)),
    ):
        ledger.order(account, number=number, day=day)
    today = date(2026, 3, 11)

    def numbers(view: str) -> list[str]:
        page = services.list_orders(
            db.session, scope_of(account), ListQuery(view=view, sort="number", order="asc"), today
        )
        return [o.number for o in page.items]

    assert numbers("this_week") == ["D", "E"]
    assert numbers("since_last_week") == ["B", "C", "D", "E"]
    assert numbers("all") == ["A", "B", "C", "D", "E"]
    # on Monday the week starts afresh
    page = services.list_orders(db.session, scope_of(account), ListQuery(view="this_week"), date(2026, 3, 16))
    assert page.total == 0


def _sorted_numbers(lister, account, sort: str, order: str, today: date) -> list[str]:
    page = lister(db.session, scope_of(account), ListQuery(sort=sort, order=order, per_page=100), today)
    return [
        getattr(item, "number", None)
        or getattr(getattr(item, "invoice", None), "number", None)
        or item.payment.number
        for item in page.items
    ]


def test_orders_sort_by_every_column_both_ways(make, ledger):
    account = make.account()
    ledger.order(
        account,
        number="SO-2",
        day=date(2026, 1, 3),
        amount="300.00",
        currency="USD",
        status=OrderStatus.SHIPPED,
    )
    ledger.order(
        account,
        number="SO-3",
        day=date(2026, 1, 1),
        amount="1000.00",
        currency="CNY",
        status=OrderStatus.CANCELLED,
    )
    ledger.order(
        account, number="SO-1", day=date(2026, 1, 2), amount="20.00", currency="EUR", status=OrderStatus.OPEN
    )
    expected = {
        "number": ["SO-1", "SO-2", "SO-3"],
        "date": ["SO-3", "SO-1", "SO-2"],
        "currency": ["SO-3", "SO-1", "SO-2"],
        "amount": ["SO-1", "SO-2", "SO-3"],
        "status": ["SO-1", "SO-2", "SO-3"],  # open, shipped, cancelled: the order's life
        "account": ["SO-2", "SO-3", "SO-1"],
    }
    assert set(expected) == set(services.SORTS[services.ORDERS])
    for column, ascending in expected.items():
        if column == "account":
            continue  # one account: ties fall back to the id, tested with two accounts below
        assert _sorted_numbers(services.list_orders, account, column, "asc", date(2026, 2, 1)) == ascending
        assert (
            _sorted_numbers(services.list_orders, account, column, "desc", date(2026, 2, 1))
            == ascending[::-1]
        )


def test_sort_by_account_for_staff(make, ledger):
    first, second = make.account("B-ACC"), make.account("A-ACC")
    ledger.order(first, number="SO-B")
    ledger.order(second, number="SO-A")
    scope = Scope(None, internal=True)
    for order, expected in (("asc", ["SO-A", "SO-B"]), ("desc", ["SO-B", "SO-A"])):
        page = services.list_orders(
            db.session, scope, ListQuery(sort="account", order=order), date(2026, 2, 1)
        )
        assert [o.number for o in page.items] == expected


def test_invoices_sort_by_every_column_both_ways(make, ledger):
    account = make.account()
    today = date(2026, 3, 1)
    paid = ledger.invoice(
        account,
        number="I-1",
        day=date(2026, 1, 2),
        due=date(2026, 2, 1),
        amount="500.00",
        currency="USD",
        terms="L/C 90 days",
    )
    ledger.invoice(
        account,
        number="I-2",
        day=date(2026, 1, 1),
        due=date(2026, 3, 31),
        amount="900.00",
        currency="CNY",
        terms="T/T 30 days",
    )
    late = ledger.invoice(
        account,
        number="I-3",
        day=date(2026, 1, 3),
        due=date(2026, 2, 10),
        amount="100.00",
        currency="EUR",
        terms="月结60天",
    )
    ledger.payment(account, {paid: "500.00"}, currency="USD")
    ledger.payment(account, {late: "40.00"}, currency="EUR")
    expected = {
        "number": ["I-1", "I-2", "I-3"],
        "date": ["I-2", "I-1", "I-3"],
        "due_date": ["I-1", "I-3", "I-2"],
        "currency": ["I-2", "I-3", "I-1"],
        "amount": ["I-3", "I-1", "I-2"],
        "terms": ["I-1", "I-2", "I-3"],
        "status": ["I-1", "I-2", "I-3"],
        "open_amount": ["I-1", "I-3", "I-2"],
    }
    for column, ascending in expected.items():
        assert _sorted_numbers(services.list_invoices, account, column, "asc", today) == ascending, column
        assert _sorted_numbers(services.list_invoices, account, column, "desc", today) == ascending[::-1], (
            column
        )


def test_payments_sort_by_every_column_both_ways(make, ledger):
    account = make.account()
    invoice = ledger.invoice(account, amount="1000.00")
    ledger.payment(
        account,
        {invoice: "100.00"},
        number="P-1",
        day=date(2026, 1, 3),
        amount="100.00",
        method="letter_of_credit",
        bank="HSBC",
        currency="CNY",
    )  # applied
    ledger.payment(
        account,
        {},
        number="P-2",
        day=date(2026, 1, 1),
        amount="50.00",
        method="cheque",
        bank="中国银行",
        currency="USD",
    )  # unapplied
    ledger.payment(
        account,
        {invoice: "10.00"},
        number="P-3",
        day=date(2026, 1, 2),
        amount="700.00",
        method="telegraphic_transfer",
        bank="Bank of China",
        currency="CNY",
    )  # partial
    expected = {
        "number": ["P-1", "P-2", "P-3"],
        "date": ["P-2", "P-3", "P-1"],
        "method": ["P-2", "P-1", "P-3"],
        "bank": ["P-3", "P-1", "P-2"],
        "currency": ["P-1", "P-3", "P-2"],
        "amount": ["P-2", "P-1", "P-3"],
        "status": ["P-2", "P-3", "P-1"],
    }
    for column, ascending in expected.items():
        assert (
            _sorted_numbers(services.list_payments, account, column, "asc", date(2026, 2, 1)) == ascending
        ), column
        assert (
            _sorted_numbers(services.list_payments, account, column, "desc", date(2026, 2, 1))
            == ascending[::-1]
        ), column


def test_bad_query_parameters_are_invalid_input():
    for args in (
        {"view": "month"},
        {"sort": "secret"},
        {"order": "up"},
        {"page": "0"},
        {"page": "x"},
        {"per_page": "101"},
        {"per_page": "-1"},
        {"account": "A" * 40},
    ):
        with pytest.raises(InvalidInput):
            services.parse_list_query(services.ORDERS, args)
    with pytest.raises(InvalidInput):
        services.parse_list_query(services.ORDERS, {"sort": "due_date"})  # an invoice column
    query = services.parse_list_query(services.INVOICES, {"sort": "due_date", "order": "asc", "page": "2"})
    assert (query.sort, query.order, query.page, query.per_page) == ("due_date", "asc", 2, 20)


def test_ageing_buckets(make, ledger):
    account = make.account()
    today = date(2026, 6, 30)
    days_overdue = {
        "N": -5,
        "A0": 0,
        "A30": 30,
        "B31": 31,
        "B60": 60,
        "C61": 61,
        "C90": 90,
        "D91": 91,
        "D400": 400,
    }
    from datetime import timedelta

    for number, days in days_overdue.items():
        ledger.invoice(
            account, number=number, day=date(2025, 1, 1), due=today - timedelta(days=days), amount="100.00"
        )
    paid = ledger.invoice(account, number="PAID", day=date(2025, 1, 1), due=date(2026, 1, 1), amount="70.00")
    ledger.payment(account, {paid: "70.00"})
    part = ledger.invoice(
        account, number="PART", day=date(2025, 1, 1), due=today - timedelta(days=45), amount="100.00"
    )
    ledger.payment(account, {part: "25.00"})
    ledger.payment(account, {}, amount="8.00")  # unapplied
    result = services.statement(db.session, scope_of(account), None, today)
    buckets = {line.invoice.number: line.bucket for line in result.lines}
    assert buckets == {
        "N": "not_due",
        "A0": "0-30",
        "A30": "0-30",
        "B31": "31-60",
        "B60": "31-60",
        "C61": "61-90",
        "C90": "61-90",
        "D91": "90+",
        "D400": "90+",
        "PART": "31-60",
    }
    assert result.totals["CNY"] == {
        "not_due": Decimal("100.00"),
        "0-30": Decimal("200.00"),
        "31-60": Decimal("275.00"),
        "61-90": Decimal("200.00"),
        "90+": Decimal("200.00"),
    }
    assert result.total("CNY") == Decimal("975.00")
    assert result.unapplied == {"CNY": Decimal("8.00")}


def test_statement_keeps_currencies_apart_and_scopes(make, ledger):
    account, other = make.account(), make.account()
    ledger.invoice(account, amount="100.00", currency="USD")
    ledger.invoice(account, amount="50.00", currency="CNY")
    result = services.statement(db.session, scope_of(account), None, date(2026, 3, 1))
    assert set(result.totals) == {"USD", "CNY"}
    with pytest.raises(NotFound):
        services.statement(db.session, scope_of(account), other.code, date(2026, 3, 1))
    with pytest.raises(InvalidInput):
        services.statement(db.session, Scope(None, internal=True), None, date(2026, 3, 1))


def test_unit_lookups_are_scoped_to_the_account(make, ledger):
    account, other = make.account(), make.account(region=Region.SOUTH)
    order = ledger.order(account, serials=("SN-0001", "SN-0002"), day=date(2026, 1, 7))
    bare = ledger.order(account)
    unit = services.unit_by_serial(db.session, account.id, "sn-0001")
    assert unit.serial_number == "SN-0001" and unit.product_model == "SGN33YC"
    assert unit.order_number == order.number and unit.order_line_id == order.lines[0].id
    assert unit.ship_date == date(2026, 1, 7)
    assert services.unit_by_serial(db.session, other.id, "SN-0001") is None
    assert services.unit_by_serial(db.session, account.id, "SN-9999") is None
    line_id = order.lines[0].id
    assert services.unit_by_order_line(db.session, account.id, line_id).serial_number == "SN-0001"
    assert services.unit_by_order_line(db.session, other.id, line_id) is None
    assert services.unit_by_order_line(db.session, account.id, "x") is None
    no_serial = services.unit_by_order_line(db.session, account.id, bare.lines[0].id)
    assert no_serial.serial_number == "" and no_serial.product_model == "SGN33YC"


def test_registry_lookups_are_the_ledgers(app):
    from app.registry import registry

    assert registry(app).unit_lookup is services.unit_by_serial
    assert registry(app).order_line_lookup is services.unit_by_order_line
