"""Pages, API and CLI of the knowledge base, on the real database and index."""

from __future__ import annotations

import json

import pytest

from app.accounts.models import Role
from app.extensions import db
from app.search.models import Article, ArticleStatus, ArticleVersion, ArticleVote, SearchLogEntry
from tests.conftest import api_token, bearer, csrf_token


def test_search_page_finds_and_logs(client, kb, login_as):
    login_as(Role.CUSTOMER)
    response = client.get("/kb/?q=压机嗡嗡响不转")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "start-fail-hum-run-capacitor" in html and "<mark>" in html
    entry = db.session.query(SearchLogEntry).one()
    assert entry.role == "customer" and entry.result_count > 0 and entry.source == "web"
    client.get(f"/kb/articles/start-fail-hum-run-capacitor?sid={entry.id}")
    db.session.refresh(entry)
    assert entry.clicked_slug == "start-fail-hum-run-capacitor"


@pytest.mark.parametrize("text", ['"', "AND OR NOT (", "的", "！？", "\x00", "a" * 6000, "*:*", "%"])
def test_bad_queries_on_the_page_never_500(client, kb, text):
    response = client.get("/kb/", query_string={"q": text, "kind": "nonsense", "page": "x"})
    assert response.status_code == 200


def test_anonymous_sees_only_public_and_customer_sees_no_internal(client, article, login_as):
    article("pub", "公开文章 排气温度", visibility="public")
    article("cust", "客户文章 排气温度", visibility="customers")
    article("intern", "内部文章 排气温度", visibility="internal")
    article("draft", "草稿文章 排气温度", status=ArticleStatus.DRAFT)
    html = client.get("/kb/?q=排气温度").get_data(as_text=True)
    assert "公开文章" in html and "客户文章" not in html
    assert client.get("/kb/articles/cust").status_code == 404
    login_as(Role.CUSTOMER)
    html = client.get("/kb/?q=排气温度").get_data(as_text=True)
    assert "客户文章" in html and "内部文章" not in html and "草稿文章" not in html
    assert client.get("/kb/articles/intern").status_code == 404
    assert client.get("/kb/articles/draft").status_code == 404
    assert client.get("/kb/suggest?q=内部").get_json() == {"suggestions": []}


def test_staff_sees_internal(client, article, login_as):
    article("intern", "内部文章 排气温度", visibility="internal")
    login_as(Role.STAFF)
    assert "内部文章" in client.get("/kb/?q=排气温度").get_data(as_text=True)
    assert client.get("/kb/articles/intern").status_code == 200


def test_api_search_and_article_as_contract_says(client, kb, make):
    user = make.user(Role.CUSTOMER)
    headers = bearer(api_token(client, user))
    body = client.get(
        "/api/v1/search", query_string={"q": "排气温度高", "per_page": 3}, headers=headers
    ).get_json()
    assert set(body) >= {"total", "results", "suggestion"}
    assert len(body["results"]) == 3 and body["total"] >= 3
    assert set(body["results"][0]) == {"slug", "title", "kind", "snippet", "score"}
    docs = client.get(
        "/api/v1/search", query_string={"q": "安装", "kind": "document"}, headers=headers
    ).get_json()
    assert docs["results"] and all(r["kind"] == "document" for r in docs["results"])
    slug = body["results"][0]["slug"]
    article = client.get(f"/api/v1/articles/{slug}", headers=headers).get_json()
    assert article["slug"] == slug and "<h2>" in article["html"]


def test_api_bad_input_is_4xx_json(client, kb, make, article):
    article("intern", "内部文章", visibility="internal")
    headers = bearer(api_token(client, make.user(Role.CUSTOMER)))
    assert client.get("/api/v1/search?q=x").status_code == 401
    for query, status in [
        ({}, 400),
        ({"q": "  "}, 400),
        ({"q": "x" * 5001}, 400),
        ({"q": "a", "per_page": 101}, 400),
        ({"q": "a", "page": "x"}, 400),
        ({"q": "a", "kind": "foo"}, 400),
    ]:
        response = client.get("/api/v1/search", query_string=query, headers=headers)
        assert response.status_code == status and "error" in response.get_json()
    assert (
        client.get("/api/v1/search", query_string={"q": '"！？"'}, headers=headers).get_json()["total"] == 0
    )
    assert client.get("/api/v1/articles/intern", headers=headers).status_code == 404
    assert client.get("/api/v1/articles/nope", headers=headers).status_code == 404


def test_openapi_lists_search_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/search" in paths and "/articles/{slug}" in paths


def test_one_vote_per_user_per_article(client, article, login_as):
    article("a1", "投票文章", visibility="customers")
    login_as(Role.CUSTOMER)
    for button in ("yes", "no", "no"):
        token = csrf_token(client, "/kb/articles/a1")
        response = client.post(
            "/kb/articles/a1/vote", data={"csrf_token": token, button: "1", "comment": "ok"}
        )
        assert response.status_code == 302
    item = db.session.query(Article).filter_by(slug="a1").one()
    db.session.refresh(item)
    assert (item.helpful_yes, item.helpful_no) == (0, 1)
    assert db.session.query(ArticleVote).count() == 1


def test_vote_needs_sign_in_and_csrf(client, article, login_as):
    article("a1", "投票文章", visibility="public")
    token = csrf_token(client, "/login")
    response = client.post("/kb/articles/a1/vote", data={"yes": "1", "csrf_token": token})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login_as(Role.CUSTOMER)
    client.post("/kb/articles/a1/vote", data={"yes": "1"})
    assert db.session.query(ArticleVote).count() == 0


def test_infocentre_creates_publishes_and_it_is_searchable_at_once(client, login_as, backend):
    login_as(Role.INFOCENTRE, unit="infocentre")
    token = csrf_token(client, "/kb/manage/new")
    form = {
        "csrf_token": token,
        "slug": "valve-noise",
        "title": "四通阀换向异响",
        "kind": "solution",
        "visibility": "customers",
        "products": "SG, shv-33yc",
        "refrigerants": "",
        "fault_codes": "",
        "tags": "四通阀",
        "body": "## 现象\n换向时啸叫。\n\n## 原因\n压差大。\n\n## 处理\n停机平衡后再换向。\n",
        "note": "",
        "publish": "1",
    }
    assert client.post("/kb/manage/new", data=form).status_code == 302
    assert "四通阀换向异响" in client.get("/kb/?q=四通阀 啸叫").get_data(as_text=True)
    form["title"] = "四通阀换向啸叫处理"
    form["csrf_token"] = csrf_token(client, "/kb/manage/valve-noise/edit")
    assert client.post("/kb/manage/valve-noise/edit", data=form).status_code == 302
    assert "四通阀换向啸叫处理" in client.get("/kb/?q=四通阀").get_data(as_text=True)
    token = csrf_token(client, "/kb/manage")
    assert (
        client.post("/kb/manage/valve-noise/status/archived", data={"csrf_token": token}).status_code == 302
    )
    assert "四通阀换向" not in client.get("/kb/?q=四通阀").get_data(as_text=True)
    assert db.session.query(ArticleVersion).count() == 3
    assert client.get("/kb/manage/valve-noise/versions?v=1").status_code == 200
    assert client.get("/kb/manage?status=archived").status_code == 200


def test_solution_without_sections_is_refused(client, login_as):
    login_as(Role.INFOCENTRE, unit="infocentre")
    form = {
        "csrf_token": csrf_token(client, "/kb/manage/new"),
        "slug": "bad",
        "title": "缺少章节",
        "kind": "solution",
        "visibility": "customers",
        "body": "只有一段文字",
        "save": "1",
    }
    response = client.post("/kb/manage/new", data=form)
    assert response.status_code == 400 and "现象" in response.get_data(as_text=True)
    assert db.session.query(Article).count() == 0


def test_manage_pages_are_for_the_information_centre_only(client, login_as):
    login_as(Role.CUSTOMER)
    for path in ("/kb/manage", "/kb/manage/new", "/kb/analytics", "/kb/analytics/chart.svg"):
        assert client.get(path).status_code == 403


def test_analytics_page_and_svg_chart(client, kb, login_as):
    client.get("/kb/?q=排气温度高")
    client.get("/kb/?q=完全无关的词语xyz")
    login_as(Role.INFOCENTRE, unit="infocentre")
    html = client.get("/kb/analytics").get_data(as_text=True)
    assert "排气温度高" in html
    chart = client.get("/kb/analytics/chart.svg")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml" and b"<svg" in chart.data


def test_attachments_checked_stored_and_access_controlled(client, app, article, login_as, make):
    article("manual", "安装说明书", body="安装步骤", kind="document", visibility="customers")
    login_as(Role.INFOCENTRE, unit="infocentre")
    url = "/kb/manage/manual/attachments"

    def upload(name, data):
        import io

        token = csrf_token(client, "/kb/manage/manual/edit")
        return client.post(
            url,
            data={"csrf_token": token, "file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )

    upload("evil.pdf", b"<html>not a pdf")
    upload("x.exe", b"MZ")
    upload("manual.pdf", b"%PDF-1.4 test")
    item = db.session.query(Article).filter_by(slug="manual").one()
    db.session.refresh(item)
    assert [a.filename for a in item.attachments] == ["manual.pdf"]
    file_url = f"/kb/articles/manual/files/{item.attachments[0].id}"
    response = client.get(file_url)
    assert response.status_code == 200 and response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data == b"%PDF-1.4 test"
    response.close()  # the file is streamed: closing the response closes it
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get(file_url).status_code == 404  # a visitor may not read a customers' document


def test_home_box_points_to_search(client, login_as):
    login_as(Role.CUSTOMER)
    assert 'action="/kb/"' in client.get("/").get_data(as_text=True)


def test_cli_import_exit_codes_and_reindex(runner, tmp_path, backend):
    good = tmp_path / "good.jsonl"
    good.write_text(
        "\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in [
                {"slug": "q-1", "title": "空调不制冷怎么办", "body": "检查冷媒。", "visibility": "public"},
                {
                    "slug": "q-2",
                    "title": "外机噪音",
                    "symptom": "噪音大",
                    "cause": "底脚松",
                    "action": "紧固",
                },
            ]
        ),
        encoding="utf-8",
    )
    result = runner.invoke(args=["kb", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "imported 2" in result.output
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(
        '{"slug": "q-3", "title": "好的", "body": "内容"}\nnot json\n{"slug": "BAD SLUG", "title": "x", '
        '"body": "y"}\n{"title": "no slug"}\n',
        encoding="utf-8",
    )
    result = runner.invoke(args=["kb", "import", str(mixed)])
    assert result.exit_code == 2
    assert "line 2" in result.output and "line 3" in result.output and "line 4" in result.output
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    assert runner.invoke(args=["kb", "import", str(empty)]).exit_code == 1
    assert runner.invoke(args=["kb", "import", str(tmp_path / "missing.jsonl")]).exit_code == 1
    result = runner.invoke(args=["kb", "reindex", "--procs", "1"])
    assert result.exit_code == 0 and "indexed 3" in result.output
    assert db.session.query(Article).filter_by(status=ArticleStatus.PUBLISHED).count() == 3


def test_analytics_counts_every_day_of_the_range_zero_days_included(app):
    from datetime import datetime, timedelta

    from app.search.services import analytics

    now = datetime(2026, 12, 4, 9, 0)
    for days_ago, results in ((0, 3), (0, 0), (2, 1)):
        db.session.add(SearchLogEntry(query="q", normalised="q", result_count=results, source="web",
                                      role="customer", created_at=now - timedelta(days=days_ago)))
    db.session.add(SearchLogEntry(query="old", normalised="old", result_count=1, source="web",
                                  role="customer", created_at=now - timedelta(days=40)))
    db.session.commit()
    per_day = analytics(db.session, days=7, now=now).per_day
    assert [day for day, _n, _z in per_day] == [f"2026-11-{d}" for d in (27, 28, 29, 30)] + \
        [f"2026-12-0{d}" for d in (1, 2, 3, 4)]
    assert per_day[-1] == ("2026-12-04", 2, 1) and per_day[-3] == ("2026-12-02", 1, 0)
    assert sum(n for _d, n, _z in per_day) == 3  # the search 40 days ago is outside the range


def test_analytics_lists_queries_whose_results_nobody_opened(app):
    from datetime import datetime, timedelta

    from app.search.services import analytics

    now = datetime(2026, 12, 4, 9, 0)
    rows = (("排气温度高", 4, "discharge-temp-sensor-misreading"), ("排气温度高", 4, None),
            ("涡旋机 反转", 2, None), ("涡旋机 反转", 2, None), ("冷库 选型", 0, None), ("油迹", 3, None))
    for query, results, clicked in rows:
        db.session.add(SearchLogEntry(query=query, normalised=query, result_count=results, source="web",
                                      role="customer", clicked_slug=clicked,
                                      created_at=now - timedelta(hours=1)))
    db.session.add(SearchLogEntry(query="旧", normalised="旧", result_count=2, source="web", role="customer",
                                  created_at=now - timedelta(days=60)))
    db.session.commit()
    data = analytics(db.session, days=30, now=now)
    # Opened once is enough to leave the list; a search without results is in the other list.
    assert data.unopened_queries == [("涡旋机 反转", 2), ("油迹", 1)]
    assert data.zero_queries == [("冷库 选型", 1)]
