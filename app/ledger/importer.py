"""`isupport ledger import`: reads ERP exports (JSON Lines or CSV), validates every record and
upserts the good ones by number. The format is described in docs/ledger.md.

Each record is checked on its own (pydantic for shapes and types, then the rules that need the
database) and written in its own savepoint, so one bad record never stops the others. A record
whose content hash equals the stored one is left alone: re-running an import changes nothing."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.models import Account
from ..catalog import Catalog, normalise_model_code
from .models import (
    DocumentsStatus,
    ImportRun,
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentApplication,
    ShippedUnit,
)

CURRENCIES = frozenset({"CNY", "USD", "EUR", "JPY", "HKD", "GBP"})
PAYMENT_METHODS = frozenset({"telegraphic_transfer", "letter_of_credit", "bank_acceptance", "cheque", "cash"})
CENT = Decimal("0.01")
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
NUMBER = r"^[A-Za-z0-9][A-Za-z0-9\-/_.]{0,31}$"


class ImportError_(Exception):
    """The file as a whole cannot be read (missing, not UTF-8, unknown CSV header)."""


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("currency", check_fields=False)
    @classmethod
    def known_currency(cls, value: str) -> str:
        value = value.upper()
        if value not in CURRENCIES:
            raise ValueError(f"unknown currency {value!r} (use one of {', '.join(sorted(CURRENCIES))})")
        return value


class SerialIn(Record):
    serial: str = Field(min_length=3, max_length=40, pattern=r"^[A-Za-z0-9\-]+$")
    production_date: date | None = None


class OrderLineIn(Record):
    line: int = Field(ge=1, le=9999)
    model: str = Field(min_length=1, max_length=32)
    description: str = Field(default="", max_length=200)
    quantity: int = Field(ge=1, le=1_000_000)
    unit_price: Money
    amount: Money
    serials: list[SerialIn] = Field(default_factory=list)

    @model_validator(mode="after")
    def line_sums(self) -> OrderLineIn:
        if (self.unit_price * self.quantity).quantize(CENT) != self.amount:
            raise ValueError(
                f"line {self.line}: quantity x unit price = {self.unit_price * self.quantity:.2f}, "
                f"not {self.amount}"
            )
        if len(self.serials) > self.quantity:
            raise ValueError(
                f"line {self.line}: {len(self.serials)} serial numbers for quantity {self.quantity}"
            )
        return self


class OrderIn(Record):
    type: Literal["order"] = "order"
    number: str = Field(pattern=NUMBER)
    account: str = Field(min_length=1, max_length=32)
    date: date
    currency: str
    amount: Money
    status: OrderStatus
    customer_po: str = Field(default="", max_length=64)
    ship_contact: str = Field(default="", max_length=100)
    ship_address: str = Field(default="", max_length=300)
    carrier: str = Field(default="", max_length=100)
    ship_date: date | None = None
    documents_status: DocumentsStatus | None = None
    documents_date: date | None = None
    documents_receiver: str = Field(default="", max_length=100)
    bill_to: str = Field(default="", max_length=300)
    terms: str = Field(default="", max_length=64)
    lines: list[OrderLineIn] = Field(min_length=1)

    @model_validator(mode="after")
    def header_sums(self) -> OrderIn:
        _check_lines(self.lines, self.amount)
        return self


class InvoiceLineIn(Record):
    line: int = Field(ge=1, le=9999)
    model: str = Field(default="", max_length=32)
    description: str = Field(default="", max_length=200)
    quantity: int = Field(ge=1, le=1_000_000)
    unit_price: Money
    amount: Money

    @model_validator(mode="after")
    def line_sums(self) -> InvoiceLineIn:
        if (self.unit_price * self.quantity).quantize(CENT) != self.amount:
            raise ValueError(
                f"line {self.line}: quantity x unit price = {self.unit_price * self.quantity:.2f}, "
                f"not {self.amount}"
            )
        return self


class InvoiceIn(Record):
    type: Literal["invoice"] = "invoice"
    number: str = Field(pattern=NUMBER)
    account: str = Field(min_length=1, max_length=32)
    date: date
    due_date: date
    currency: str
    amount: Money
    terms: str = Field(default="", max_length=64)
    order: str | None = Field(default=None, pattern=NUMBER)
    lines: list[InvoiceLineIn] = Field(min_length=1)

    @model_validator(mode="after")
    def header_sums(self) -> InvoiceIn:
        if self.due_date < self.date:
            raise ValueError("due_date is before the invoice date")
        _check_lines(self.lines, self.amount)
        return self


class ApplicationIn(Record):
    invoice: str = Field(pattern=NUMBER)
    amount: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]


class PaymentIn(Record):
    type: Literal["payment"] = "payment"
    number: str = Field(pattern=NUMBER)
    account: str = Field(min_length=1, max_length=32)
    date: date
    method: str
    bank: str = Field(default="", max_length=100)
    currency: str
    amount: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
    receipt_date: date | None = None
    prepayment: bool = False
    applications: list[ApplicationIn] = Field(default_factory=list)

    @field_validator("method")
    @classmethod
    def known_method(cls, value: str) -> str:
        if value not in PAYMENT_METHODS:
            raise ValueError(f"unknown method {value!r} (use one of {', '.join(sorted(PAYMENT_METHODS))})")
        return value

    @model_validator(mode="after")
    def applied_within_amount(self) -> PaymentIn:
        applied = sum((a.amount for a in self.applications), Decimal(0))
        if applied > self.amount:
            raise ValueError(f"applications total {applied}, more than the payment's amount {self.amount}")
        invoices = [a.invoice for a in self.applications]
        if len(set(invoices)) != len(invoices):
            raise ValueError("an invoice appears twice in the applications")
        return self


def _check_lines(lines, amount: Decimal) -> None:
    numbers = [line.line for line in lines]
    if len(set(numbers)) != len(numbers):
        raise ValueError("two lines have the same line number")
    total = sum((line.amount for line in lines), Decimal(0))
    if total != amount:
        raise ValueError(f"lines sum to {total}, not to the header amount {amount}")


KINDS: dict[str, type[Record]] = {"order": OrderIn, "invoice": InvoiceIn, "payment": PaymentIn}
# Orders first (invoices link to them), payments last (they are applied to invoices).
KIND_ORDER = {"order": 0, "invoice": 1, "payment": 2}


@dataclass
class RawRecord:
    kind: str | None
    data: Any
    lines: list[int]  # the file's line numbers this record came from

    @property
    def where(self) -> str:
        if len(self.lines) == 1:
            return f"line {self.lines[0]}"
        return f"lines {self.lines[0]}-{self.lines[-1]}"


@dataclass
class ImportReport:
    path: str
    file_format: str
    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.errors)

    @property
    def exit_code(self) -> int:
        return 2 if self.errors else 0


# --- reading the file ------------------------------------------------------------------------------


def read_records(path: Path) -> tuple[str, list[RawRecord]]:
    """The raw records of a file with their line numbers. Raises ImportError_ if nothing is readable."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ImportError_(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportError_(f"{path}: is a folder, not a file") from None
    except UnicodeDecodeError:
        raise ImportError_(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise ImportError_(f"{path}: {error.strerror}") from None
    if path.suffix.lower() == ".csv":
        return "csv", _read_csv(path, text)
    if path.suffix.lower() in (".json", ".jsonl", ".ndjson"):
        return "json", _read_json_lines(text)
    raise ImportError_(f"{path}: use a .json/.jsonl (one record a line) or .csv file")


def _read_json_lines(text: str) -> list[RawRecord]:
    if text.lstrip().startswith("["):
        return _read_json_array(text)
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line, parse_float=Decimal)
        except json.JSONDecodeError as error:
            records.append(RawRecord(None, f"not valid JSON ({error.msg})", [number]))
            continue
        if not isinstance(data, dict):
            records.append(RawRecord(None, "a record must be a JSON object", [number]))
            continue
        kind = data.get("type")
        if kind not in KINDS:
            records.append(RawRecord(None, f"type must be order, invoice or payment, not {kind!r}", [number]))
            continue
        records.append(RawRecord(kind, data, [number]))
    return records


def _read_json_array(text: str) -> list[RawRecord]:
    """A JSON array of records (however laid out); each record is located by the line it starts on."""
    decoder = json.JSONDecoder(parse_float=Decimal)
    records: list[RawRecord] = []
    position = text.index("[") + 1
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        line = text.count("\n", 0, position) + 1
        if position >= len(text):
            records.append(RawRecord(None, "the JSON array is not closed", [line]))
            return records
        if text[position] == "]":
            return records
        try:
            data, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            # the rest cannot be located reliably: report and stop, keeping the records before
            records.append(
                RawRecord(
                    None, f"not valid JSON ({error.msg}); the rest of the file was not read", [error.lineno]
                )
            )
            return records
        kind = data.get("type") if isinstance(data, dict) else None
        if not isinstance(data, dict):
            records.append(RawRecord(None, "a record must be a JSON object", [line]))
        elif kind not in KINDS:
            records.append(RawRecord(None, f"type must be order, invoice or payment, not {kind!r}", [line]))
        else:
            records.append(RawRecord(kind, data, [line]))


ORDER_HEADER = (
    "order_number",
    "account",
    "date",
    "currency",
    "amount",
    "status",
    "customer_po",
    "ship_contact",
    "ship_address",
    "carrier",
    "ship_date",
    "documents_status",
    "documents_date",
    "documents_receiver",
    "bill_to",
    "terms",
    "line",
    "model",
    "description",
    "quantity",
    "unit_price",
    "line_amount",
    "serials",
)
INVOICE_HEADER = (
    "invoice_number",
    "account",
    "date",
    "due_date",
    "currency",
    "amount",
    "terms",
    "order",
    "line",
    "model",
    "description",
    "quantity",
    "unit_price",
    "line_amount",
)
PAYMENT_HEADER = (
    "payment_number",
    "account",
    "date",
    "method",
    "bank",
    "currency",
    "amount",
    "receipt_date",
    "prepayment",
    "invoice",
    "applied_amount",
)
CSV_KINDS = {
    "order_number": ("order", ORDER_HEADER),
    "invoice_number": ("invoice", INVOICE_HEADER),
    "payment_number": ("payment", PAYMENT_HEADER),
}
LINE_FIELDS = {
    "order": ("line", "model", "description", "quantity", "unit_price", "line_amount", "serials"),
    "invoice": ("line", "model", "description", "quantity", "unit_price", "line_amount"),
    "payment": ("invoice", "applied_amount"),
}


def _read_csv(path: Path, text: str) -> list[RawRecord]:
    """One row a line (order and invoice lines, payment applications); rows of one number form a record."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header or header[0] not in CSV_KINDS:
        raise ImportError_(f"{path}: the first column must be order_number, invoice_number or payment_number")
    kind, expected = CSV_KINDS[header[0]]
    missing = [h for h in expected if h not in header]
    if missing:
        raise ImportError_(f"{path}: missing columns {', '.join(missing)}")
    unknown = [h for h in header if h not in expected]
    if unknown:
        raise ImportError_(f"{path}: unknown columns {', '.join(unknown)}")
    reader.fieldnames = header
    grouped: dict[str, RawRecord] = {}
    bad: list[RawRecord] = []
    for row in reader:
        number = reader.line_num
        if None in row or any(v is None for v in row.values()):
            bad.append(RawRecord(None, "wrong number of columns", [number]))
            continue
        row = {k: v.strip() for k, v in row.items()}
        if not any(row.values()):
            continue
        key = row[header[0]]
        record = grouped.get(key)
        if record is None:
            record = grouped[key] = RawRecord(kind, {"header": row, "rows": []}, [])
        record.lines.append(number)
        record.data["rows"].append(row)
    return bad + [_csv_record(kind, r) for r in grouped.values()]


def _csv_record(kind: str, raw: RawRecord) -> RawRecord:
    head = raw.data["header"]
    rows = raw.data["rows"]
    differing = [k for k in head if k not in LINE_FIELDS[kind] and any(r[k] != head[k] for r in rows)]
    if differing:
        return RawRecord(
            None, f"rows of {head[kind + '_number']} disagree on {', '.join(differing)}", raw.lines
        )
    blank = lambda v: v if v != "" else None  # noqa: E731 - an empty cell means "not given"
    if kind == "order":
        data = {k: blank(head[k]) for k in ORDER_HEADER[1:16]} | {
            "number": head["order_number"],
            "type": kind,
        }
        data["lines"] = [
            {
                "line": r["line"],
                "model": r["model"],
                "description": r["description"],
                "quantity": r["quantity"],
                "unit_price": r["unit_price"],
                "amount": r["line_amount"],
                "serials": _csv_serials(r["serials"]),
            }
            for r in rows
        ]
    elif kind == "invoice":
        data = {k: blank(head[k]) for k in INVOICE_HEADER[1:8]} | {
            "number": head["invoice_number"],
            "type": kind,
        }
        data["lines"] = [
            {
                "line": r["line"],
                "model": r["model"],
                "description": r["description"],
                "quantity": r["quantity"],
                "unit_price": r["unit_price"],
                "amount": r["line_amount"],
            }
            for r in rows
        ]
    else:
        data = {k: blank(head[k]) for k in PAYMENT_HEADER[1:9]} | {
            "number": head["payment_number"],
            "type": kind,
        }
        data["prepayment"] = (head["prepayment"] or "no").lower()
        data["applications"] = [
            {"invoice": r["invoice"], "amount": r["applied_amount"]}
            for r in rows
            if r["invoice"] or r["applied_amount"]
        ]
    data = {k: v for k, v in data.items() if v is not None}
    return RawRecord(kind, data, raw.lines)


def _csv_serials(cell: str) -> list[dict]:
    """`SN1@2025-03-01 SN2@2025-03-02` (production date optional) -> serial objects."""
    serials = []
    for token in cell.split():
        serial, _, produced = token.partition("@")
        serials.append({"serial": serial} | ({"production_date": produced} if produced else {}))
    return serials


# --- validating and writing ------------------------------------------------------------------------


def run_import(
    session: Session,
    path: Path,
    catalog: Catalog,
    now: datetime,
    echo: Callable[[str], None] = lambda _msg: None,
) -> ImportReport:
    """Imports a file, logs the run as an ImportRun and commits. Raises ImportError_ if unreadable."""
    file_format, raws = read_records(path)
    if not raws:
        raise ImportError_(f"{path}: no records found")
    report = ImportReport(path=str(path), file_format=file_format, records=len(raws))
    raws.sort(key=lambda r: (KIND_ORDER.get(r.kind or "", -1), r.lines[0]))
    accounts = {a.code: a for a in session.scalars(select(Account))}
    for raw in raws:
        if raw.kind is None:
            report.errors.append(f"{raw.where}: {raw.data}")
            continue
        try:
            record = KINDS[raw.kind].model_validate(raw.data)
        except ValidationError as error:
            report.errors.append(f"{raw.where}: {_describe(error)}")
            continue
        try:
            with session.begin_nested():
                outcome = WRITERS[raw.kind](session, record, accounts, catalog)
        except RecordRejected as error:
            report.errors.append(f"{raw.where}: {raw.kind} {record.number}: {error}")
            continue
        except IntegrityError as error:
            # e.g. a dropped order line that a service request still refers to: keep the stored record
            report.errors.append(
                f"{raw.where}: {raw.kind} {record.number}: the database refused the change "
                f"({type(error.orig).__name__}); the stored record is kept"
            )
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    report.errors.sort(key=_first_line)
    session.add(
        ImportRun(
            started_at=now,
            path=str(path)[:500],
            file_format=file_format,
            records=report.records,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            rejected=report.rejected,
            errors="\n".join(report.errors),
        )
    )
    session.commit()
    return report


def _first_line(message: str) -> int:
    """'line 7: ...' and 'lines 3-4: ...' sort by their first line number."""
    head = message.split(":", 1)[0].split(" ", 1)[-1]
    return int(head.split("-", 1)[0]) if head.split("-", 1)[0].isdigit() else 0


class RecordRejected(Exception):
    pass


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:3]:
        where = ".".join(str(p) for p in item.get("loc", ()))
        message = item.get("msg", "invalid").removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def _hash(record: Record) -> str:
    return hashlib.sha256(record.model_dump_json().encode()).hexdigest()


def _account(accounts: dict[str, Account], code: str) -> Account:
    account = accounts.get(code.strip().upper())
    if account is None:
        raise RecordRejected(f"unknown account {code!r}")
    return account


def _existing(session: Session, model, number: str, account: Account):
    row = session.scalar(select(model).where(model.number == number))
    if row is not None and row.account_id != account.id:
        raise RecordRejected(f"{number} already belongs to another account; the ERP must not move it")
    return row


def _write_order(session: Session, rec: OrderIn, accounts, catalog: Catalog) -> str:
    account = _account(accounts, rec.account)
    models = [normalise_model_code(line.model) for line in rec.lines]
    if catalog.models:
        unknown = sorted({m for m in models if m not in catalog.models})
        if unknown:
            raise RecordRejected(f"unknown product model {', '.join(unknown)}")
    order = _existing(session, Order, rec.number, account)
    digest = _hash(rec)
    if order is not None and order.source_hash == digest:
        return "unchanged"
    serials = [s.serial.upper() for line in rec.lines for s in line.serials]
    if len(set(serials)) != len(serials):
        raise RecordRejected("a serial number appears twice")
    if serials:
        clash_stmt = (
            select(ShippedUnit.serial_number).join(OrderLine).where(ShippedUnit.serial_number.in_(serials))
        )
        if order is not None:
            clash_stmt = clash_stmt.where(OrderLine.order_id != order.id)
        clash = session.scalars(clash_stmt.order_by(ShippedUnit.serial_number)).first()
        if clash:
            raise RecordRejected(f"serial number {clash} was shipped on another order")
    outcome = "updated"
    if order is None:
        order = Order(number=rec.number, account_id=account.id)
        session.add(order)
        outcome = "created"
    order.order_date, order.currency, order.amount, order.status = (
        rec.date,
        rec.currency,
        rec.amount,
        rec.status,
    )
    order.customer_po, order.ship_contact, order.ship_address = (
        rec.customer_po,
        rec.ship_contact,
        rec.ship_address,
    )
    order.carrier, order.ship_date, order.documents_status = rec.carrier, rec.ship_date, rec.documents_status
    order.documents_date, order.documents_receiver = rec.documents_date, rec.documents_receiver
    order.bill_to, order.billing_terms, order.source_hash = rec.bill_to, rec.terms, digest
    _sync_lines(order, rec, models)
    session.flush()
    return outcome


def _sync_lines(order: Order, rec: OrderIn, models: list[str]) -> None:
    """Updates the order's lines in place by line number and its units by serial number, so the ids
    that service requests refer to (order lines) survive a re-import."""
    lines = {line.line_no: line for line in order.lines}
    units = {unit.serial_number: unit for line in order.lines for unit in line.units}
    kept_units: set[str] = set()
    for line_in, model in zip(rec.lines, models, strict=True):
        line = lines.pop(line_in.line, None)
        if line is None:
            line = OrderLine(line_no=line_in.line)
            order.lines.append(line)
        line.product_model, line.description, line.quantity = model, line_in.description, line_in.quantity
        line.unit_price, line.amount = line_in.unit_price, line_in.amount
        for serial_in in line_in.serials:
            serial = serial_in.serial.upper()
            unit = units.get(serial) or ShippedUnit(serial_number=serial)
            unit.product_model, unit.production_date, unit.ship_date = (
                model,
                serial_in.production_date,
                rec.ship_date,
            )
            if unit not in line.units:
                if unit.order_line is not None:
                    unit.order_line.units.remove(unit)
                line.units.append(unit)
            kept_units.add(serial)
    for serial, unit in units.items():
        if serial not in kept_units:
            unit.order_line.units.remove(unit)
    for line in lines.values():
        order.lines.remove(line)


def _write_invoice(session: Session, rec: InvoiceIn, accounts, catalog: Catalog) -> str:
    account = _account(accounts, rec.account)
    invoice = _existing(session, Invoice, rec.number, account)
    digest = _hash(rec)
    if invoice is not None and invoice.source_hash == digest:
        return "unchanged"
    order_id = None
    if rec.order:
        order = session.scalar(select(Order).where(Order.number == rec.order))
        if order is None or order.account_id != account.id:
            raise RecordRejected(f"unknown order {rec.order} for account {account.code}")
        order_id = order.id
    if invoice is not None:
        applied = applied_total(session, invoice.id)
        if applied > rec.amount:
            raise RecordRejected(
                f"payments of {applied} are already applied, more than the new amount {rec.amount}"
            )
        if invoice.currency != rec.currency and applied:
            raise RecordRejected("the currency cannot change once payments are applied")
    outcome = "updated"
    if invoice is None:
        invoice = Invoice(number=rec.number, account_id=account.id)
        session.add(invoice)
        outcome = "created"
    invoice.invoice_date, invoice.due_date, invoice.currency = rec.date, rec.due_date, rec.currency
    invoice.amount, invoice.payment_terms, invoice.order_id = rec.amount, rec.terms, order_id
    invoice.source_hash = digest
    invoice.lines.clear()
    session.flush()
    for line in rec.lines:
        invoice.lines.append(
            InvoiceLine(
                line_no=line.line,
                product_model=normalise_model_code(line.model) if line.model else "",
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
            )
        )
    session.flush()
    return outcome


def applied_total(session: Session, invoice_id: int, except_payment_id: int | None = None) -> Decimal:
    stmt = select(func.coalesce(func.sum(PaymentApplication.amount), 0)).where(
        PaymentApplication.invoice_id == invoice_id
    )
    if except_payment_id is not None:
        stmt = stmt.where(PaymentApplication.payment_id != except_payment_id)
    return Decimal(session.scalar(stmt) or 0)


def _write_payment(session: Session, rec: PaymentIn, accounts, catalog: Catalog) -> str:
    account = _account(accounts, rec.account)
    payment = _existing(session, Payment, rec.number, account)
    digest = _hash(rec)
    if payment is not None and payment.source_hash == digest:
        return "unchanged"
    targets = []
    for application in rec.applications:
        invoice = session.scalar(select(Invoice).where(Invoice.number == application.invoice))
        if invoice is None or invoice.account_id != account.id:
            raise RecordRejected(f"unknown invoice {application.invoice} for account {account.code}")
        if invoice.currency != rec.currency:
            raise RecordRejected(
                f"invoice {invoice.number} is in {invoice.currency}, the payment in {rec.currency}"
            )
        open_amount = invoice.amount - applied_total(session, invoice.id, payment.id if payment else None)
        if application.amount > open_amount:
            raise RecordRejected(
                f"{application.amount} applied to invoice {invoice.number}, "
                f"whose open amount is {open_amount}"
            )
        targets.append((invoice, application.amount))
    outcome = "updated"
    if payment is None:
        payment = Payment(number=rec.number, account_id=account.id)
        session.add(payment)
        outcome = "created"
    payment.payment_date, payment.method, payment.bank = rec.date, rec.method, rec.bank
    payment.currency, payment.amount, payment.receipt_date = rec.currency, rec.amount, rec.receipt_date
    payment.prepayment, payment.source_hash = rec.prepayment, digest
    payment.applications.clear()
    session.flush()
    for invoice, amount in targets:
        payment.applications.append(PaymentApplication(invoice_id=invoice.id, amount=amount))
    session.flush()
    return outcome


WRITERS: dict[str, Callable[..., str]] = {
    "order": _write_order,
    "invoice": _write_invoice,
    "payment": _write_payment,
}
