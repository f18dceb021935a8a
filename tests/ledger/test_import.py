"""`isupport ledger import`: good, bad, repeated and partial files; exit codes; the run log."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.ledger.models import ImportRun, Invoice, Order, Payment, ShippedUnit

from .conftest import EXAMPLES


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_example_json_imports_everything(example_accounts, do_import):
    report = do_import(EXAMPLES / "ledger-example.json")
    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (5, 0, 0)
    order = db.session.scalar(select(Order).where(Order.number == "SO-EX-0001"))
    assert order.amount == Decimal("116000.00") and isinstance(order.amount, Decimal)
    assert [line.product_model for line in order.lines] == ["SGN33YC", "SHW56YC"]
    assert [u.serial_number for u in order.lines[0].units] == ["SGN2603020001", "SGN2603020002"]
    assert order.lines[0].units[0].ship_date.isoformat() == "2026-03-16"
    payment = db.session.scalar(select(Payment).where(Payment.number == "PAY-EX-0001"))
    assert payment.applications[0].invoice.number == "INV-EX-0001"
    assert payment.applications[0].amount == Decimal("50000.00")


def test_example_csv_files_import_in_order(example_accounts, do_import):
    for name, created in (("ledger-orders.csv", 2), ("ledger-invoices.csv", 1), ("ledger-payments.csv", 2)):
        report = do_import(EXAMPLES / name)
        assert report.errors == [], name
        assert report.created == created, name
    order = db.session.scalar(select(Order).where(Order.number == "SO-EX-0102"))
    assert len(order.lines) == 2 and order.amount == Decimal("247000.00")
    assert count(ShippedUnit) == 2
    prepayment = db.session.scalar(select(Payment).where(Payment.number == "PAY-EX-0102"))
    assert prepayment.prepayment is True and prepayment.applications == []


def test_reimport_changes_nothing(example_accounts, do_import):
    do_import(EXAMPLES / "ledger-example.json")
    before = db.session.scalar(select(Order.updated_at).where(Order.number == "SO-EX-0001"))
    report = do_import(EXAMPLES / "ledger-example.json")
    assert (report.created, report.updated, report.unchanged, report.rejected) == (0, 0, 5, 0)
    assert count(Order) == 2 and count(Invoice) == 2 and count(Payment) == 1 and count(ShippedUnit) == 2
    assert db.session.scalar(select(Order.updated_at).where(Order.number == "SO-EX-0001")) == before


def test_changed_record_is_updated_by_number(example_accounts, do_import, tmp_path):
    do_import(EXAMPLES / "ledger-example.json")
    lines = (EXAMPLES / "ledger-example.json").read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    record["status"] = "completed"
    record["lines"][0]["serials"] = [{"serial": "SGN2603020009"}]
    path = tmp_path / "update.json"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    report = do_import(path)
    assert (report.created, report.updated) == (0, 1)
    order = db.session.scalar(select(Order).where(Order.number == "SO-EX-0001"))
    db.session.refresh(order)
    assert order.status.value == "completed"
    assert [u.serial_number for u in order.lines[0].units] == ["SGN2603020009"]
    assert count(Order) == 2


def _bad_file(tmp_path):
    good = json.loads((EXAMPLES / "ledger-example.json").read_text(encoding="utf-8").splitlines()[0])

    def variant(**changes):
        record = json.loads(json.dumps(good))
        record.update(changes)
        return json.dumps(record, ensure_ascii=False)

    bad_sum = json.loads(variant(number="SO-BAD-3"))
    bad_sum["lines"][1].update(quantity=59, amount="59000.00")
    lines = [
        variant(number="SO-GOOD-1"),  # 1 good
        variant(number="SO-BAD-1", account="NO-SUCH"),  # 2 unknown account
        variant(number="SO-BAD-2", currency="RMBX"),  # 3 bad currency
        json.dumps(bad_sum, ensure_ascii=False),  # 4 lines not summing to the header
        variant(number="SO-BAD-4", amount="-116000.00"),  # 5 negative amount
        "{not json",  # 6 broken line
        json.dumps(
            {
                "type": "invoice",
                "number": "INV-1",
                "account": "EX-EAST",
                "date": "2026-01-01",
                "due_date": "2026-01-31",
                "currency": "CNY",
                "amount": "100.00",
                "lines": [{"line": 1, "quantity": 1, "unit_price": "100.00", "amount": "100.00"}],
            }
        ),  # 7 good
        json.dumps(
            {
                "type": "payment",
                "number": "PAY-1",
                "account": "EX-EAST",
                "date": "2026-01-20",
                "method": "telegraphic_transfer",
                "currency": "CNY",
                "amount": "150.00",
                "applications": [{"invoice": "INV-1", "amount": "150.00"}],
            }
        ),  # 8 beyond the open amount
        json.dumps({"type": "shipment", "number": "X"}),  # 9 unknown type
        variant(
            number="SO-BAD-5",
            lines=[{"line": 1, "model": "NOPE99", "quantity": 1, "unit_price": "1.00", "amount": "1.00"}],
            amount="1.00",
        ),  # 10 unknown model
    ]
    path = tmp_path / "mixed.json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bad_records_are_reported_with_line_numbers_and_good_ones_imported(
    example_accounts, do_import, tmp_path
):
    report = do_import(_bad_file(tmp_path))
    assert report.created == 2  # SO-GOOD-1 and INV-1
    errors = {e.split(":")[0]: e for e in report.errors}
    assert set(errors) == {f"line {n}" for n in (2, 3, 4, 5, 6, 8, 9, 10)}
    assert "unknown account 'NO-SUCH'" in errors["line 2"]
    assert "unknown currency 'RMBX'" in errors["line 3"]
    assert "not to the header amount" in errors["line 4"]
    assert "greater than or equal to 0" in errors["line 5"]
    assert "not valid JSON" in errors["line 6"]
    assert "open amount is 100.00" in errors["line 8"]
    assert "type must be" in errors["line 9"]
    assert "unknown product model NOPE99" in errors["line 10"]
    assert report.exit_code == 2
    assert {o for o in db.session.scalars(select(Order.number))} == {"SO-GOOD-1"}
    assert count(Payment) == 0


def test_partial_payment_then_payment_beyond_the_rest_is_rejected(example_accounts, do_import, tmp_path):
    do_import(EXAMPLES / "ledger-example.json")  # INV-EX-0001: 116000, 50000 paid
    rows = [
        {
            "type": "payment",
            "number": "PAY-2",
            "account": "EX-EAST",
            "date": "2026-05-20",
            "method": "telegraphic_transfer",
            "currency": "CNY",
            "amount": "60000.00",
            "applications": [{"invoice": "INV-EX-0001", "amount": "60000.00"}],
        },
        {
            "type": "payment",
            "number": "PAY-3",
            "account": "EX-EAST",
            "date": "2026-05-21",
            "method": "telegraphic_transfer",
            "currency": "CNY",
            "amount": "6000.01",
            "applications": [{"invoice": "INV-EX-0001", "amount": "6000.01"}],
        },
    ]
    path = tmp_path / "payments.json"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    report = do_import(path)
    assert report.created == 1
    assert report.errors == [
        "line 2: payment PAY-3: 6000.01 applied to invoice INV-EX-0001, whose open amount is 6000.00"
    ]


def test_csv_errors_name_the_rows_of_the_record(example_accounts, do_import, tmp_path):
    text = (EXAMPLES / "ledger-orders.csv").read_text(encoding="utf-8")
    text = text.replace(
        "2,SHZ160TF,SHZ160TF 涡旋压缩机,50,2590.00,129500.00",
        "2,SHZ160TF,SHZ160TF 涡旋压缩机,50,2590.00,129000.00",
    )
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    report = do_import(path)
    assert report.created == 1
    assert len(report.errors) == 1 and report.errors[0].startswith("lines 3-4: ")


def test_cli_exit_codes_and_run_log(example_accounts, runner, tmp_path):
    result = runner.invoke(args=["ledger", "import", str(EXAMPLES / "ledger-example.json")])
    assert result.exit_code == 0, result.output
    assert "5 created" in result.output
    result = runner.invoke(args=["ledger", "import", str(EXAMPLES / "ledger-example.json")])
    assert result.exit_code == 0 and "5 unchanged" in result.output
    result = runner.invoke(args=["ledger", "import", str(_bad_file(tmp_path))])
    assert result.exit_code == 2
    assert "rejected: line 2" in result.output
    for unreadable in (tmp_path / "missing.json", tmp_path):
        result = runner.invoke(args=["ledger", "import", str(unreadable)])
        assert result.exit_code == 1, result.output
    (tmp_path / "latin1.csv").write_bytes("order_number,account\nSO-1,\xe9".encode("latin-1"))
    (tmp_path / "wrong.csv").write_text("number,account\nX,Y\n", encoding="utf-8")
    (tmp_path / "empty.json").write_text("\n\n", encoding="utf-8")
    (tmp_path / "orders.txt").write_text("x", encoding="utf-8")
    for name in ("latin1.csv", "wrong.csv", "empty.json", "orders.txt"):
        result = runner.invoke(args=["ledger", "import", str(tmp_path / name)])
        assert result.exit_code == 1, (name, result.output)
    runs = db.session.scalars(select(ImportRun).order_by(ImportRun.id)).all()
    # the third run's SO-GOOD-1 reuses serial numbers the first run imported: rejected too
    assert [(r.created, r.unchanged, r.rejected) for r in runs] == [(5, 0, 0), (0, 5, 0), (1, 0, 9)]
    assert [e.split(":")[0] for e in runs[2].errors.splitlines()][:3] == ["line 1", "line 2", "line 3"]
    result = runner.invoke(args=["ledger", "runs"])
    assert result.exit_code == 0 and "9 rejected" in result.output


def test_serial_number_cannot_move_to_another_order(example_accounts, do_import, tmp_path):
    do_import(EXAMPLES / "ledger-example.json")
    record = json.loads((EXAMPLES / "ledger-example.json").read_text(encoding="utf-8").splitlines()[0])
    record["number"] = "SO-EX-0009"
    path = tmp_path / "dup.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    report = do_import(path)
    assert report.created == 0
    assert "serial number SGN2603020001 was shipped on another order" in report.errors[0]


def test_record_cannot_move_to_another_account(example_accounts, do_import, tmp_path):
    do_import(EXAMPLES / "ledger-example.json")
    record = json.loads((EXAMPLES / "ledger-example.json").read_text(encoding="utf-8").splitlines()[1])
    record["account"] = "EX-EAST"
    record["currency"] = "CNY"
    path = tmp_path / "move.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    report = do_import(path)
    assert "belongs to another account" in report.errors[0]


def test_json_array_document_is_read_with_line_numbers(example_accounts, do_import, tmp_path):
    records = [
        json.loads(line)
        for line in (EXAMPLES / "ledger-example.json").read_text(encoding="utf-8").splitlines()
    ]
    records[1]["currency"] = "XYZ"
    path = tmp_path / "pretty.json"
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    # "number" is on the third line of the record: "{", "type", "number"
    second_starts = text[: text.index('"SO-EX-0002"')].count("\n") + 1 - 2
    report = do_import(path)
    assert report.created == 4
    assert report.errors == [
        f"line {second_starts}: currency: unknown currency 'XYZ' (use one of CNY, EUR, GBP, HKD, JPY, USD)"
    ]
    broken = tmp_path / "broken.json"
    broken.write_text(
        json.dumps(records[:1], indent=2)[:-1] + ',\n  {"type": "order",\n  oops\n]', encoding="utf-8"
    )
    report = do_import(broken)
    assert report.unchanged == 1 and len(report.errors) == 1 and "the rest of the file" in report.errors[0]


def test_reimport_keeps_order_line_ids_and_moves_serials(example_accounts, do_import, tmp_path):
    do_import(EXAMPLES / "ledger-example.json")
    order = db.session.scalar(select(Order).where(Order.number == "SO-EX-0001"))
    line_ids = [line.id for line in order.lines]
    record = json.loads((EXAMPLES / "ledger-example.json").read_text(encoding="utf-8").splitlines()[0])
    moved = record["lines"][0]["serials"].pop()  # SGN2603020002 moves to line 2
    record["lines"][1]["serials"] = [moved]
    record["lines"][0]["description"] = "SGN33YC 压缩机（新包装）"
    path = tmp_path / "update.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    report = do_import(path)
    assert (report.updated, report.errors) == (1, [])
    db.session.expire_all()
    order = db.session.scalar(select(Order).where(Order.number == "SO-EX-0001"))
    assert [line.id for line in order.lines] == line_ids
    assert order.lines[0].description == "SGN33YC 压缩机（新包装）"
    assert [u.serial_number for u in order.lines[0].units] == ["SGN2603020001"]
    assert [(u.serial_number, u.product_model) for u in order.lines[1].units] == [
        ("SGN2603020002", "SHW56YC")
    ]
    assert count(ShippedUnit) == 2
    # a line dropped by the ERP goes, with its units
    record["lines"] = record["lines"][:1]
    record["amount"] = record["lines"][0]["amount"]
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    assert do_import(path).errors == []
    db.session.expire_all()
    assert count(ShippedUnit) == 1
