"""The "report a fault" pages: suggestions, solved, still need help -> a routed request, privacy."""

from __future__ import annotations

import re

import pytest

from app.accounts.models import Region, Role
from app.deflect import services
from app.deflect.models import FaultReport, NotHelpfulReason, Outcome
from app.extensions import db
from tests.conftest import csrf_token, login

HUM = "压缩机开机只嗡嗡响不转，过几秒保护器跳开，电容没换过"


@pytest.fixture
def customer(make, client):
    user = make.user(Role.CUSTOMER, account=make.account(region=Region.SOUTH))
    assert login(client, user).status_code == 302
    return user


def file(client, **fields):
    data = {"description": HUM, "product_model": "SGN33YC", "serial_number": "", "production_date": "",
            "fault_code": "", "csrf_token": csrf_token(client, "/faults/new"), **fields}
    return client.post("/faults/new", data=data)


def test_form_then_suggestions_page(client, kb, customer):
    page = client.get("/faults/new")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "报告故障" in html and "查找解决方案" in html
    assert "<script>" not in html and 'src="/faults/faults-static/deflect.js"' in html
    response = file(client, serial_number="SN2026-0001", production_date="2026-03-01")
    assert response.status_code == 302
    report = db.session.scalars(db.select(FaultReport)).one()
    assert response.headers["Location"].endswith(f"/faults/{report.id}")
    assert report.serial_number == "SN2026-0001" and str(report.production_date) == "2026-03-01"
    html = client.get(f"/faults/{report.id}").get_data(as_text=True)
    assert "<mark>" in html and "这解决了我的问题" in html and "我仍需要帮助" in html
    assert report.suggestions[0].title in html and "推荐理由" in html


@pytest.mark.parametrize("fields, message", [
    ({"description": ""}, "请用几句话描述故障"),
    ({"description": "。。。！！！？？？"}, "不能只有标点"),
    ({"description": "坏" * 2500}, "描述太长"),
    ({"product_model": "XX-NOT-A-MODEL"}, "未知的产品型号"),
    ({"production_date": "2099-01-01"}, "生产日期不能晚于今天"),
    ({"production_date": "yesterday"}, "Not a valid date value"),
])
def test_bad_input_shows_a_clear_message(client, kb, customer, fields, message):
    response = file(client, **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html or "日期" in html
    assert db.session.query(FaultReport).count() == 0


def test_suggestions_while_typing(client, kb, customer):
    data = client.get("/faults/suggest.json", query_string={"description": HUM}).get_json()
    assert data["suggestions"] and data["suggestions"][0]["url"].startswith("/kb/articles/")
    assert {"title", "kind_label", "snippet", "why"} <= set(data["suggestions"][0])
    for text in ("", "？？！", "x" * 10_000):
        response = client.get("/faults/suggest.json", query_string={"description": text})
        assert response.status_code == 200
    assert client.get("/faults/suggest.json",
                      query_string={"description": "？？"}).get_json()["suggestions"] == []
    assert db.session.query(FaultReport).count() == 0


def test_suggestions_need_sign_in(client, kb):
    assert client.get("/faults/suggest.json?description=x").status_code in (302, 401)
    assert client.get("/faults/new").status_code == 302


def test_solved_by_an_article(client, kb, customer):
    file(client)
    report = db.session.scalars(db.select(FaultReport)).one()
    slug = report.suggestions[1].slug
    opened = client.get(f"/faults/{report.id}/open/{slug}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/kb/articles/{slug}")
    token = csrf_token(client, f"/faults/{report.id}")
    response = client.post(f"/faults/{report.id}/solved", data={"slug": slug, "csrf_token": token})
    assert response.status_code == 302
    db.session.refresh(report)
    assert report.outcome is Outcome.SOLVED and report.solved_slug == slug
    assert report.suggestions[1].opened_at is not None
    html = client.get(f"/faults/{report.id}").get_data(as_text=True)
    assert "已由文章解决" in html and "这解决了我的问题" not in html
    assert "已打开" in html and "打开次数" not in html  # the badge of the opened suggestion
    # CSRF is required.
    assert client.post(f"/faults/{report.id}/solved", data={"slug": slug}).status_code in (302, 400)


def test_still_need_help_becomes_a_routed_request(client, kb, customer, make):
    from app.tickets.models import ServiceRequest

    file(client, serial_number="SN-77", production_date="2026-02-02")
    report = db.session.scalars(db.select(FaultReport)).one()
    token = csrf_token(client, f"/faults/{report.id}")
    response = client.post(f"/faults/{report.id}/help", data={
        "csrf_token": token, "reason_1": "did_not_work", "reason_2": "not_my_problem"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/faults/{report.id}/request")
    form = client.get(f"/faults/{report.id}/request").get_data(as_text=True)
    assert "SGN33YC" in form and "SN-77" in form and "2026-02-02" in form and "嗡嗡" in form
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    response = client.post(f"/faults/{report.id}/request", data={
        "csrf_token": token, "type": "returned_material", "summary": "压缩机嗡嗡响不转",
        "description": HUM, "urgency": "high", "product_model": "SGN33YC", "serial_number": "SN-77",
        "production_date": "2026-02-02"})
    assert response.status_code == 302, response.get_data(as_text=True)
    service_request = db.session.scalars(db.select(ServiceRequest)).one()
    assert service_request.deflection_id == report.id
    assert service_request.owner_unit.code == "office-south"
    db.session.refresh(report)
    assert report.outcome is Outcome.REQUESTED and report.request_number == service_request.number
    assert [s.reason for s in report.suggestions[:2]] == [NotHelpfulReason.DID_NOT_WORK,
                                                          NotHelpfulReason.NOT_MY_PROBLEM]
    # The customer's request page does not show the staff panel ...
    own = client.get(f"/requests/{service_request.number}").get_data(as_text=True)
    assert "提出请求前显示的建议" not in own
    # ... staff of the office see what was suggested and why it did not help.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/faults/")})
    staff = make.user(Role.STAFF, unit="office-south")
    login(client, staff)
    html = client.get(f"/requests/{service_request.number}").get_data(as_text=True)
    assert "提出请求前显示的建议" in html and "试过了，没有用" in html and report.suggestions[0].title in html
    # Once requested, the report links to the request instead of offering the form again.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/faults/")})
    login(client, customer)
    assert client.get(f"/faults/{report.id}/request").headers["Location"].endswith(service_request.number)


def test_another_account_gets_404_everywhere(client, kb, customer, make):
    file(client)
    report = db.session.scalars(db.select(FaultReport)).one()
    slug = report.suggestions[0].slug
    client.post("/logout", data={"csrf_token": csrf_token(client, "/faults/")})
    login(client, make.user(Role.CUSTOMER, account=make.account(region=Region.EAST)))
    token = csrf_token(client, "/faults/new")
    assert client.get(f"/faults/{report.id}").status_code == 404
    assert client.get(f"/faults/{report.id}/open/{slug}").status_code == 404
    assert client.get(f"/faults/{report.id}/request").status_code == 404
    assert client.post(f"/faults/{report.id}/solved",
                       data={"slug": slug, "csrf_token": token}).status_code == 404
    assert client.post(f"/faults/{report.id}/help", data={"csrf_token": token}).status_code == 404
    assert "暂无故障报告" in client.get("/faults/").get_data(as_text=True)
    db.session.refresh(report)
    assert report.outcome is Outcome.PENDING


def test_list_filter_and_english(client, kb, customer):
    file(client)
    html = client.get("/faults/?outcome=pending").get_data(as_text=True)
    assert "等待您的答复" in html
    assert "暂无故障报告" in client.get("/faults/?outcome=solved").get_data(as_text=True)
    client.get("/lang/en")
    html = client.get("/faults/new").get_data(as_text=True)
    assert "Report a fault" in html and "Find solutions" in html


def test_content_gaps_for_the_information_centre(client, kb, make):
    user = make.user(Role.CUSTOMER)
    gap = FaultReport(user_id=user.id, account_id=user.account_id, description="冷凝器风机电容鼓包",
                      outcome=Outcome.REQUESTED, request_number="SR-2026-000009")
    db.session.add(gap)
    db.session.commit()
    login(client, user)
    assert client.get("/faults/gaps").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/faults/")})
    login(client, make.user(Role.INFOCENTRE, unit="infocentre"))
    html = client.get("/faults/gaps").get_data(as_text=True)
    assert "内容缺口" in html and "冷凝器风机电容鼓包" in html and "SR-2026-000009" in html


def test_deflect_texts_are_not_overridden_by_another_domain(app):
    """Flask-Babel merges every domain's catalogue and the last one wins on a shared msgid: each text
    of this domain must read as its own catalogue says (the "Opened" badge of a suggestion once read
    "打开次数", search analytics' column of open counts)."""
    from babel.messages.pofile import read_po
    from flask_babel import force_locale, gettext

    from app.settings import PROJECT_ROOT

    with (PROJECT_ROOT / "app/deflect/translations/zh_CN/LC_MESSAGES/messages.po").open("rb") as po:
        catalogue = read_po(po)
    with app.test_request_context(), force_locale("zh_CN"):
        read = {message.id: gettext(message.id) for message in catalogue
                if message.id and message.string and not message.pluralizable}
    wrong = {msgid: (catalogue[msgid].string, shown) for msgid, shown in read.items()
             if shown != catalogue[msgid].string}
    assert wrong == {}


def test_loose_suggestions_are_called_loose(client, kb, customer):
    """A description the knowledge base has no article for still gets the closest articles, with a
    warning that none is close; a description it answers gets none."""
    oil_seep = "新装机组运行两小时后压缩机外壳有一处油迹，怀疑焊缝渗油"
    assert file(client, description=oil_seep, product_model="").status_code == 302
    assert file(client).status_code == 302
    loose, close = db.session.scalars(db.select(FaultReport).order_by(FaultReport.id)).all()
    assert loose.suggestions and max(s.similarity for s in loose.suggestions) < services.GOOD_SIMILARITY
    assert max(s.similarity for s in close.suggestions) >= services.GOOD_SIMILARITY
    warning = "以下文章与您的描述都不太接近"
    assert warning in client.get(f"/faults/{loose.id}").get_data(as_text=True)
    assert warning not in client.get(f"/faults/{close.id}").get_data(as_text=True)
