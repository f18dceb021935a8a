"""Translated labels for the ledger's codes, shared by pages and alerts."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .models import DocumentsStatus, OrderStatus

ORDER_STATUS = {
    OrderStatus.OPEN: _l("Open"),
    OrderStatus.CONFIRMED: _l("Confirmed"),
    OrderStatus.IN_PRODUCTION: _l("In production"),
    OrderStatus.SHIPPED: _l("Shipped"),
    OrderStatus.COMPLETED: _l("Completed"),
    OrderStatus.CANCELLED: _l("Cancelled"),
}
DOCUMENTS_STATUS = {
    DocumentsStatus.IN_PREPARATION: _l("In preparation"),
    DocumentsStatus.HANDED_TO_BANK: _l("Handed to the bank"),
    DocumentsStatus.SENT_TO_LOGISTICS: _l("Sent to the logistics company"),
}
METHODS = {
    "telegraphic_transfer": _l("Telegraphic transfer"),
    "letter_of_credit": _l("Letter of credit"),
    "bank_acceptance": _l("Bank acceptance bill"),
    "cheque": _l("Cheque"),
    "cash": _l("Cash"),
}
PAYMENT_STATUS = {
    "applied": _l("Applied"),
    "partially_applied": _l("Partially applied"),
    "unapplied": _l("Not applied"),
}
BUCKET_LABELS = {
    "not_due": _l("Not yet due"),
    "0-30": _l("0-30 days"),
    "31-60": _l("31-60 days"),
    "61-90": _l("61-90 days"),
    "90+": _l("Over 90 days"),
}


def order_status_label(status: OrderStatus) -> str:
    return str(ORDER_STATUS.get(status, status.value))


def documents_status_label(status: DocumentsStatus | None) -> str:
    return str(DOCUMENTS_STATUS[status]) if status else _("Not yet")


def invoice_status_label(status) -> str:
    if status.code == "paid":
        return _("Paid")
    if status.code == "overdue":
        return _("Overdue %(days)s days", days=status.days_overdue)
    return _("Due")


def payment_status_label(status) -> str:
    return str(PAYMENT_STATUS[status.code])


def payment_method_label(method: str) -> str:
    return str(METHODS.get(method, method))


def bucket_label(bucket: str) -> str:
    return str(BUCKET_LABELS[bucket])


def money(amount: Decimal | None, currency: str = "") -> str:
    """1234567.5 -> '1,234,567.50' (with the currency code in front when given)."""
    if amount is None:
        return ""
    text = f"{Decimal(amount):,.2f}"
    return f"{currency} {text}" if currency else text
