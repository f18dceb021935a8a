"""The demo ledger: two years for every demo account, CNY at home and USD abroad, consistent sums."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app.accounts.demo import load_demo as load_accounts
from app.accounts.models import Account, Region
from app.catalog import load_catalog
from app.extensions import db
from app.ledger import services
from app.ledger.demo import load_demo
from app.ledger.models import Invoice, Order, Payment, ShippedUnit


def test_demo_ledger_is_realistic_and_idempotent(settings, app):
    messages: list[str] = []
    load_accounts(settings, messages.append)
    today = date(2026, 6, 15)
    load_demo(settings, messages.append, today=today)
    counts = [db.session.scalar(select(func.count()).select_from(m)) for m in (Order, Invoice, Payment)]
    load_demo(settings, messages.append, today=today)
    assert [
        db.session.scalar(select(func.count()).select_from(m)) for m in (Order, Invoice, Payment)
    ] == counts
    assert messages[-1].strip() == "ledger: demo data already present"

    catalog = load_catalog(settings.content_dir)
    for account in db.session.scalars(select(Account)):
        orders = db.session.scalars(select(Order).where(Order.account_id == account.id)).all()
        assert len(orders) > 50, account.code
        first = min(o.order_date for o in orders)
        assert (today - first).days > 700 and max(o.order_date for o in orders) <= today
        expected = "USD" if account.region is Region.INTERNATIONAL else "CNY"
        assert {o.currency for o in orders} == {expected}
        for order in orders:
            assert sum(line.amount for line in order.lines) == order.amount
            assert all(line.product_model in catalog.models for line in order.lines)
    for invoice in db.session.scalars(select(Invoice)):
        applied = sum((a.amount for a in invoice.applications), Decimal(0))
        assert applied <= invoice.amount
    assert db.session.scalar(select(func.count()).select_from(ShippedUnit)) > 1000
    # something to show: overdue alerts and open invoices, but old debts are settled
    scope = services.Scope(None, internal=True)
    _found, overdue, _docs = services.alerts(db.session, scope, today)
    assert 0 < overdue < counts[1] // 10
    east = db.session.scalar(select(Account).where(Account.code == "C-EAST-01"))
    statement = services.statement(db.session, scope, east.code, today)
    assert statement.lines and statement.totals["CNY"]["90+"] < statement.total("CNY")
