"""What the ERP holds for an account: orders (with lines, shipped units, shipping and billing),
invoices (with lines), payments (with their applications to invoices) and the import log.

Money is ``Numeric(14, 2)`` read as ``Decimal``. Invoice and payment statuses are derived from the
applications (see services.py), never stored, so they cannot drift from the amounts."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Account, enum_column
from ..extensions import db

MONEY = Numeric(14, 2)


class OrderStatus(enum.Enum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    IN_PRODUCTION = "in_production"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class DocumentsStatus(enum.Enum):
    """Where the shipping documents (bill of lading, packing list, invoice) are."""

    IN_PREPARATION = "in_preparation"
    HANDED_TO_BANK = "handed_to_bank"
    SENT_TO_LOGISTICS = "sent_to_logistics"


class Order(db.Model):
    __tablename__ = "ledger_orders"
    # the orders list of one account, newest first, is the hot query (see bench/bench_ledger.py)
    __table_args__ = (Index("ix_ledger_orders_account_date", "account_id", "order_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    order_date: Mapped[date] = mapped_column(Date, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus))
    customer_po: Mapped[str] = mapped_column(String(64), default="")
    # shipping
    ship_contact: Mapped[str] = mapped_column(String(100), default="")
    ship_address: Mapped[str] = mapped_column(String(300), default="")
    carrier: Mapped[str] = mapped_column(String(100), default="")
    ship_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    documents_status: Mapped[DocumentsStatus | None] = mapped_column(
        enum_column(DocumentsStatus), nullable=True
    )
    documents_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    documents_receiver: Mapped[str] = mapped_column(String(100), default="")
    # billing
    bill_to: Mapped[str] = mapped_column(String(300), default="")
    billing_terms: Mapped[str] = mapped_column(String(64), default="")
    # sha256 of the record as last imported: an identical re-import changes nothing
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())

    account: Mapped[Account] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.line_no"
    )


class OrderLine(db.Model):
    __tablename__ = "ledger_order_lines"
    __table_args__ = (UniqueConstraint("order_id", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("ledger_orders.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    product_model: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(String(200), default="")
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    amount: Mapped[Decimal] = mapped_column(MONEY)

    order: Mapped[Order] = relationship(back_populates="lines")
    units: Mapped[list[ShippedUnit]] = relationship(
        back_populates="order_line", cascade="all, delete-orphan", order_by="ShippedUnit.serial_number"
    )


class ShippedUnit(db.Model):
    """One compressor shipped on an order line, by serial number (for returned-material requests)."""

    __tablename__ = "ledger_shipped_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial_number: Mapped[str] = mapped_column(String(40), unique=True)
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("ledger_order_lines.id", ondelete="CASCADE"), index=True
    )
    product_model: Mapped[str] = mapped_column(String(32))
    production_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    ship_date: Mapped[date | None] = mapped_column(Date, nullable=True)

    order_line: Mapped[OrderLine] = relationship(back_populates="units")


class Invoice(db.Model):
    __tablename__ = "ledger_invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_orders.id"), nullable=True, index=True)
    invoice_date: Mapped[date] = mapped_column(Date, index=True)
    due_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    payment_terms: Mapped[str] = mapped_column(String(64), default="")
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())

    account: Mapped[Account] = relationship()
    order: Mapped[Order | None] = relationship()
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", order_by="InvoiceLine.line_no"
    )
    applications: Mapped[list[PaymentApplication]] = relationship(back_populates="invoice")


class InvoiceLine(db.Model):
    __tablename__ = "ledger_invoice_lines"
    __table_args__ = (UniqueConstraint("invoice_id", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("ledger_invoices.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    product_model: Mapped[str] = mapped_column(String(32), default="")
    description: Mapped[str] = mapped_column(String(200), default="")
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    amount: Mapped[Decimal] = mapped_column(MONEY)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class Payment(db.Model):
    __tablename__ = "ledger_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    payment_date: Mapped[date] = mapped_column(Date, index=True)
    method: Mapped[str] = mapped_column(String(32))
    bank: Mapped[str] = mapped_column(String(100), default="")
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    receipt_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    prepayment: Mapped[bool] = mapped_column(Boolean, default=False)
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())

    account: Mapped[Account] = relationship()
    applications: Mapped[list[PaymentApplication]] = relationship(
        back_populates="payment", cascade="all, delete-orphan", order_by="PaymentApplication.id"
    )


class PaymentApplication(db.Model):
    """The part of a payment applied to one invoice."""

    __tablename__ = "ledger_payment_applications"
    __table_args__ = (UniqueConstraint("payment_id", "invoice_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("ledger_payments.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("ledger_invoices.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)

    payment: Mapped[Payment] = relationship(back_populates="applications")
    invoice: Mapped[Invoice] = relationship(back_populates="applications")


class ImportRun(db.Model):
    """One `isupport ledger import`: when, which file, the counts and the rejected records."""

    __tablename__ = "ledger_import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    path: Mapped[str] = mapped_column(String(500))
    file_format: Mapped[str] = mapped_column(String(8))
    records: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[str] = mapped_column(Text, default="")  # one "line N: message" per line
