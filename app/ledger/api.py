"""The ledger's JSON API (CONTRACT.md): /api/v1/orders, /invoices, /payments and their details."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import jsonify, request

from ..api.support import api_auth_required, api_blueprint, current_api_user, page_json
from ..extensions import db
from . import services
from .models import Invoice, Order, Payment
from .views import today

bp = api_blueprint("ledger_api", __name__)


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def order_json(order: Order, detail: bool = False) -> dict:
    data = {
        "number": order.number,
        "account": order.account.code,
        "date": _day(order.order_date),
        "currency": order.currency,
        "amount": _money(order.amount),
        "status": order.status.value,
        "customer_po": order.customer_po,
    }
    if detail:
        data["lines"] = [
            {
                "id": line.id,
                "line": line.line_no,
                "model": line.product_model,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": _money(line.unit_price),
                "amount": _money(line.amount),
                "serials": [u.serial_number for u in line.units],
            }
            for line in order.lines
        ]
        data["shipping"] = {
            "contact": order.ship_contact,
            "address": order.ship_address,
            "carrier": order.carrier,
            "ship_date": _day(order.ship_date),
            "documents_status": order.documents_status.value if order.documents_status else None,
            "documents_date": _day(order.documents_date),
            "receiver": order.documents_receiver,
        }
        data["billing"] = {"bill_to": order.bill_to, "terms": order.billing_terms}
    return data


def invoice_json(row: services.InvoiceRow, detail: bool = False) -> dict:
    invoice: Invoice = row.invoice
    data = {
        "number": invoice.number,
        "account": invoice.account.code,
        "date": _day(invoice.invoice_date),
        "due_date": _day(invoice.due_date),
        "currency": invoice.currency,
        "amount": _money(invoice.amount),
        "terms": invoice.payment_terms,
        "status": row.status.code,
        "days_overdue": row.status.days_overdue,
        "open_amount": _money(row.status.open_amount),
    }
    if detail:
        data["order"] = invoice.order.number if invoice.order else None
        data["lines"] = [
            {
                "line": line.line_no,
                "model": line.product_model,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": _money(line.unit_price),
                "amount": _money(line.amount),
            }
            for line in invoice.lines
        ]
        data["payments"] = [
            {"number": a.payment.number, "date": _day(a.payment.payment_date), "amount": _money(a.amount)}
            for a in invoice.applications
        ]
    return data


def payment_json(row: services.PaymentRow, detail: bool = False) -> dict:
    payment: Payment = row.payment
    data = {
        "number": payment.number,
        "account": payment.account.code,
        "date": _day(payment.payment_date),
        "method": payment.method,
        "bank": payment.bank,
        "currency": payment.currency,
        "amount": _money(payment.amount),
        "status": row.status.code,
        "applied": _money(row.status.applied),
        "prepayment": payment.prepayment,
        "receipt_date": _day(payment.receipt_date),
    }
    if detail:
        data["applications"] = [
            {
                "invoice": a.invoice.number,
                "amount": _money(a.amount),
                "invoice_due_date": _day(a.invoice.due_date),
            }
            for a in payment.applications
        ]
    return data


def _scope_and_query(kind: str):
    scope = services.scope_for(db.session, current_api_user())
    query = services.parse_list_query(kind, request.args)
    return services.narrow(db.session, scope, query.account), query


@bp.get("/orders")
@api_auth_required()
def orders():
    scope, query = _scope_and_query(services.ORDERS)
    return jsonify(page_json(services.list_orders(db.session, scope, query, today()), order_json))


@bp.get("/orders/<number>")
@api_auth_required()
def order(number: str):
    scope = services.scope_for(db.session, current_api_user())
    return jsonify(order_json(services.get_order(db.session, scope, number), detail=True))


@bp.get("/invoices")
@api_auth_required()
def invoices():
    scope, query = _scope_and_query(services.INVOICES)
    return jsonify(page_json(services.list_invoices(db.session, scope, query, today()), invoice_json))


@bp.get("/invoices/<number>")
@api_auth_required()
def invoice(number: str):
    scope = services.scope_for(db.session, current_api_user())
    return jsonify(invoice_json(services.get_invoice(db.session, scope, number, today()), detail=True))


@bp.get("/payments")
@api_auth_required()
def payments():
    scope, query = _scope_and_query(services.PAYMENTS)
    return jsonify(page_json(services.list_payments(db.session, scope, query, today()), payment_json))


@bp.get("/payments/<number>")
@api_auth_required()
def payment(number: str):
    scope = services.scope_for(db.session, current_api_user())
    return jsonify(payment_json(services.get_payment(db.session, scope, number), detail=True))


def _list_op(kind: str, summary: str) -> dict:
    params = [
        {
            "name": "view",
            "in": "query",
            "schema": {"type": "string", "enum": list(services.VIEWS), "default": "all"},
        },
        {
            "name": "sort",
            "in": "query",
            "schema": {"type": "string", "enum": list(services.SORTS[kind]), "default": "date"},
        },
        {"name": "order", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
        {
            "name": "per_page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
        },
        {
            "name": "account",
            "in": "query",
            "description": "account code (staff and information centre)",
            "schema": {"type": "string"},
        },
    ]
    return {
        "get": {
            "summary": summary,
            "parameters": params,
            "responses": {
                "200": {"description": "{total, page, per_page, items}"},
                "400": {
                    "description": "a bad view, sort, order, page or per_page",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
                "401": {"description": "no or bad token"},
                "403": {"description": "a role without a ledger"},
            },
        }
    }


def _detail_op(summary: str) -> dict:
    return {
        "get": {
            "summary": summary,
            "parameters": [{"name": "number", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": {"description": "the record"},
                "404": {"description": "no such record in the caller's accounts"},
            },
        }
    }


OPENAPI_PATHS = {
    "/orders": _list_op(services.ORDERS, "The caller's account's orders"),
    "/orders/{number}": _detail_op("An order with lines (and serial numbers), shipping and billing"),
    "/invoices": _list_op(services.INVOICES, "The caller's account's invoices with derived status"),
    "/invoices/{number}": _detail_op("An invoice with lines and the payments applied to it"),
    "/payments": _list_op(services.PAYMENTS, "The caller's account's payments"),
    "/payments/{number}": _detail_op("A payment and the invoices it was applied to"),
}
