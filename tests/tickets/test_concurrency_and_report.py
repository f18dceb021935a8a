"""Concurrent changes to one request (own connections, real threads), unique numbers under
concurrency, and the RMA report against hand-counted data (CLI, CSV, XLSX, page, chart)."""

from __future__ import annotations

import csv
import io
import threading
from datetime import date, datetime

from openpyxl import load_workbook

from app.extensions import db
from app.tickets import report, services
from app.tickets.models import RequestType, ServiceRequest, Status
from tests.conftest import login

from .conftest import NOW


def _in_threads(app, jobs):
    """Runs each job(session) in its own thread, app context and database connection, all at once."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []
    results: list = [None] * len(jobs)

    def run(index, job):
        with app.app_context():
            session = db.session
            try:
                barrier.wait(timeout=10)
                results[index] = job(session)
                session.commit()
            except BaseException as error:  # noqa: BLE001 - collected and asserted below
                session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_concurrent_comments_and_status_changes_lose_nothing(world, app):
    sr = world.request()
    sr_id, office_id, alice_id = sr.id, world.staff["office-east"].id, world.alice.id
    db.session.commit()

    def comment(user_id, text):
        def job(session):
            from app.accounts.models import User

            request = session.get(ServiceRequest, sr_id)
            services.add_comment(session, session.get(User, user_id), request, text, NOW)

        return job

    def move(user_id, status):
        def job(session):
            from app.accounts.models import User

            request = session.get(ServiceRequest, sr_id)
            services.transition(session, session.get(User, user_id), request, status, NOW)

        return job

    jobs = [comment(alice_id, f"客户补充{i}") for i in range(4)] + [
        comment(office_id, f"处理记录{i}") for i in range(4)
    ]
    jobs += [move(office_id, Status.SOLVING), move(alice_id, Status.CANCELLED)]
    _results, errors = _in_threads(app, jobs)
    db.session.expire_all()
    fresh = db.session.get(ServiceRequest, sr_id)
    comments = sorted(e.text for e in fresh.events if e.kind.value == "comment")
    assert len([c for c in comments if c.startswith(("客户补充", "处理记录"))]) == 8, (comments, errors)
    moves = [(e.old_value, e.new_value) for e in fresh.events if e.kind.value == "status"]
    # Whatever the order, the history is a chain that ends in the stored status, and no move was lost:
    # either both applied (Solving, then the customer's cancel) or the second was refused as illegal.
    assert moves[0][0] == "open" and moves[-1][1] == fresh.status.value
    assert all(a[1] == b[0] for a, b in zip(moves, moves[1:], strict=False))
    assert all(type(e).__name__ == "Conflict" for e in errors), errors
    assert len(moves) + len(errors) == 2


def test_concurrent_creation_gives_unique_numbers(world, app):
    alice_id = world.alice.id

    def create(session):
        from app.accounts.models import User

        sr = services.create_request(
            session,
            session.get(User, alice_id),
            services.NewRequest(
                type=RequestType.INFORMATION, summary="并发", description="x", urgency=services.Level.LOW
            ),
            NOW,
        )
        return sr.number

    numbers, errors = _in_threads(app, [create] * 6)
    assert errors == []
    assert sorted(numbers) == [f"SR-2026-{i:06d}" for i in range(1, 7)]


def _rma(world, when, model, prod, defects, responsible, customer=None, analysed=True):
    sr = world.request(
        RequestType.RETURNED_MATERIAL,
        customer=customer,
        now=when,
        product_model=model,
        production_date=prod,
        ship_date=None,
        serial_number=f"SN{when:%m%d%H}{model}",
    )
    if not analysed:
        return sr
    office = world.staff["office-east" if (customer or world.alice) is world.alice else "office-south"]
    services.receive_material(db.session, world.staff["warehouse"], sr, when.date(), "ok", when)
    services.assign_teardown(db.session, office, sr, "sales-tech", when)
    services.record_analysis(
        db.session,
        world.staff["sales-tech"],
        sr,
        services.AnalysisInput(tuple(defects), "cause", responsible, "report"),
        when,
    )
    db.session.commit()
    return sr


def test_report_figures_match_hand_counted_data(world, app, runner, client, tmp_path):
    march = [
        _rma(world, datetime(2026, 3, 2, 9), "SHV33YC", date(2025, 11, 3), ["D-VALVE"], True),
        _rma(world, datetime(2026, 3, 9, 9), "SHV33YC", date(2025, 11, 20), ["D-VALVE", "D-WINDING"], True),
        _rma(
            world,
            datetime(2026, 3, 20, 9),
            "DSN150XG",
            date(2026, 1, 8),
            ["D-LIQUID"],
            False,
            customer=world.bob,
        ),
        _rma(world, datetime(2026, 3, 31, 23), "SGA19YC", date(2025, 6, 1), [], None, analysed=False),
    ]
    _rma(world, datetime(2026, 2, 27, 9), "SHV33YC", date(2025, 10, 1), ["D-VALVE"], True)  # February
    _rma(world, datetime(2026, 4, 1, 0), "SHV33YC", date(2025, 10, 1), ["D-VALVE"], True)  # April
    world.request(RequestType.COMPLAINT, now=datetime(2026, 3, 5, 9))  # not returned material
    data = report.build_report(db.session, "2026-03", "en")
    assert [r.number for r in data.rows] == sorted(sr.number for sr in march)
    assert data.by_customer == [("C-EAST-T1", 3), ("C-SOUTH-T1", 1)]
    assert data.by_model == [("SHV33YC", 2), ("DSN150XG", 1), ("SGA19YC", 1)]
    assert data.by_production_month == [("2025-06", 1), ("2025-11", 2), ("2026-01", 1)]
    assert data.by_defect == [("D-VALVE", 2), ("D-LIQUID", 1), ("D-WINDING", 1)]
    assert dict(data.by_responsibility) == {"yes": 2, "no": 1, "pending": 1}
    per_month = dict(data.per_month)
    assert len(data.per_month) == 12 and data.per_month[-1] == ("2026-03", 4)
    assert per_month["2026-02"] == 1 and "2026-04" not in per_month and per_month["2025-04"] == 0

    lines = list(csv.DictReader(io.StringIO(report.to_csv(data))))
    assert len(lines) == 5  # one line per defect; the unanalysed request has one empty line
    assert sum(1 for line in lines if line["defect_code"] == "D-VALVE") == 2

    out = tmp_path / "rma.csv"
    result = runner.invoke(args=["report", "rma", "--month", "2026-03", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == report.to_csv(data)
    xlsx = tmp_path / "rma.xlsx"
    result = runner.invoke(
        args=["report", "rma", "--month", "2026-03", "--format", "xlsx", "--out", str(xlsx)]
    )
    assert result.exit_code == 0, result.output
    book = load_workbook(xlsx, read_only=True)
    rows = list(book["By defect"].iter_rows(values_only=True))
    book.close()
    assert rows == [("Defect", "count"), ("D-VALVE", 2), ("D-LIQUID", 1), ("D-WINDING", 1)]
    stdout = runner.invoke(args=["report", "rma", "--month", "2026-03"])
    assert stdout.exit_code == 0 and stdout.output.count("\n") == 6
    bad = runner.invoke(args=["report", "rma", "--month", "2026-3"])
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output

    login(client, world.staff["office-east"])
    page = client.get("/staff/reports/rma?month=2026-03").get_data(as_text=True)
    assert march[0].number in page
    svg = client.get("/staff/reports/rma-defects.svg?month=2026-03")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"D-VALVE" in svg.data
    assert b"<script" not in client.get("/staff/reports/rma-months.svg?month=2026-03").data
    exported = client.get("/staff/reports/rma.csv?month=2026-03")
    # the page speaks the user's language (Chinese by default): defect names in Chinese
    assert exported.get_data(as_text=True) == report.to_csv(
        report.build_report(db.session, "2026-03", "zh_CN")
    )
    assert "排气阀片断裂" in exported.get_data(as_text=True)
    assert client.get("/staff/reports/rma.xlsx?month=2026-03").data[:2] == b"PK"
