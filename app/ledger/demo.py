"""Two years of realistic ledger data for the demo accounts (order 30, after the accounts).

Domestic customers buy in CNY, the international office's customers in USD. Idempotent: an account
that already has demo orders is left alone. Dates are relative to today, so the alerts and the
statement always have something current to show."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from ..accounts.demo import DEMO_ACCOUNTS
from ..accounts.models import Account, Region
from ..catalog import load_catalog
from ..clock import today as clock_today
from ..extensions import db
from .models import (
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

CENT = Decimal("0.01")
# model -> (CNY unit price, USD unit price); list prices of the catalogue's models
PRICES = {
    "SGA19YC": (420, 62),
    "SGN33YC": (560, 82),
    "SGT45YC": (690, 99),
    "SGB52YD": (760, 110),
    "SHV33YC": (610, 88),
    "SHW56YC": (880, 128),
    "SHX68YD": (1050, 152),
    "SHZ120TF": (2350, 338),
    "SHZ160TF": (2980, 429),
    "ASD102RKNA": (820, 118),
    "DSN150XG": (1150, 166),
    "DSY190XH": (1320, 190),
    "DSZ280VS": (3100, 446),
}
CARRIERS_CN = ("德邦物流", "中远海运物流", "顺丰快运", "安能物流")
CARRIERS_INTL = ("COSCO Shipping Lines", "Maersk Line", "Evergreen Marine")
BANKS_CN = ("中国工商银行上海分行", "中国银行上海分行", "招商银行上海分行")
BANKS_INTL = ("Bank of China Shanghai Branch", "HSBC Shanghai", "Standard Chartered Shanghai")


def load_demo(settings, echo: Callable[[str], None], today: date | None = None) -> None:
    today = today or clock_today()
    session = db.session
    catalog = load_catalog(settings.content_dir)
    models = [code for code in PRICES if not catalog.models or code in catalog.models]
    made = 0
    for index, (code, _name, _region, contacts) in enumerate(DEMO_ACCOUNTS):
        account = session.scalar(select(Account).where(Account.code == code))
        if account is None:
            continue
        prefix = code.removeprefix("C-")
        if session.scalar(select(Order.id).where(Order.account_id == account.id).limit(1)) is not None:
            continue
        rng = random.Random(f"ledger-demo-{code}")
        made += _account_ledger(session, rng, account, prefix, contacts[0][0], models, today, index)
    session.commit()
    echo(f"  ledger: {made} orders created" if made else "  ledger: demo data already present")


def _account_ledger(
    session,
    rng: random.Random,
    account: Account,
    prefix: str,
    contact: str,
    models: list[str],
    today: date,
    index: int,
) -> int:
    international = account.region is Region.INTERNATIONAL
    currency = "USD" if international else "CNY"
    terms = "T/T 30 days" if international else "月结60天"
    credit_days = 30 if international else 60
    favourites = rng.sample(models, k=min(4, len(models)))
    day = today - timedelta(days=730)
    seq = 0
    invoices: list[Invoice] = []
    while day <= today:
        day += timedelta(days=rng.randint(4, 12))
        if day > today:
            break
        seq += 1
        order = _order(rng, account, prefix, seq, day, currency, contact, favourites, today, international)
        session.add(order)
        if order.status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED) and order.ship_date <= today:
            invoice = Invoice(
                number=f"INV-{prefix}-{seq:04d}",
                account_id=account.id,
                order=order,
                invoice_date=order.ship_date,
                due_date=order.ship_date + timedelta(days=credit_days),
                currency=currency,
                amount=order.amount,
                payment_terms=terms,
                lines=[
                    InvoiceLine(
                        line_no=line.line_no,
                        product_model=line.product_model,
                        description=line.description,
                        quantity=line.quantity,
                        unit_price=line.unit_price,
                        amount=line.amount,
                    )
                    for line in order.lines
                ],
            )
            session.add(invoice)
            invoices.append(invoice)
    session.flush()
    _payments(session, rng, account, prefix, invoices, currency, international, today, index)
    return seq


def _order(rng, account, prefix, seq, day, currency, contact, favourites, today, international) -> Order:
    age = (today - day).days
    lines = []
    for line_no in range(1, rng.randint(1, 3) + 1):
        model = rng.choice(favourites)
        quantity = rng.choice((100, 200, 300, 500, 800, 1000, 1200))
        price = Decimal(PRICES[model][1 if international else 0]) * Decimal(rng.randint(95, 105)) / 100
        price = price.quantize(CENT)
        lines.append(
            OrderLine(
                line_no=line_no,
                product_model=model,
                quantity=quantity,
                unit_price=price,
                amount=(price * quantity).quantize(CENT),
                description=f"{model} compressor" if international else f"{model} 压缩机",
            )
        )
    if age > 60:
        status = OrderStatus.COMPLETED
    elif age > 25:
        status = OrderStatus.SHIPPED
    elif age > 10:
        status = rng.choice((OrderStatus.IN_PRODUCTION, OrderStatus.SHIPPED))
    else:
        status = rng.choice((OrderStatus.OPEN, OrderStatus.CONFIRMED))
    ship_date = (
        day + timedelta(days=rng.randint(8, 20))
        if status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED)
        else None
    )
    if ship_date and ship_date > today:
        ship_date = today
    docs, docs_date = None, None
    if ship_date:
        since = (today - ship_date).days
        if since >= 7 or rng.random() < 0.5:
            docs, docs_date = (
                DocumentsStatus.SENT_TO_LOGISTICS,
                min(today, ship_date + timedelta(days=rng.randint(0, 6))),
            )
        else:
            docs, docs_date = DocumentsStatus.HANDED_TO_BANK, ship_date
    elif status is OrderStatus.IN_PRODUCTION:
        docs, docs_date = DocumentsStatus.IN_PREPARATION, day
    order = Order(
        number=f"SO-{prefix}-{seq:04d}",
        account_id=account.id,
        order_date=day,
        currency=currency,
        amount=sum((line.amount for line in lines), Decimal(0)),
        status=status,
        customer_po=f"PO{day:%y%m}{seq:03d}",
        ship_contact=contact,
        ship_address=account.name + (" warehouse, Bangkok port" if international else " 成品仓库"),
        carrier=rng.choice(CARRIERS_INTL if international else CARRIERS_CN),
        ship_date=ship_date,
        documents_status=docs,
        documents_date=docs_date,
        documents_receiver=("Forwarder: " if international else "收货人：") + contact if docs else "",
        bill_to=account.name,
        billing_terms="T/T 30 days" if international else "月结60天",
        lines=lines,
    )
    if ship_date:
        # The ERP knows every serial; the demo keeps a few per line so that returned-material requests
        # can start from a real one.
        for line in lines:
            for unit_no in range(1, 4):
                line.units.append(
                    ShippedUnit(
                        serial_number=f"{line.product_model[:3]}{day:%y%m%d}{seq:04d}{line.line_no}{unit_no:02d}"
                        f"{prefix[-2:]}",
                        product_model=line.product_model,
                        production_date=day + timedelta(days=rng.randint(2, 7)),
                        ship_date=ship_date,
                    )
                )
    return order


def _payments(session, rng, account, prefix, invoices, currency, international, today, index) -> None:
    """Most invoices paid in full around the due date, some late, a few partly or not at all."""
    seq = 0
    for position, invoice in enumerate(invoices):
        recent = (today - invoice.due_date).days
        roll = rng.random()
        if recent < -20 and roll < 0.7:
            continue  # not due yet and not paid yet
        settled = recent > 120  # old debts have been collected by now, if late
        if not settled and roll < 0.15 + 0.05 * (index % 3):
            continue  # unpaid: shows as overdue
        seq += 1
        partial = not settled and roll > 0.9
        amount = (invoice.amount * Decimal("0.5")).quantize(CENT) if partial else invoice.amount
        paid_on = invoice.due_date + timedelta(days=rng.randint(-10, 25))
        if paid_on > today:
            if position % 2:
                continue
            paid_on = today
        payment = Payment(
            number=f"PAY-{prefix}-{seq:04d}",
            account_id=account.id,
            payment_date=paid_on,
            method=rng.choice(("telegraphic_transfer", "letter_of_credit"))
            if international
            else rng.choice(("telegraphic_transfer", "bank_acceptance")),
            bank=rng.choice(BANKS_INTL if international else BANKS_CN),
            currency=currency,
            amount=amount,
            receipt_date=paid_on + timedelta(days=rng.randint(0, 3)),
            prepayment=False,
            applications=[PaymentApplication(invoice_id=invoice.id, amount=amount)],
        )
        session.add(payment)
    # one prepayment not yet applied, for the statement
    seq += 1
    session.add(
        Payment(
            number=f"PAY-{prefix}-{seq:04d}",
            account_id=account.id,
            payment_date=today - timedelta(days=3),
            method="telegraphic_transfer",
            bank=(BANKS_INTL if international else BANKS_CN)[0],
            currency=currency,
            amount=Decimal("5000.00") if international else Decimal("50000.00"),
            receipt_date=today - timedelta(days=2),
            prepayment=True,
        )
    )
