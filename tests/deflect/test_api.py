"""POST /api/v1/deflections and /deflections/<id>/outcome, as CONTRACT.md says."""

from __future__ import annotations

import pytest

from app.accounts.models import Region, Role
from app.deflect.models import FaultReport, Outcome
from app.extensions import db
from app.registry import registry
from tests.conftest import api_token, bearer

HUM = "压缩机开机只嗡嗡响不转，过几秒保护器跳开，电容没换过"
HUM_SLUGS = {"start-fail-hum-run-capacitor", "start-fail-locked-rotor-seized", "start-fail-low-voltage"}


@pytest.fixture
def customer(make):
    return make.user(Role.CUSTOMER, account=make.account(region=Region.EAST))


def post_deflection(client, token, **body):
    return client.post("/api/v1/deflections", json=body, headers=bearer(token))


def test_deflection_returns_ranked_suggestions(client, kb, customer):
    token = api_token(client, customer)
    response = post_deflection(client, token, description=HUM, product_model="sgn33yc")
    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.get_json()
    assert isinstance(data["id"], int)
    suggestions = data["suggestions"]
    assert 1 <= len(suggestions) <= 5
    assert suggestions[0]["slug"] in HUM_SLUGS
    assert {"slug", "title", "snippet", "score"} <= set(suggestions[0])
    scores = [s["score"] for s in suggestions]
    assert scores == sorted(scores, reverse=True)
    assert "<mark>" in "".join(s["snippet"] for s in suggestions)
    report = db.session.get(FaultReport, data["id"])
    assert report.product_model == "SGN33YC" and report.account_id == customer.account_id
    assert [s.slug for s in report.suggestions] == [s["slug"] for s in suggestions]


@pytest.mark.parametrize("body, field", [
    ({"description": ""}, "description"),
    ({"description": "   \n\t "}, "description"),
    ({"description": "？！。，、……!!!"}, "description"),
    ({"description": "压缩机不转" * 1000}, "description"),
    ({"description": "压缩机不转", "product_model": "NOPE123"}, "product_model"),
    ({"description": "压缩机不转", "colour": "red"}, "colour"),
    ({"product_model": "SGN33YC"}, "description"),
    ({"description": 42}, "description"),
])
def test_bad_input_is_a_clear_400(client, kb, customer, body, field):
    token = api_token(client, customer)
    response = client.post("/api/v1/deflections", json=body, headers=bearer(token))
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] and error["message"]
    assert field in error["message"] or field in ("description", "product_model")
    assert db.session.query(FaultReport).count() == 0


def test_malformed_json_and_no_token(client, kb, customer):
    token = api_token(client, customer)
    response = client.post("/api/v1/deflections", data="{not json",
                           headers={**bearer(token), "Content-Type": "application/json"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_json"
    assert client.post("/api/v1/deflections", json={"description": HUM}).status_code == 401


def test_outcome_solved_then_conflict(client, kb, customer):
    token = api_token(client, customer)
    created = post_deflection(client, token, description=HUM).get_json()
    slug = created["suggestions"][0]["slug"]
    url = f"/api/v1/deflections/{created['id']}/outcome"
    response = client.post(url, json={"solved": True, "slug": slug}, headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["outcome"] == "solved" and response.get_json()["slug"] == slug
    # The same answer again (a retry) is fine; a different one is a conflict.
    assert client.post(url, json={"solved": True, "slug": slug}, headers=bearer(token)).status_code == 200
    assert client.post(url, json={"solved": False}, headers=bearer(token)).status_code == 409
    report = db.session.get(FaultReport, created["id"])
    assert report.outcome is Outcome.SOLVED and report.solved_slug == slug


def test_outcome_not_solved_with_reasons(client, kb, customer):
    token = api_token(client, customer)
    created = post_deflection(client, token, description=HUM).get_json()
    first = created["suggestions"][0]["slug"]
    url = f"/api/v1/deflections/{created['id']}/outcome"
    bad = client.post(url, json={"solved": False, "reasons": {first: "bored"}}, headers=bearer(token))
    assert bad.status_code == 400
    unknown = client.post(url, json={"solved": True, "slug": "no-such-article"}, headers=bearer(token))
    assert unknown.status_code == 400
    not_a_bool = client.post(url, json={"solved": "maybe"}, headers=bearer(token))
    assert not_a_bool.status_code == 400
    response = client.post(url, json={"solved": False, "reasons": {first: "did_not_work"}},
                           headers=bearer(token))
    assert response.status_code == 200
    data = response.get_json()
    assert data["outcome"] == "abandoned" and data["suggestions"][0]["reason"] == "did_not_work"


def test_another_accounts_deflection_is_404(client, kb, make, customer):
    token = api_token(client, customer)
    created = post_deflection(client, token, description=HUM).get_json()
    outsider = make.user(Role.CUSTOMER, account=make.account(region=Region.NORTH))
    other = api_token(client, outsider)
    url = f"/api/v1/deflections/{created['id']}"
    assert client.post(url + "/outcome", json={"solved": False}, headers=bearer(other)).status_code == 404
    assert client.get(url, headers=bearer(other)).status_code == 404
    assert client.get("/api/v1/deflections/999999", headers=bearer(token)).status_code == 404
    # Staff see it (to help), but cannot answer for the customer.
    staff = api_token(client, make.user(Role.STAFF))
    assert client.get(url, headers=bearer(staff)).status_code == 200
    assert client.post(url + "/outcome", json={"solved": False}, headers=bearer(staff)).status_code == 404
    # A colleague of the same account may.
    colleague = api_token(client, make.user(Role.CUSTOMER, account=customer.account))
    assert client.post(url + "/outcome", json={"solved": False}, headers=bearer(colleague)).status_code == 200


def test_outcome_learning_loop(client, kb, customer):
    """A report solved by an article makes the next report worded the same way find it first."""
    token = api_token(client, customer)
    wording = "客户说外机一上电就咔哒一声然后没反应了，风扇照转，过十来分钟又能起来"
    target = "terminal-loose-burnt"
    first = post_deflection(client, token, description=wording).get_json()
    before = [s["slug"] for s in first["suggestions"]]
    assert before[:1] != [target]
    response = client.post(f"/api/v1/deflections/{first['id']}/outcome",
                           json={"solved": True, "slug": target}, headers=bearer(token))
    assert response.status_code == 200
    again = post_deflection(client, token, description=wording).get_json()
    assert again["suggestions"][0]["slug"] == target
    assert "solved_before" in again["suggestions"][0]["why"]
    # A colleague wording it a little differently benefits too.
    close = post_deflection(client, token, description="外机一上电咔哒一声就没反应了，"
                                                        "风扇照转，十分钟后又能起来").get_json()
    assert close["suggestions"][0]["slug"] == target


def test_internal_articles_never_suggested_to_customers(client, kb, customer, app):
    from app.search import services
    from app.search.records import article_input

    data = article_input({"slug": "internal-hum-note", "title": "内部：压缩机嗡嗡响不转的返修判定口径",
                          "body": "## 现象\n压缩机开机只嗡嗡响不转，保护器跳开。\n\n"
                                  "## 原因\n内部口径。\n\n## 处理\n内部处理。",
                          "visibility": "internal"})
    services.save_article(db.session, data, None, status=services.ArticleStatus.PUBLISHED)
    db.session.commit()
    token = api_token(client, customer)
    slugs = [s["slug"] for s in post_deflection(client, token, description=HUM).get_json()["suggestions"]]
    assert "internal-hum-note" not in slugs
    staff_hits = registry(app).suggest(db.session, None, HUM, None, 10)
    assert "internal-hum-note" not in [h.slug for h in staff_hits]


def test_registry_suggest_for_the_staff_phone_form(app, kb, make):
    staff = make.user(Role.STAFF)
    suggest = registry(app).suggest
    hits = suggest(db.session, staff, HUM, "SGN33YC", 5)
    assert hits and hits[0].slug in HUM_SLUGS and hits[0].url.endswith(hits[0].slug)
    assert suggest(db.session, staff, "？？？", None, 5) == []
    assert suggest(db.session, staff, HUM, "NOT-A-MODEL", 5)  # an unknown model is ignored while typing


def test_openapi_describes_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/deflections"] and "post" in paths["/deflections/{id}/outcome"]
