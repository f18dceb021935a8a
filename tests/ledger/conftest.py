"""Ledger fixtures: the example accounts of docs/examples and a builder for ledger records."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from app.accounts.models import Region
from app.catalog import load_catalog
from app.extensions import db
from app.ledger.importer import run_import
from app.ledger.models import (
    DocumentsStatus,
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentApplication,
    ShippedUnit,
)
from app.settings import PROJECT_ROOT

EXAMPLES = PROJECT_ROOT / "docs" / "examples"


@pytest.fixture
def example_accounts(make):
    return make.account("EX-EAST", Region.EAST), make.account("EX-INTL", Region.INTERNATIONAL)


@pytest.fixture
def do_import(app):
    catalog = load_catalog(PROJECT_ROOT / "content")

    def _import(path: Path):
        return run_import(db.session, path, catalog, datetime(2026, 6, 10, 9, 0))

    return _import


class LedgerBuilder:
    """Writes orders, invoices and payments straight to the database (the importer is tested apart)."""

    def __init__(self) -> None:
        self.n = 0

    def order(
        self,
        account,
        number: str | None = None,
        day: date = date(2026, 1, 5),
        amount: str = "1000.00",
        currency: str = "CNY",
        status: OrderStatus = OrderStatus.OPEN,
        documents=None,
        documents_date=None,
        serials: tuple[str, ...] = (),
    ) -> Order:
        self.n += 1
        amount_d = Decimal(amount)
        line = OrderLine(
            line_no=1,
            product_model="SGN33YC",
            quantity=1,
            unit_price=amount_d,
            amount=amount_d,
            units=[ShippedUnit(serial_number=s, product_model="SGN33YC", ship_date=day) for s in serials],
        )
        order = Order(
            number=number or f"SO-{self.n:05d}",
            account_id=account.id,
            order_date=day,
            currency=currency,
            amount=amount_d,
            status=status,
            documents_status=documents,
            documents_date=documents_date,
            documents_receiver="收货人：张三" if documents else "",
            lines=[line],
        )
        db.session.add(order)
        db.session.commit()
        return order

    def invoice(
        self,
        account,
        number: str | None = None,
        day: date = date(2026, 1, 5),
        due: date = date(2026, 2, 4),
        amount: str = "1000.00",
        currency: str = "CNY",
        terms: str = "T/T 30 days",
    ) -> Invoice:
        self.n += 1
        amount_d = Decimal(amount)
        invoice = Invoice(
            number=number or f"INV-{self.n:05d}",
            account_id=account.id,
            invoice_date=day,
            due_date=due,
            currency=currency,
            amount=amount_d,
            payment_terms=terms,
            lines=[InvoiceLine(line_no=1, description="x", quantity=1, unit_price=amount_d, amount=amount_d)],
        )
        db.session.add(invoice)
        db.session.commit()
        return invoice

    def payment(
        self,
        account,
        applied: dict | None = None,
        number: str | None = None,
        day: date = date(2026, 1, 20),
        amount: str | None = None,
        currency: str = "CNY",
        method: str = "telegraphic_transfer",
        bank: str = "中国银行",
    ) -> Payment:
        self.n += 1
        applied = applied or {}
        total = Decimal(amount) if amount else sum((Decimal(v) for v in applied.values()), Decimal(0))
        payment = Payment(
            number=number or f"PAY-{self.n:05d}",
            account_id=account.id,
            payment_date=day,
            method=method,
            bank=bank,
            currency=currency,
            amount=total,
            applications=[
                PaymentApplication(invoice_id=inv.id, amount=Decimal(v)) for inv, v in applied.items()
            ],
        )
        db.session.add(payment)
        db.session.commit()
        return payment


@pytest.fixture
def ledger(app) -> LedgerBuilder:
    return LedgerBuilder()


@pytest.fixture
def fixed_today(app):
    """Sets the app's clock to a chosen day: ``fixed_today(date(2026, 3, 4))``."""

    def _set(day: date) -> None:
        app.extensions["isupport.clock"] = lambda: datetime(day.year, day.month, day.day, 10, 0)

    yield _set
    app.extensions.pop("isupport.clock", None)


__all__ = ["DocumentsStatus"]
