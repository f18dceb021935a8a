"""The ledger's rules: who sees which account, the lists (views, sorting, paging), derived invoice
and payment statuses, the statement with ageing buckets, home-page alerts and shipped-unit lookups.

Every function takes the session and, where time matters, ``today`` (a date) from the caller."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session, selectinload

from ..accounts.models import Account, Role, UnitKind, User
from ..errors import InvalidInput, NotFound, PermissionDenied
from ..registry import ShippedUnit as ShippedUnitInfo
from ..web import MAX_PER_PAGE, Page, paginate
from .models import Invoice, Order, OrderLine, OrderStatus, Payment, PaymentApplication, ShippedUnit

ZERO = Decimal("0.00")

# --- who sees what ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The accounts a user may read: ``account_ids`` None means all (the information centre)."""

    account_ids: frozenset[int] | None
    internal: bool

    def allows(self, account_id: int) -> bool:
        return self.account_ids is None or account_id in self.account_ids


def scope_for(session: Session, user: User) -> Scope:
    """Customers: their account. Sales-office staff: their region's accounts. Information centre: all.
    Other roles and departments have no ledger (PermissionDenied)."""
    if user.role is Role.CUSTOMER:
        return Scope(frozenset({user.account_id}) if user.account_id else frozenset(), internal=False)
    if user.role is Role.INFOCENTRE:
        return Scope(None, internal=True)
    if user.role is Role.STAFF and user.unit is not None and user.unit.kind is UnitKind.SALES_OFFICE:
        ids = session.scalars(select(Account.id).where(Account.region == user.unit.region))
        return Scope(frozenset(ids), internal=True)
    raise PermissionDenied("Only customers, sales offices and the information centre see account ledgers.")


def can_use_ledger(user: User) -> bool:
    if user.role in (Role.CUSTOMER, Role.INFOCENTRE):
        return True
    return user.role is Role.STAFF and user.unit is not None and user.unit.kind is UnitKind.SALES_OFFICE


def visible_accounts(session: Session, scope: Scope) -> list[Account]:
    stmt = select(Account).order_by(Account.code)
    if scope.account_ids is not None:
        stmt = stmt.where(Account.id.in_(scope.account_ids or [-1]))
    return list(session.scalars(stmt))


def narrow(session: Session, scope: Scope, account_code: str | None) -> Scope:
    """The scope narrowed to one account picked by code; an account outside the scope is not found."""
    if not account_code:
        return scope
    account = session.scalar(select(Account).where(Account.code == account_code.strip().upper()))
    if account is None or not scope.allows(account.id):
        raise NotFound("No such account.")
    return Scope(frozenset({account.id}), scope.internal)


# --- list queries -----------------------------------------------------------------------------------

VIEWS = ("this_week", "since_last_week", "all")
ORDERS, INVOICES, PAYMENTS = "orders", "invoices", "payments"
SORTS: dict[str, tuple[str, ...]] = {
    ORDERS: ("number", "date", "currency", "amount", "status", "account"),
    INVOICES: (
        "number",
        "date",
        "due_date",
        "currency",
        "amount",
        "terms",
        "status",
        "open_amount",
        "account",
    ),
    PAYMENTS: ("number", "date", "method", "bank", "currency", "amount", "status", "account"),
}


@dataclass(frozen=True)
class ListQuery:
    view: str = "all"
    sort: str = "date"
    order: str = "desc"
    page: int = 1
    per_page: int = 20
    account: str | None = None


def parse_list_query(kind: str, args: Mapping[str, str], default_per_page: int = 20) -> ListQuery:
    """The list's query string as a value; any bad value is an InvalidInput naming the parameter."""
    view = args.get("view") or "all"
    if view not in VIEWS:
        raise InvalidInput(f"view must be one of {', '.join(VIEWS)}", field="view")
    sort = args.get("sort") or "date"
    if sort not in SORTS[kind]:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS[kind])}", field="sort")
    order = args.get("order") or ("desc" if sort in ("date", "due_date") else "asc")
    if order not in ("asc", "desc"):
        raise InvalidInput("order must be asc or desc", field="order")

    def number(name: str, default: int, high: int) -> int:
        raw = args.get(name)
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except ValueError:
            raise InvalidInput(f"{name} must be a whole number", field=name) from None
        if not 1 <= value <= high:
            raise InvalidInput(f"{name} must be between 1 and {high}", field=name)
        return value

    account = (args.get("account") or "").strip() or None
    if account is not None and len(account) > 32:
        raise InvalidInput("account is an account code of at most 32 characters", field="account")
    return ListQuery(
        view,
        sort,
        order,
        number("page", 1, 1_000_000),
        number("per_page", default_per_page, MAX_PER_PAGE),
        account,
    )


def view_start(view: str, today: date) -> date | None:
    """this_week: from this Monday; since_last_week: from last Monday; all: no limit."""
    monday = today - timedelta(days=today.weekday())
    return {"this_week": monday, "since_last_week": monday - timedelta(days=7)}.get(view)


def _scoped(stmt: Select, model, scope: Scope) -> Select:
    if scope.account_ids is None:
        return stmt
    return stmt.where(model.account_id.in_(scope.account_ids or [-1]))


def applied_subquery():
    return (
        select(func.coalesce(func.sum(PaymentApplication.amount), 0))
        .where(PaymentApplication.invoice_id == Invoice.id)
        .correlate(Invoice)
        .scalar_subquery()
    )


def payment_applied_subquery():
    return (
        select(func.coalesce(func.sum(PaymentApplication.amount), 0))
        .where(PaymentApplication.payment_id == Payment.id)
        .correlate(Payment)
        .scalar_subquery()
    )


def _ordered(stmt: Select, column, query: ListQuery, tiebreak) -> Select:
    primary = column.asc() if query.order == "asc" else column.desc()
    secondary = tiebreak.asc() if query.order == "asc" else tiebreak.desc()
    return stmt.order_by(primary, secondary)


# orders sort by where they are in their life, not by the alphabet of the status codes
ORDER_LIFECYCLE = case(
    {status.value: rank for rank, status in enumerate(OrderStatus)},
    value=Order.status,
    else_=len(OrderStatus),
)


def orders_stmt(scope: Scope, query: ListQuery, today: date) -> Select:
    stmt = _scoped(select(Order).options(selectinload(Order.account)), Order, scope)
    start = view_start(query.view, today)
    if start:
        stmt = stmt.where(Order.order_date >= start, Order.order_date <= today)
    columns = {
        "number": Order.number,
        "date": Order.order_date,
        "currency": Order.currency,
        "amount": Order.amount,
        "status": ORDER_LIFECYCLE,
    }
    if query.sort == "account":
        stmt = stmt.join(Account, Account.id == Order.account_id)
        columns["account"] = Account.code
    return _ordered(stmt, columns[query.sort], query, Order.id)


def invoices_stmt(scope: Scope, query: ListQuery, today: date) -> Select:
    applied = applied_subquery()
    stmt = _scoped(
        select(Invoice, applied.label("applied")).options(selectinload(Invoice.account)), Invoice, scope
    )
    start = view_start(query.view, today)
    if start:
        stmt = stmt.where(Invoice.invoice_date >= start, Invoice.invoice_date <= today)
    # paid < due < overdue, the longest overdue last (ascending)
    status = case((applied >= Invoice.amount, 0), (Invoice.due_date >= today, 1), else_=2)
    columns = {
        "number": Invoice.number,
        "date": Invoice.invoice_date,
        "due_date": Invoice.due_date,
        "currency": Invoice.currency,
        "amount": Invoice.amount,
        "terms": Invoice.payment_terms,
        "open_amount": Invoice.amount - applied,
    }
    if query.sort == "status":
        primary = (
            (status.asc(), Invoice.due_date.desc())
            if query.order == "asc"
            else (status.desc(), Invoice.due_date.asc())
        )
        return stmt.order_by(*primary, Invoice.id)
    if query.sort == "account":
        stmt = stmt.join(Account, Account.id == Invoice.account_id)
        columns["account"] = Account.code
    return _ordered(stmt, columns[query.sort], query, Invoice.id)


def payments_stmt(scope: Scope, query: ListQuery, today: date) -> Select:
    applied = payment_applied_subquery()
    stmt = _scoped(
        select(Payment, applied.label("applied")).options(selectinload(Payment.account)), Payment, scope
    )
    start = view_start(query.view, today)
    if start:
        stmt = stmt.where(Payment.payment_date >= start, Payment.payment_date <= today)
    # unapplied < partially applied < applied
    status = case((applied >= Payment.amount, 2), (applied > 0, 1), else_=0)
    columns = {
        "number": Payment.number,
        "date": Payment.payment_date,
        "method": Payment.method,
        "bank": Payment.bank,
        "currency": Payment.currency,
        "amount": Payment.amount,
        "status": status,
    }
    if query.sort == "account":
        stmt = stmt.join(Account, Account.id == Payment.account_id)
        columns["account"] = Account.code
    return _ordered(stmt, columns[query.sort], query, Payment.id)


# --- derived statuses -------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceStatus:
    code: str  # paid | due | overdue
    days_overdue: int
    applied: Decimal
    open_amount: Decimal

    @property
    def tone(self) -> str:
        return {"paid": "success", "due": "warning", "overdue": "danger"}[self.code]


def invoice_status(amount: Decimal, due_date: date, applied: Decimal, today: date) -> InvoiceStatus:
    """paid when fully applied; else due until the due date, then overdue N days (N = days past due)."""
    applied = Decimal(applied or 0).quantize(Decimal("0.01"))
    open_amount = max(ZERO, amount - applied)
    if open_amount == 0:
        return InvoiceStatus("paid", 0, applied, ZERO)
    days = (today - due_date).days
    if days > 0:
        return InvoiceStatus("overdue", days, applied, open_amount)
    return InvoiceStatus("due", 0, applied, open_amount)


@dataclass(frozen=True)
class PaymentStatus:
    code: str  # applied | partially_applied | unapplied
    applied: Decimal
    unapplied: Decimal

    @property
    def tone(self) -> str:
        return {"applied": "success", "partially_applied": "warning", "unapplied": "secondary"}[self.code]


def payment_status(amount: Decimal, applied: Decimal) -> PaymentStatus:
    applied = Decimal(applied or 0).quantize(Decimal("0.01"))
    if applied >= amount:
        return PaymentStatus("applied", applied, ZERO)
    return PaymentStatus("partially_applied" if applied > 0 else "unapplied", applied, amount - applied)


@dataclass(frozen=True)
class InvoiceRow:
    invoice: Invoice
    status: InvoiceStatus


@dataclass(frozen=True)
class PaymentRow:
    payment: Payment
    status: PaymentStatus


def list_orders(session: Session, scope: Scope, query: ListQuery, today: date) -> Page:
    return paginate(session, orders_stmt(scope, query, today), query.page, query.per_page)


def list_invoices(session: Session, scope: Scope, query: ListQuery, today: date) -> Page:
    page = paginate(session, invoices_stmt(scope, query, today), query.page, query.per_page, scalars=False)
    rows = [
        InvoiceRow(inv, invoice_status(inv.amount, inv.due_date, applied, today))
        for inv, applied in page.items
    ]
    return Page(rows, page.total, page.page, page.per_page)


def list_payments(session: Session, scope: Scope, query: ListQuery, today: date) -> Page:
    page = paginate(session, payments_stmt(scope, query, today), query.page, query.per_page, scalars=False)
    rows = [PaymentRow(p, payment_status(p.amount, applied)) for p, applied in page.items]
    return Page(rows, page.total, page.page, page.per_page)


def all_rows(session: Session, kind: str, scope: Scope, query: ListQuery, today: date, limit: int = 50_000):
    """Every row of a list (for the CSV export), in the list's order."""
    if kind == ORDERS:
        return list(session.scalars(orders_stmt(scope, query, today).limit(limit)))
    if kind == INVOICES:
        return [
            InvoiceRow(inv, invoice_status(inv.amount, inv.due_date, applied, today))
            for inv, applied in session.execute(invoices_stmt(scope, query, today).limit(limit))
        ]
    return [
        PaymentRow(p, payment_status(p.amount, applied))
        for p, applied in session.execute(payments_stmt(scope, query, today).limit(limit))
    ]


# --- details ----------------------------------------------------------------------------------------


def _get(session: Session, model, number: str, scope: Scope):
    """The record with this number if the scope allows it, else NotFound (never 403: numbers don't leak)."""
    row = session.scalar(select(model).where(model.number == (number or "").strip()))
    if row is None or not scope.allows(row.account_id):
        raise NotFound("No such record.")
    return row


def get_order(session: Session, scope: Scope, number: str) -> Order:
    return _get(session, Order, number, scope)


def order_invoices(session: Session, order: Order) -> list[Invoice]:
    return list(
        session.scalars(select(Invoice).where(Invoice.order_id == order.id).order_by(Invoice.invoice_date))
    )


def get_invoice(session: Session, scope: Scope, number: str, today: date) -> InvoiceRow:
    invoice = _get(session, Invoice, number, scope)
    applied = sum((a.amount for a in invoice.applications), ZERO)
    return InvoiceRow(invoice, invoice_status(invoice.amount, invoice.due_date, applied, today))


def get_payment(session: Session, scope: Scope, number: str) -> PaymentRow:
    payment = _get(session, Payment, number, scope)
    applied = sum((a.amount for a in payment.applications), ZERO)
    return PaymentRow(payment, payment_status(payment.amount, applied))


# --- statement of account ----------------------------------------------------------------------------

BUCKETS = ("not_due", "0-30", "31-60", "61-90", "90+")


def ageing_bucket(days_overdue: int, due_date: date, today: date) -> str:
    """Open invoices by days past their due date; not yet due ones have their own column."""
    if due_date > today:
        return "not_due"
    if days_overdue <= 30:
        return "0-30"
    if days_overdue <= 60:
        return "31-60"
    if days_overdue <= 90:
        return "61-90"
    return "90+"


@dataclass
class StatementLine:
    invoice: Invoice
    status: InvoiceStatus
    bucket: str


@dataclass
class Statement:
    account: Account
    today: date
    lines: list[StatementLine] = field(default_factory=list)
    # currency -> bucket -> open amount (CNY and USD are never added together)
    totals: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    unapplied: dict[str, Decimal] = field(default_factory=dict)  # currency -> unapplied payments

    def total(self, currency: str) -> Decimal:
        return sum(self.totals.get(currency, {}).values(), ZERO)


def statement(session: Session, scope: Scope, account_code: str | None, today: date) -> Statement:
    """Open invoices of one account on ``today`` with ageing buckets and unapplied payments."""
    if account_code:
        account = session.scalar(select(Account).where(Account.code == account_code.strip().upper()))
    elif scope.account_ids is not None and len(scope.account_ids) == 1:
        account = session.get(Account, next(iter(scope.account_ids)))
    else:
        raise InvalidInput("Pick an account to see its statement.", code="account_required", field="account")
    if account is None or not scope.allows(account.id):
        raise NotFound("No such account.")
    result = Statement(account=account, today=today)
    applied = applied_subquery()
    rows = session.execute(
        select(Invoice, applied.label("applied"))
        .where(Invoice.account_id == account.id, applied < Invoice.amount)
        .order_by(Invoice.due_date, Invoice.id)
    )
    for invoice, paid in rows:
        status = invoice_status(invoice.amount, invoice.due_date, paid, today)
        bucket = ageing_bucket(status.days_overdue, invoice.due_date, today)
        result.lines.append(StatementLine(invoice, status, bucket))
        per_currency = result.totals.setdefault(invoice.currency, {b: ZERO for b in BUCKETS})
        per_currency[bucket] += status.open_amount
    p_applied = payment_applied_subquery()
    for payment, paid in session.execute(
        select(Payment, p_applied.label("applied")).where(
            Payment.account_id == account.id, p_applied < Payment.amount
        )
    ):
        result.unapplied[payment.currency] = (
            result.unapplied.get(payment.currency, ZERO) + payment.amount - Decimal(paid or 0)
        )
    return result


# --- alerts and shipped units -----------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerAlert:
    kind: str  # overdue_invoice | documents_sent
    number: str
    account_code: str
    days_overdue: int = 0
    open_amount: Decimal = ZERO
    currency: str = ""
    receiver: str = ""


def alerts(session: Session, scope: Scope, today: date, limit: int = 5) -> tuple[list[LedgerAlert], int, int]:
    """Overdue invoices (most overdue first) and orders whose shipping documents went to the logistics
    company this week. Returns the alerts (at most ``limit`` of each) and the two full counts."""
    applied = applied_subquery()
    overdue_stmt = _scoped(
        select(Invoice, applied.label("applied"))
        .options(selectinload(Invoice.account))
        .where(applied < Invoice.amount, Invoice.due_date < today),
        Invoice,
        scope,
    )
    overdue_count = session.scalar(select(func.count()).select_from(overdue_stmt.subquery())) or 0
    found = []
    for invoice, paid in session.execute(overdue_stmt.order_by(Invoice.due_date, Invoice.id).limit(limit)):
        status = invoice_status(invoice.amount, invoice.due_date, paid, today)
        found.append(
            LedgerAlert(
                "overdue_invoice",
                invoice.number,
                invoice.account.code,
                status.days_overdue,
                status.open_amount,
                invoice.currency,
            )
        )
    monday = today - timedelta(days=today.weekday())
    from .models import DocumentsStatus

    docs_stmt = _scoped(
        select(Order)
        .options(selectinload(Order.account))
        .where(
            Order.documents_status == DocumentsStatus.SENT_TO_LOGISTICS,
            and_(Order.documents_date >= monday, Order.documents_date <= today),
        ),
        Order,
        scope,
    )
    docs_count = session.scalar(select(func.count()).select_from(docs_stmt.subquery())) or 0
    for order in session.scalars(docs_stmt.order_by(Order.documents_date.desc(), Order.id).limit(limit)):
        found.append(
            LedgerAlert("documents_sent", order.number, order.account.code, receiver=order.documents_receiver)
        )
    return found, overdue_count, docs_count


def _unit_info(unit: ShippedUnit) -> ShippedUnitInfo:
    return ShippedUnitInfo(
        serial_number=unit.serial_number,
        product_model=unit.product_model,
        production_date=unit.production_date,
        ship_date=unit.ship_date,
        order_number=unit.order_line.order.number,
        order_line_id=unit.order_line_id,
    )


def unit_by_serial(session: Session, account_id: int, serial: str) -> ShippedUnitInfo | None:
    """The compressor with this serial number if it was shipped to this account (else None)."""
    unit = session.scalar(
        select(ShippedUnit)
        .join(OrderLine)
        .join(Order)
        .where(ShippedUnit.serial_number == (serial or "").strip().upper(), Order.account_id == account_id)
    )
    return _unit_info(unit) if unit else None


def unit_by_order_line(session: Session, account_id: int, order_line_id: int) -> ShippedUnitInfo | None:
    """What was shipped on this order line of this account: its first serial number, or the line's model
    without a serial number when the ERP sent none (else None: not this account's line)."""
    try:
        line_id = int(order_line_id)
    except (TypeError, ValueError):
        return None
    line = session.scalar(
        select(OrderLine).join(Order).where(OrderLine.id == line_id, Order.account_id == account_id)
    )
    if line is None:
        return None
    if line.units:
        return _unit_info(line.units[0])
    return ShippedUnitInfo(
        serial_number="",
        product_model=line.product_model,
        production_date=None,
        ship_date=line.order.ship_date,
        order_number=line.order.number,
        order_line_id=line.id,
    )
