"""Orders-list latency for an account with 10,000 orders: the page, the JSON API and the service.

Builds a fresh SQLite database (real migrations) in a temporary folder, loads 10,000 orders with
one to three lines each for one account, then times the first page and a deep page of the list in
the default order (newest first) and sorted by amount. ``run(out_dir)`` prints a table and writes
``ledger.json``; ``python -m bench.bench_ledger [OUT_DIR]`` runs it alone."""

from __future__ import annotations

import json
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ORDERS = 10_000
REPEATS = 30
PASSWORD = "bench-password-42"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _time(fn, repeats: int = REPEATS) -> dict:
    fn()  # warm-up (templates compiled, statements cached)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(_percentile(samples, 0.95), 2),
        "max_ms": round(max(samples), 2),
        "runs": repeats,
    }


def _load(session, account_id: int) -> None:
    from sqlalchemy import insert

    from app.ledger.models import Order, OrderLine

    rng = random.Random(10_000)
    start = date(2020, 1, 1)
    orders, lines = [], []
    for n in range(1, ORDERS + 1):
        amount = Decimal(0)
        for line_no in range(1, rng.randint(1, 3) + 1):
            quantity, price = rng.choice((100, 200, 500)), Decimal(rng.randint(40000, 300000)) / 100
            lines.append(
                {
                    "order_id": n,
                    "line_no": line_no,
                    "product_model": "SGN33YC",
                    "description": "",
                    "quantity": quantity,
                    "unit_price": price,
                    "amount": price * quantity,
                }
            )
            amount += price * quantity
        orders.append(
            {
                "id": n,
                "number": f"SO-B-{n:06d}",
                "account_id": account_id,
                "order_date": start + timedelta(days=n // 5),
                "currency": "CNY",
                "amount": amount,
                "status": rng.choice(("open", "shipped", "completed")),
                "customer_po": f"PO{n}",
                "ship_contact": "",
                "ship_address": "",
                "carrier": "",
                "documents_receiver": "",
                "bill_to": "",
                "billing_terms": "",
                "source_hash": "",
            }
        )
    session.execute(insert(Order.__table__), orders)
    session.execute(insert(OrderLine.__table__), lines)
    session.commit()


def measure(work_dir: Path) -> dict:
    from flask_migrate import upgrade

    from app import create_app
    from app.accounts import services as account_services
    from app.accounts.models import Region, Role
    from app.extensions import db
    from app.ledger import services
    from app.settings import PROJECT_ROOT, Settings

    settings = Settings(
        instance_dir=work_dir,
        database_url=f"sqlite:///{work_dir / 'bench.sqlite3'}",
        index_dir=work_dir / "index",
        content_dir=PROJECT_ROOT / "content",
        secret_key="bench",
        testing=True,
        secure_cookies=False,
        rate_limits=False,
    )
    app = create_app(settings)
    results: dict[str, dict] = {}
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        account_services.ensure_units(db.session)
        account = account_services.create_account(db.session, "BENCH-01", "压测客户", Region.EAST)
        user = account_services.create_user(
            db.session,
            account_services.NewUser(
                email="bench@example.com",
                password=PASSWORD,
                role=Role.CUSTOMER,
                name="bench",
                account_code=account.code,
            ),
        )
        db.session.commit()
        t0 = time.perf_counter()
        _load(db.session, account.id)
        load_s = time.perf_counter() - t0
        scope = services.scope_for(db.session, user)
        today = date(2026, 1, 1)
        cases = {
            "first page, newest first": {},
            "page 200, newest first": {"page": "200"},
            "first page, sorted by amount": {"sort": "amount", "order": "desc"},
            "this week": {"view": "this_week"},
        }
        for name, args in cases.items():
            query = services.parse_list_query(services.ORDERS, args)

            def service_call(query=query):
                page = services.list_orders(db.session, scope, query, today)
                assert page.total in (ORDERS, 0) and len(page.items) <= 20
                db.session.rollback()

            results[f"service: {name}"] = _time(service_call)
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    assert (
        client.post(
            "/login", data={"email": "bench@example.com", "password": PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )
    api_token = client.post(
        "/api/v1/tokens", json={"email": "bench@example.com", "password": PASSWORD}
    ).get_json()["token"]
    headers = {"Authorization": f"Bearer {api_token}"}
    for name, qs in (
        ("first page, newest first", ""),
        ("page 200, newest first", "page=200"),
        ("first page, sorted by amount", "sort=amount&order=desc"),
    ):

        def page_call(qs=qs):
            response = client.get(f"/account/orders?{qs}")
            assert response.status_code == 200

        def api_call(qs=qs):
            response = client.get(f"/api/v1/orders?{qs}", headers=headers)
            assert response.status_code == 200 and response.get_json()["total"] == ORDERS

        results[f"page: {name}"] = _time(page_call)
        results[f"api: {name}"] = _time(api_call)

    def detail_call():
        assert client.get("/api/v1/orders/SO-B-000001", headers=headers).status_code == 200

    def health_call():
        assert client.get("/healthz").status_code == 200

    # what any request costs, for comparison: a detail by number, and the unauthenticated health check
    results["api: one order by number"] = _time(detail_call)
    results["baseline: /healthz"] = _time(health_call)
    with app.app_context():
        db.engine.dispose()
    return {"orders": ORDERS, "database": "sqlite", "load_seconds": round(load_s, 2), "results": results}


def run(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-ledger-") as tmp:
        report = measure(Path(tmp))
    print(
        f"\nLedger: orders list of one account with {report['orders']:,} orders "
        f"(SQLite, loaded in {report['load_seconds']} s)"
    )
    print(f"{'case':<42} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    for name, r in report["results"].items():
        print(f"{name:<42} {r['p50_ms']:>9.2f} {r['p95_ms']:>9.2f} {r['max_ms']:>9.2f}")
    (out_dir / "ledger.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("bench-results"))
