"""The account tab: orders, invoices, payments, statement and their CSV exports (read-only pages)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from functools import wraps

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user, login_required

from ..clock import utcnow
from ..extensions import db
from . import services
from .labels import (
    bucket_label,
    documents_status_label,
    invoice_status_label,
    money,
    order_status_label,
    payment_method_label,
    payment_status_label,
)

bp = Blueprint("ledger", __name__, template_folder="templates", url_prefix="/account")


def today() -> date:
    clock = current_app.extensions.get("isupport.clock", utcnow)
    return clock().date()


def ledger_user_required(view: Callable) -> Callable:
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not services.can_use_ledger(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _context(kind: str):
    """The user's scope, the list query and the scope narrowed to the picked account."""
    scope = services.scope_for(db.session, current_user)
    query = services.parse_list_query(kind, request.args)
    return scope, query, services.narrow(db.session, scope, query.account)


def _list_page(kind: str, lister, template: str):
    scope, query, narrowed = _context(kind)
    page = lister(db.session, narrowed, query, today())
    accounts = services.visible_accounts(db.session, scope) if scope.internal else []
    return render_template(
        template, page=page, query=query, accounts=accounts, internal=scope.internal, views=services.VIEWS
    )


@bp.route("/orders")
@ledger_user_required
def orders():
    return _list_page(services.ORDERS, services.list_orders, "ledger/orders.html")


@bp.route("/invoices")
@ledger_user_required
def invoices():
    return _list_page(services.INVOICES, services.list_invoices, "ledger/invoices.html")


@bp.route("/payments")
@ledger_user_required
def payments():
    return _list_page(services.PAYMENTS, services.list_payments, "ledger/payments.html")


@bp.route("/orders/<number>")
@ledger_user_required
def order_detail(number: str):
    scope = services.scope_for(db.session, current_user)
    order = services.get_order(db.session, scope, number)
    return render_template(
        "ledger/order_detail.html",
        order=order,
        internal=scope.internal,
        invoices=services.order_invoices(db.session, order),
    )


@bp.route("/invoices/<number>")
@ledger_user_required
def invoice_detail(number: str):
    scope = services.scope_for(db.session, current_user)
    row = services.get_invoice(db.session, scope, number, today())
    return render_template("ledger/invoice_detail.html", row=row, internal=scope.internal)


@bp.route("/payments/<number>")
@ledger_user_required
def payment_detail(number: str):
    scope = services.scope_for(db.session, current_user)
    row = services.get_payment(db.session, scope, number)
    return render_template("ledger/payment_detail.html", row=row, internal=scope.internal)


@bp.route("/statement")
@ledger_user_required
def statement():
    scope = services.scope_for(db.session, current_user)
    accounts = services.visible_accounts(db.session, scope) if scope.internal else []
    code = (request.args.get("account") or "").strip() or None
    if scope.internal and code is None:
        return render_template(
            "ledger/statement.html",
            statement=None,
            accounts=accounts,
            internal=True,
            buckets=services.BUCKETS,
        )
    result = services.statement(db.session, scope, code, today())
    return render_template(
        "ledger/statement.html",
        statement=result,
        accounts=accounts,
        internal=scope.internal,
        buckets=services.BUCKETS,
    )


# --- CSV exports ------------------------------------------------------------------------------------


def _csv_response(filename: str, header: list[str], rows: list[list]) -> Response:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so that Excel reads the Chinese as UTF-8
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return Response(
        buffer.getvalue(),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


@bp.route("/orders.csv")
@ledger_user_required
def orders_csv():
    _scope, query, narrowed = _context(services.ORDERS)
    rows = services.all_rows(db.session, services.ORDERS, narrowed, query, today())
    return _csv_response(
        "orders.csv",
        ["account", "number", "date", "currency", "amount", "status", "customer_po", "documents_status"],
        [
            [
                o.account.code,
                o.number,
                o.order_date.isoformat(),
                o.currency,
                f"{o.amount:.2f}",
                o.status.value,
                o.customer_po,
                o.documents_status.value if o.documents_status else "",
            ]
            for o in rows
        ],
    )


@bp.route("/invoices.csv")
@ledger_user_required
def invoices_csv():
    _scope, query, narrowed = _context(services.INVOICES)
    rows = services.all_rows(db.session, services.INVOICES, narrowed, query, today())
    return _csv_response(
        "invoices.csv",
        [
            "account",
            "number",
            "date",
            "due_date",
            "currency",
            "amount",
            "terms",
            "status",
            "days_overdue",
            "open_amount",
        ],
        [
            [
                r.invoice.account.code,
                r.invoice.number,
                r.invoice.invoice_date.isoformat(),
                r.invoice.due_date.isoformat(),
                r.invoice.currency,
                f"{r.invoice.amount:.2f}",
                r.invoice.payment_terms,
                r.status.code,
                r.status.days_overdue,
                f"{r.status.open_amount:.2f}",
            ]
            for r in rows
        ],
    )


@bp.route("/payments.csv")
@ledger_user_required
def payments_csv():
    _scope, query, narrowed = _context(services.PAYMENTS)
    rows = services.all_rows(db.session, services.PAYMENTS, narrowed, query, today())
    return _csv_response(
        "payments.csv",
        [
            "account",
            "number",
            "date",
            "method",
            "bank",
            "currency",
            "amount",
            "status",
            "applied",
            "prepayment",
            "receipt_date",
        ],
        [
            [
                r.payment.account.code,
                r.payment.number,
                r.payment.payment_date.isoformat(),
                r.payment.method,
                r.payment.bank,
                r.payment.currency,
                f"{r.payment.amount:.2f}",
                r.status.code,
                f"{r.status.applied:.2f}",
                "yes" if r.payment.prepayment else "no",
                r.payment.receipt_date.isoformat() if r.payment.receipt_date else "",
            ]
            for r in rows
        ],
    )


@bp.app_template_global("ledger_labels")
def ledger_labels() -> dict:
    return {
        "order_status": order_status_label,
        "documents_status": documents_status_label,
        "invoice_status": invoice_status_label,
        "payment_status": payment_status_label,
        "method": payment_method_label,
        "money": money,
        "bucket": bucket_label,
    }
