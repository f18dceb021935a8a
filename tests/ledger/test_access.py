"""Pages, CSV exports and the JSON API: scoping (customer, regional staff, information centre),
404 for other accounts' numbers, 400 for bad query parameters, alerts and the order-line links."""

from __future__ import annotations

from datetime import date

import pytest

from app.accounts.models import Region, Role
from app.ledger.models import DocumentsStatus, OrderStatus
from tests.conftest import api_token, bearer, login


@pytest.fixture
def two_accounts(make, ledger):
    """An east account with one order, invoice and payment each, and a south account likewise."""
    made = {}
    for code, region in (("EAST-1", Region.EAST), ("SOUTH-1", Region.SOUTH)):
        account = make.account(code, region)
        order = ledger.order(account, number=f"SO-{code}", serials=(f"SN-{code}",))
        invoice = ledger.invoice(account, number=f"INV-{code}")
        payment = ledger.payment(account, {invoice: "300.00"}, number=f"PAY-{code}")
        made[code] = (account, order, invoice, payment)
    return made


def detail_paths(code: str) -> list[str]:
    return [f"/account/orders/SO-{code}", f"/account/invoices/INV-{code}", f"/account/payments/PAY-{code}"]


LISTS = [
    "/account/orders",
    "/account/invoices",
    "/account/payments",
    "/account/orders.csv",
    "/account/invoices.csv",
    "/account/payments.csv",
    "/account/statement",
]
API_LISTS = ["/api/v1/orders", "/api/v1/invoices", "/api/v1/payments"]


def test_customer_sees_only_own_account_everywhere(client, make, two_accounts):
    east = two_accounts["EAST-1"][0]
    user = make.user(Role.CUSTOMER, account=east)
    login(client, user)
    for path in LISTS:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        assert "SOUTH-1" not in body, path
    assert "SO-EAST-1" in client.get("/account/orders").get_data(as_text=True)
    assert "INV-EAST-1" in client.get("/account/invoices.csv").get_data(as_text=True)
    for path in detail_paths("EAST-1"):
        assert client.get(path).status_code == 200, path
    for path in [
        *detail_paths("SOUTH-1"),
        "/account/orders/SO-NOPE",
        "/account/statement?account=SOUTH-1",
        "/account/orders?account=SOUTH-1",
        "/account/orders.csv?account=SOUTH-1",
        "/account/invoices.csv?account=SOUTH-1",
        "/account/payments.csv?account=SOUTH-1",
    ]:
        assert client.get(path).status_code == 404, path


def test_customer_api_is_scoped_and_404s_other_numbers(client, make, two_accounts):
    user = make.user(Role.CUSTOMER, account=two_accounts["EAST-1"][0])
    headers = bearer(api_token(client, user))
    for path in API_LISTS:
        data = client.get(path, headers=headers).get_json()
        assert data["total"] == 1 and data["items"][0]["number"].endswith("EAST-1"), path
        assert set(data) == {"total", "page", "per_page", "items"}
    for kind, number in (("orders", "SO"), ("invoices", "INV"), ("payments", "PAY")):
        ok = client.get(f"/api/v1/{kind}/{number}-EAST-1", headers=headers)
        assert ok.status_code == 200 and ok.get_json()["number"] == f"{number}-EAST-1"
        other = client.get(f"/api/v1/{kind}/{number}-SOUTH-1", headers=headers)
        assert other.status_code == 404 and other.get_json()["error"]["code"] == "not_found"
        assert client.get(f"/api/v1/{kind}?account=SOUTH-1", headers=headers).status_code == 404
    assert client.get("/api/v1/orders").status_code == 401


def test_api_record_shapes(client, make, two_accounts):
    user = make.user(Role.CUSTOMER, account=two_accounts["EAST-1"][0])
    headers = bearer(api_token(client, user))
    order = client.get("/api/v1/orders/SO-EAST-1", headers=headers).get_json()
    assert order["amount"] == "1000.00" and order["lines"][0]["serials"] == ["SN-EAST-1"]
    assert set(order["shipping"]) >= {"documents_status", "receiver", "carrier", "address", "contact"}
    invoice = client.get("/api/v1/invoices/INV-EAST-1", headers=headers).get_json()
    assert invoice["open_amount"] == "700.00" and invoice["payments"][0]["number"] == "PAY-EAST-1"
    payment = client.get("/api/v1/payments/PAY-EAST-1", headers=headers).get_json()
    assert payment["applications"] == [
        {"invoice": "INV-EAST-1", "amount": "300.00", "invoice_due_date": "2026-02-04"}
    ]


@pytest.mark.parametrize(
    "query",
    [
        "view=month",
        "sort=password",
        "order=sideways",
        "page=0",
        "page=abc",
        "per_page=101",
        "per_page=0",
        "sort=due_date",
    ],
)
def test_bad_query_parameters_are_400(client, make, two_accounts, query):
    user = make.user(Role.CUSTOMER, account=two_accounts["EAST-1"][0])
    headers = bearer(api_token(client, user))
    response = client.get(f"/api/v1/orders?{query}", headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid"
    login(client, user)
    assert client.get(f"/account/orders?{query}").status_code == 400
    assert client.get(f"/account/orders.csv?{query}").status_code == 400


def test_regional_staff_see_their_region_read_only(client, make, two_accounts):
    staff = make.user(Role.STAFF, unit="office-east")
    login(client, staff)
    body = client.get("/account/orders").get_data(as_text=True)
    assert "SO-EAST-1" in body and "SO-SOUTH-1" not in body
    assert 'id="account-picker"' in body and "SOUTH-1 ·" not in body
    for path in detail_paths("EAST-1"):
        assert client.get(path).status_code == 200
    for path in detail_paths("SOUTH-1"):
        assert client.get(path).status_code == 404
    assert client.get("/account/statement?account=EAST-1").status_code == 200
    assert client.get("/account/statement?account=SOUTH-1").status_code == 404
    assert client.get("/account/orders.csv?account=SOUTH-1").status_code == 404
    csv_text = client.get("/account/orders.csv").get_data(as_text=True)
    assert "SO-EAST-1" in csv_text and "SO-SOUTH-1" not in csv_text
    # staff do not get "return a unit" buttons: the order is the customer's to act on
    assert "/requests/new" not in client.get("/account/orders/SO-EAST-1").get_data(as_text=True)
    headers = bearer(api_token(client, staff))
    assert client.get("/api/v1/invoices", headers=headers).get_json()["total"] == 1
    assert client.get("/api/v1/invoices/INV-SOUTH-1", headers=headers).status_code == 404


def test_infocentre_sees_all_and_departments_none(client, make, two_accounts):
    info = make.user(Role.INFOCENTRE, unit="infocentre")
    login(client, info)
    body = client.get("/account/payments").get_data(as_text=True)
    assert "PAY-EAST-1" in body and "PAY-SOUTH-1" in body
    assert "PAY-EAST-1" not in client.get("/account/payments?account=SOUTH-1").get_data(as_text=True)
    assert client.get("/account/statement").status_code == 200  # the picker, no statement yet
    headers = bearer(api_token(client, info))
    assert client.get("/api/v1/payments", headers=headers).get_json()["total"] == 2
    tech = make.user(Role.STAFF, unit="sales-tech")
    client = client.application.test_client()
    login(client, tech)
    assert client.get("/account/orders").status_code == 403
    headers = bearer(api_token(client, tech))
    assert client.get("/api/v1/orders", headers=headers).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, two_accounts):
    response = client.get("/account/orders")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_order_detail_shows_shipping_billing_and_return_links(client, make, ledger, fixed_today):
    account = make.account()
    order = ledger.order(
        account,
        number="SO-9",
        status=OrderStatus.SHIPPED,
        documents=DocumentsStatus.SENT_TO_LOGISTICS,
        documents_date=date(2026, 1, 9),
        serials=("SN-77",),
    )
    login(client, make.user(Role.CUSTOMER, account=account))
    client.get("/lang/en")
    body = client.get("/account/orders/SO-9").get_data(as_text=True)
    assert "Sent to the logistics company" in body and "收货人：张三" in body
    assert f"/requests/new?type=returned_material&amp;order_line={order.lines[0].id}" in body
    assert "SN-77" in body
    client.get("/lang/zh_CN")
    body = client.get("/account/orders/SO-9").get_data(as_text=True)
    assert "已寄给物流公司" in body and "发货单据" in body


def test_home_alerts_link_to_records(client, make, ledger, fixed_today):
    account, other = make.account(), make.account()
    ledger.invoice(account, number="INV-LATE", due=date(2026, 3, 1), amount="100.00")
    paid = ledger.invoice(account, number="INV-PAID", due=date(2026, 3, 1), amount="100.00")
    ledger.payment(account, {paid: "100.00"})
    ledger.order(
        account,
        number="SO-DOCS",
        documents=DocumentsStatus.SENT_TO_LOGISTICS,
        documents_date=date(2026, 3, 9),
    )
    ledger.order(
        account,
        number="SO-OLD-DOCS",
        documents=DocumentsStatus.SENT_TO_LOGISTICS,
        documents_date=date(2026, 3, 6),
    )
    ledger.invoice(other, number="INV-OTHER", due=date(2026, 3, 1))
    fixed_today(date(2026, 3, 11))
    login(client, make.user(Role.CUSTOMER, account=account))
    client.get("/lang/en")
    body = client.get("/").get_data(as_text=True)
    assert "Invoice INV-LATE is overdue 10 days" in body
    assert 'href="/account/invoices/INV-LATE"' in body and 'href="/account/orders/SO-DOCS"' in body
    assert "INV-PAID" not in body and "SO-OLD-DOCS" not in body and "INV-OTHER" not in body


def test_list_pages_page_and_translate(client, make, ledger):
    account = make.account()
    for n in range(25):
        ledger.order(account, number=f"SO-{n:03d}", day=date(2026, 1, 1 + n))
    login(client, make.user(Role.CUSTOMER, account=account))
    body = client.get("/account/orders?sort=number&order=asc&page=2").get_data(as_text=True)
    assert "SO-020" in body and "SO-019" not in body
    assert "订单" in body and "本周" in body
    assert client.get("/account/orders?page=99").status_code == 200  # past the end: an empty page
    client.get("/lang/en")
    body = client.get("/account/orders?view=this_week").get_data(as_text=True)
    assert "No orders in this view." in body


def test_openapi_lists_ledger_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/orders",
        "/orders/{number}",
        "/invoices",
        "/invoices/{number}",
        "/payments",
        "/payments/{number}",
    ):
        assert path in paths
    names = [p["name"] for p in paths["/orders"]["get"]["parameters"]]
    assert names[:5] == ["view", "sort", "order", "page", "per_page"]


def test_csv_exports_follow_view_and_sort(client, make, ledger, fixed_today):
    account = make.account()
    ledger.order(account, number="SO-OLD", day=date(2026, 2, 1), amount="12345.60")
    ledger.order(account, number="SO-NEW", day=date(2026, 3, 10), amount="5.00")
    late = ledger.invoice(account, number="INV-LATE", due=date(2026, 3, 1), amount="100.00")
    ledger.payment(account, {late: "30.00"}, number="PAY-PART")
    fixed_today(date(2026, 3, 11))
    login(client, make.user(Role.CUSTOMER, account=account))
    response = client.get("/account/orders.csv?sort=amount&order=desc")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = [line.split(",") for line in response.get_data(as_text=True).lstrip("\ufeff").splitlines()]
    assert rows[0][:5] == ["account", "number", "date", "currency", "amount"]
    assert [r[1] for r in rows[1:]] == ["SO-OLD", "SO-NEW"] and rows[1][4] == "12345.60"
    this_week = client.get("/account/orders.csv?view=this_week").get_data(as_text=True)
    assert "SO-NEW" in this_week and "SO-OLD" not in this_week
    invoices = client.get("/account/invoices.csv").get_data(as_text=True).splitlines()
    assert invoices[1].split(",")[7:] == ["overdue", "10", "70.00"]
    payments = client.get("/account/payments.csv").get_data(as_text=True).splitlines()
    assert payments[1].split(",")[7:9] == ["applied", "30.00"]


def test_ledger_registers_its_seams(app):
    from app.registry import registry

    reg = registry(app)
    assert ("ledger", 30) in [(loader.name, loader.order) for loader in reg.demo_loaders]
    assert {"ledger.orders", "ledger.invoices", "ledger.payments", "ledger.statement"} <= {
        item.endpoint for item in reg.nav
    }
