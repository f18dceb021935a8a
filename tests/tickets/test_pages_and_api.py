"""The pages and the JSON API: the full returned-material flow, history visibility, cross-account
404s on every page and endpoint, and bad input everywhere."""

from __future__ import annotations

import io

import pytest

from app.extensions import db
from app.tickets.models import Notification, RequestType, ServiceRequest, Status
from tests.conftest import PASSWORD, api_token, bearer, csrf_token, login

RMA_BODY = {
    "type": "returned_material",
    "summary": "压缩机启动不了",
    "description": "嗡嗡响，过载保护动作",
    "urgency": "high",
    "product_model": "shv-33yc",
    "serial_number": "SHV2501000123",
    "production_date": "2025-01-05",
}


def _post(client, path, data, token=None):
    data = dict(data)
    data["csrf_token"] = token or csrf_token(client, "/notifications")
    return client.post(path, data=data)


def _logout(client):
    if client.get("/notifications").status_code == 200:
        client.post("/logout", data={"csrf_token": csrf_token(client, "/notifications")})


def test_full_returned_material_flow_end_to_end(world, client, app):
    token = api_token(client, world.alice)
    created = client.post(
        "/api/v1/service-requests", json={**RMA_BODY, "deflection_id": 7}, headers=bearer(token)
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    number = body["number"]
    assert (
        body["status"] == "open"
        and body["owner_unit"] == "office-east"
        and body["product_model"] == "SHV33YC"
    )
    assert isinstance(number, str) and number.startswith("SR-") and body["deflection_id"] == 7

    def as_staff(code):
        _logout(client)
        assert login(client, world.staff[code]).status_code == 302
        return csrf_token(client, "/notifications")

    t = as_staff("office-east")
    assert "SR-" in client.get("/staff/requests").get_data(as_text=True)
    r = _post(client, f"/requests/{number}/assign", {"assignee": world.staff["office-east"].id}, t)
    assert r.status_code == 303
    r = _post(client, f"/requests/{number}/teardown", {"unit": "qa-aftersales"}, t)
    assert r.status_code == 409  # the warehouse has not signed for it yet
    t = as_staff("warehouse")
    r = _post(
        client, f"/requests/{number}/receipt", {"received_on": "2026-01-01", "condition": "外壳有磕碰"}, t
    )
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    t = as_staff("office-east")
    assert _post(client, f"/requests/{number}/teardown", {"unit": "qa-aftersales"}, t).status_code == 303
    assert (
        _post(
            client, f"/requests/{number}/comment", {"body": "内部：客户是重点客户", "internal": "y"}, t
        ).status_code
        == 303
    )
    t = as_staff("qa-aftersales")
    r = client.post(
        f"/requests/{number}/analysis",
        data={
            "csrf_token": t,
            "defect_codes": ["D-VALVE", "D-WINDING"],
            "cause": "排气阀片疲劳断裂",
            "company_responsible": "y",
            "report": "拆解报告：阀片断裂导致绕组过热。",
            "file": (io.BytesIO(b"%PDF-1.4 report"), "report.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 303, r.get_data(as_text=True)[:800]
    t = as_staff("warehouse")
    r = _post(
        client,
        f"/requests/{number}/replacement",
        {
            "replacement_model": "SHV33YC",
            "replacement_serial": "SHV2606000001",
            "replacement_ship_date": "2026-01-05",
        },
        t,
    )
    assert r.status_code == 303
    t = as_staff("office-east")
    assert (
        _post(
            client, f"/requests/{number}/delivery", {"delivered_on": "2026-01-08", "note": "随货附报告"}, t
        ).status_code
        == 303
    )
    # the customer signs off through the API
    closed = client.post(
        f"/api/v1/service-requests/{number}/close", json={"how": "soft_close"}, headers=bearer(token)
    )
    assert closed.status_code == 200, closed.get_json()
    data = closed.get_json()
    assert data["status"] == "soft_closed"
    rma = data["returned_material"]
    assert rma["analysis"]["defects"] == ["D-VALVE", "D-WINDING"] and rma["analysis"]["company_responsible"]
    assert rma["replacement"]["serial_number"] == "SHV2606000001" and rma["delivered_on"] == "2026-01-08"
    statuses = [(h["old"], h["new"]) for h in data["history"] if h["kind"] == "status"]
    assert statuses == [
        ("open", "assigned"),
        ("assigned", "material_received"),
        ("material_received", "solving"),
        ("solving", "soft_closed"),
    ]
    # customers never see the internal note, staff do
    assert all(not h["internal"] for h in data["history"])
    assert "内部：客户是重点客户" not in str(data)
    sr = db.session.scalar(db.select(ServiceRequest).where(ServiceRequest.number == number))
    assert any(e.internal and "重点客户" in e.text for e in sr.events)
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(Notification).where(Notification.user_id == world.alice.id)
        )
        >= 6
    )
    # the customer's page shows the history but not the internal note; the attachment downloads
    _logout(client)
    login(client, world.alice)
    page = client.get(f"/requests/{number}").get_data(as_text=True)
    assert "排气阀片疲劳断裂" in page and "重点客户" not in page
    attachment = sr.attachments[0]
    got = client.get(f"/requests/{number}/attachments/{attachment.id}")
    assert got.status_code == 200 and got.data == b"%PDF-1.4 report"


def test_internal_attachment_and_note_hidden_from_customer(world, client):
    sr = world.request()
    login(client, world.staff["office-east"])
    t = csrf_token(client, "/notifications")
    r = client.post(
        f"/requests/{sr.number}/attachments",
        data={"csrf_token": t, "internal": "y", "file": (io.BytesIO(b"secret"), "memo.txt")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 303
    _post(client, f"/requests/{sr.number}/comment", {"body": "仅内部可见", "internal": "y"}, t)
    _post(client, f"/requests/{sr.number}/comment", {"body": "已收到，正在处理"}, t)
    att_id = db.session.get(ServiceRequest, sr.id).attachments[0].id
    client.post("/logout", data={"csrf_token": t})
    login(client, world.alice)
    page = client.get(f"/requests/{sr.number}").get_data(as_text=True)
    assert "已收到，正在处理" in page and "仅内部可见" not in page and "memo.txt" not in page
    assert client.get(f"/requests/{sr.number}/attachments/{att_id}").status_code == 404
    token = api_token(client, world.alice)
    api = client.get(f"/api/v1/service-requests/{sr.number}", headers=bearer(token)).get_json()
    assert "仅内部可见" not in str(api) and "已收到，正在处理" in str(api)
    # a customer cannot write an internal note
    r = client.post(
        f"/api/v1/service-requests/{sr.number}/comments",
        json={"body": "x", "internal": True},
        headers=bearer(token),
    )
    assert r.status_code == 403


def test_cross_account_is_404_on_every_page_and_endpoint(world, client):
    sr = world.request(RequestType.RETURNED_MATERIAL)  # Alice's (east)
    login(client, world.bob)
    t = csrf_token(client, "/notifications")
    n = sr.number
    for path in (f"/requests/{n}", f"/requests/{n}/attachments/1"):
        assert client.get(path).status_code == 404, path
    for action in ("comment", "escalate", "close", "attachments"):
        assert (
            _post(client, f"/requests/{n}/{action}", {"body": "x", "how": "cancel"}, t).status_code == 404
        ), action
    listing = client.get("/requests").get_data(as_text=True)
    assert n not in listing
    token = api_token(client, world.bob)
    h = bearer(token)
    assert client.get(f"/api/v1/service-requests/{n}", headers=h).status_code == 404
    for action, body in (("comments", {"body": "x"}), ("escalate", {}), ("close", {"how": "cancel"})):
        r = client.post(f"/api/v1/service-requests/{n}/{action}", json=body, headers=h)
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found", action
    items = client.get("/api/v1/service-requests", headers=h).get_json()
    assert items["total"] == 0 and items["items"] == []
    # staff endpoints and pages are closed to customers
    for action in ("transition", "assign", "transfer"):
        assert client.post(f"/api/v1/service-requests/{n}/{action}", json={}, headers=h).status_code == 403
        assert _post(client, f"/requests/{n}/{action}", {}, t).status_code == 403
    for path in ("/staff/requests", "/staff/requests/new", "/staff/reports/rma", "/staff/defects"):
        assert client.get(path).status_code == 403, path
    assert db.session.get(ServiceRequest, sr.id).status is Status.OPEN


def test_customer_list_sort_filter_paging_and_home(world, client):
    for i in range(23):
        world.request(summary=f"请求{i:02d}", urgency=("high", "medium", "low")[i % 3])
    world.request(customer=world.bob, summary="别人的请求")
    login(client, world.alice)
    page1 = client.get("/requests?sort=summary&order=asc").get_data(as_text=True)
    assert "请求00" in page1 and "请求22" not in page1 and "别人的请求" not in page1
    assert "请求22" in client.get("/requests?sort=summary&order=asc&page=2").get_data(as_text=True)
    high = client.get("/requests?urgency=high&per_page=100").get_data(as_text=True)
    assert high.count("level-high") == 8 and "level-low" not in high
    assert client.get("/requests?status=bogus&sort=bogus&order=x&page=-3").status_code == 200
    home = client.get("/").get_data(as_text=True)
    assert home.count("/requests/SR-2026-") == 3
    token = api_token(client, world.alice)
    listed = client.get("/api/v1/service-requests?per_page=5&page=2", headers=bearer(token)).get_json()
    assert listed["total"] == 23 and len(listed["items"]) == 5 and all("number" in i for i in listed["items"])


@pytest.mark.parametrize(
    "body,field",
    [
        ({"type": "bogus", "summary": "a", "description": "b", "urgency": "high"}, "type"),
        ({"type": "complaint", "summary": "", "description": "b", "urgency": "high"}, "summary"),
        ({"type": "complaint", "summary": "a", "description": "b", "urgency": "urgent"}, "urgency"),
        ({"type": "complaint", "summary": "a" * 201, "description": "b", "urgency": "low"}, "summary"),
        (
            {"type": "returned_material", "summary": "a", "description": "b", "urgency": "low"},
            "product_model",
        ),
        ({**RMA_BODY, "serial_number": "!!"}, "serial_number"),
        ({**RMA_BODY, "production_date": "2099-01-01"}, "production_date"),
        ({**RMA_BODY, "production_date": "yesterday"}, "production_date"),
        ({**RMA_BODY, "deflection_id": -1}, "deflection_id"),
        ({**RMA_BODY, "unknown": 1}, "unknown"),
    ],
)
def test_bad_create_bodies_are_400(world, client, body, field):
    token = api_token(client, world.alice)
    r = client.post("/api/v1/service-requests", json=body, headers=bearer(token))
    assert r.status_code == 400, r.get_json()
    assert field in r.get_json()["error"]["message"] or r.get_json()["error"]["code"] == "invalid"
    assert db.session.scalar(db.select(db.func.count()).select_from(ServiceRequest)) == 0


def test_bad_api_input_elsewhere(world, client):
    sr = world.request()
    token = api_token(client, world.alice)
    h = bearer(token)
    assert (
        client.post(
            "/api/v1/service-requests", data="{nope", headers={**h, "Content-Type": "application/json"}
        ).status_code
        == 400
    )
    assert client.post("/api/v1/service-requests", json=[1], headers=h).status_code == 400
    assert client.get("/api/v1/service-requests?per_page=1000", headers=h).status_code == 400
    assert client.get("/api/v1/service-requests?status=nope", headers=h).status_code == 400
    assert client.get("/api/v1/service-requests?sort=password", headers=h).status_code == 400
    assert client.get("/api/v1/service-requests/SR-" + "9" * 500, headers=h).status_code == 404
    assert (
        client.post(
            f"/api/v1/service-requests/{sr.number}/comments", json={"body": ""}, headers=h
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/api/v1/service-requests/{sr.number}/comments", json={"body": "x" * 5001}, headers=h
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/api/v1/service-requests/{sr.number}/close", json={"how": "explode"}, headers=h
        ).status_code
        == 400
    )
    r = client.post(f"/api/v1/service-requests/{sr.number}/close", json={"how": "hard_close"}, headers=h)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "illegal_transition"
    assert client.get("/api/v1/service-requests").status_code == 401
    staff = bearer(api_token(client, world.staff["office-east"]))
    r = client.post(
        f"/api/v1/service-requests/{sr.number}/transition",
        json={"status": "material_received"},
        headers=staff,
    )
    assert r.status_code == 409  # not a returned-material request
    assert (
        client.post(
            f"/api/v1/service-requests/{sr.number}/transition", json={"status": "flying"}, headers=staff
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/api/v1/service-requests/{sr.number}/assign", json={"assignee_email": "x@y.z"}, headers=staff
        ).status_code
        == 400
    )
    r = client.post(
        f"/api/v1/service-requests/{sr.number}/transfer", json={"unit": "warehouse"}, headers=staff
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "illegal_transfer"
    ok = client.post(
        f"/api/v1/service-requests/{sr.number}/transfer", json={"unit": "infocentre"}, headers=staff
    )
    assert ok.status_code == 200 and ok.get_json()["owner_unit"] == "infocentre"
    r = client.post(
        f"/api/v1/service-requests/{sr.number}/transition", json={"status": "solving"}, headers=staff
    )
    assert r.status_code == 403  # no longer the owner
    assert db.session.get(ServiceRequest, sr.id).status is Status.OPEN
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "/service-requests/{number}/transition" in doc["paths"] and "/service-requests" in doc["paths"]


def test_bad_form_input_shows_messages_not_500(world, client):
    login(client, world.alice)
    t = csrf_token(client, "/requests/new")
    r = client.post(
        "/requests/new",
        data={
            "csrf_token": t,
            "type": "returned_material",
            "summary": "坏了",
            "description": "不转",
            "urgency": "high",
            "serial_number": "SN-1234",
            "production_date": "2025-13-45",
        },
    )
    assert r.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(ServiceRequest)) == 0
    r = client.post(
        "/requests/new",
        data={
            "csrf_token": t,
            "type": "returned_material",
            "summary": "坏了",
            "description": "不转",
            "urgency": "high",
        },
    )
    assert r.status_code == 400 and "is-invalid" in r.get_data(as_text=True)
    r = client.post(
        "/requests/new",
        data={
            "csrf_token": t,
            "type": "complaint",
            "summary": "包装破损",
            "description": "外箱破损",
            "urgency": "low",
        },
    )
    assert r.status_code == 302
    sr = db.session.scalar(db.select(ServiceRequest))
    assert sr.contact_email == "alice@east.example.com" and sr.owner_unit.code == "office-east"
    assert _post(client, f"/requests/{sr.number}/comment", {"body": ""}, t).status_code == 400
    assert _post(client, f"/requests/{sr.number}/close", {"how": "hard_close"}, t).status_code == 400
    assert client.post(f"/requests/{sr.number}/comment", data={"body": "no csrf"}).status_code == 400
    r = client.post(
        f"/requests/{sr.number}/attachments",
        data={"csrf_token": t, "file": (io.BytesIO(b"MZ..."), "virus.exe")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 400
    assert _post(client, f"/requests/{sr.number}/close", {"how": "cancel"}, t).status_code == 303
    assert _post(client, f"/requests/{sr.number}/close", {"how": "cancel"}, t).status_code == 409
    client.post("/logout", data={"csrf_token": t})
    login(client, world.staff["office-east"])
    t = csrf_token(client, "/staff/requests/new")
    r = client.post(
        "/staff/requests/new",
        data={
            "csrf_token": t,
            "account_code": "",
            "channel": "phone",
            "type": "complaint",
            "summary": "x",
            "description": "y",
            "urgency": "low",
            "action": "save",
        },
    )
    assert r.status_code == 400
    r = client.post(
        "/staff/requests/new",
        data={
            "csrf_token": t,
            "account_code": "C-SOUTH-T1",
            "channel": "fax",
            "type": "information",
            "summary": "索取图纸",
            "description": "DWG",
            "urgency": "low",
            "action": "save",
        },
    )
    assert r.status_code == 302
    faxed = db.session.scalar(db.select(ServiceRequest).where(ServiceRequest.summary == "索取图纸"))
    assert faxed.owner_unit.code == "office-east" and faxed.account_id == world.south.id
    assert client.get("/staff/reports/rma?month=2026-13").status_code == 400
    assert client.get("/staff/reports/rma.pdf").status_code == 404
    t = csrf_token(client, "/staff/defects")
    assert (
        client.post(
            "/staff/defects", data={"csrf_token": t, "code": "bad code!", "name_zh": "x", "name_en": "x"}
        ).status_code
        == 400
    )
    assert PASSWORD


def test_call_form_shows_suggestions_only_when_deflection_offers_them(world, client, app):
    from app.registry import Suggestion, registry

    login(client, world.staff["office-east"])
    t = csrf_token(client, "/staff/requests/new")
    data = {
        "csrf_token": t,
        "account_code": "C-EAST-T1",
        "channel": "phone",
        "type": "complaint",
        "summary": "启动不了",
        "description": "压缩机启动不了 嗡嗡响",
        "urgency": "low",
        "action": "suggest",
    }
    page = client.post("/staff/requests/new", data=data).get_data(as_text=True)
    assert "知识库" not in page or "Knowledge-base suggestions" not in page
    calls = []

    def fake_suggest(session, user, description, model, limit):
        calls.append(description)
        return [
            Suggestion(
                "start-fail", "压缩机无法启动的排查", "solution", "<mark>启动</mark>", 3.2, "/kb/start-fail"
            )
        ]

    registry(app).suggest = fake_suggest
    try:
        page = client.post("/staff/requests/new", data=data).get_data(as_text=True)
    finally:
        registry(app).suggest = None
    assert calls == ["压缩机启动不了 嗡嗡响"] and "压缩机无法启动的排查" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(ServiceRequest)) == 0


def test_pages_speak_chinese_by_default_and_english_on_request(world, client):
    sr = world.request(RequestType.RETURNED_MATERIAL)
    login(client, world.alice)
    page = client.get(f"/requests/{sr.number}").get_data(as_text=True)
    assert "打开" in page, page
    assert "返回品" in page and "处理记录" in page and "level-medium" in page
    listing = client.get("/requests").get_data(as_text=True)
    assert "服务请求" in listing and "最后更新" in listing
    client.get("/lang/en")
    page = client.get(f"/requests/{sr.number}").get_data(as_text=True)
    assert "Returned material" in page and "History" in page


def test_returned_material_starts_from_a_serial_or_order_line(world, client, app):
    from datetime import date, timedelta

    from app.registry import ShippedUnit, registry

    seen = []
    recent = date.today() - timedelta(days=30)

    def by_serial(session, account_id, serial):
        seen.append((account_id, serial))
        if serial == "DSN2501000001":
            return ShippedUnit(serial, "DSN150XG", date(2025, 1, 3), recent, "SO-2025-0001", 11)
        return None

    def by_line(session, account_id, line_id):
        seen.append((account_id, line_id))
        return ShippedUnit(
            "SGA2001000002", "SGA19YC", date(2020, 1, 3), date(2020, 1, 20), "SO-2020-0001", line_id
        )

    reg = registry(app)
    saved = reg.unit_lookup, reg.order_line_lookup
    reg.unit_lookup, reg.order_line_lookup = by_serial, by_line
    try:
        login(client, world.alice)
        page = client.get("/requests/new?serial=DSN2501000001").get_data(as_text=True)
        assert 'value="DSN150XG"' in page and 'value="2025-01-03"' in page and "SO-2025-0001" in page
        assert "保修期内" in page  # inverter series: 24 months from the ship date
        page = client.get("/requests/new?order_line=5").get_data(as_text=True)
        assert 'value="SGA19YC"' in page and "保修已于" in page
        page = client.get("/requests/new?serial=UNKNOWN-1").get_data(as_text=True)
        assert "未找到" in page and 'value="UNKNOWN-1"' in page
    finally:
        reg.unit_lookup, reg.order_line_lookup = saved
    assert seen == [(world.east.id, "DSN2501000001"), (world.east.id, 5), (world.east.id, "UNKNOWN-1")]
