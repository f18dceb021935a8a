"""The home page for every role, its portlets and preferences, the language switch, errors."""

import re
from datetime import datetime

import pytest

from app.accounts.models import Role, User
from app.extensions import db
from app.portal.models import NewsItem, NewsKind
from app.registry import Alert, registry
from tests.conftest import PASSWORD, csrf_token, login


def add_news():
    db.session.add_all(
        [
            NewsItem(
                kind=NewsKind.COMPANY, title="公司新闻标题甲", body="正文", published_at=datetime(2026, 11, 1)
            ),
            NewsItem(
                kind=NewsKind.PRODUCT, title="产品新闻标题乙", body="正文", published_at=datetime(2026, 10, 1)
            ),
        ]
    )
    db.session.commit()


def test_customer_home_shows_account_help_box_requests_alerts_and_news(client, login_as, make):
    add_news()
    account = make.account("C-HOME-1", name="宁波首页测试空调有限公司")
    user = login_as(Role.CUSTOMER, account=account)
    html = client.get("/").get_data(as_text=True)
    assert "我们能为您做些什么？" in html
    assert "宁波首页测试空调有限公司" in html and "C-HOME-1" in html and user.name in html
    assert "我的服务请求" in html and "您还没有服务请求。" in html
    assert "暂无提醒，一切正常" in html
    assert "公司新闻标题甲" in html and "产品新闻标题乙" in html
    assert "角色：客户" in html.replace(": ", "：") or "角色: 客户" in html


def test_home_uses_the_seams_for_requests_alerts_and_search(app, client, login_as):
    reg = registry(app)
    seen = {}

    class Row:
        number, summary, status_label, url = "SR-2026-0001", "压缩机异响", "打开", "/requests/SR-2026-0001"

    def latest(user, limit):
        seen["limit"] = limit
        return [Row()]

    reg.latest_requests_provider = latest
    reg.alert_providers.append(lambda user: [Alert("danger", "发票 INV-1 已逾期 5 天", "/invoices/INV-1")])
    reg.help_search_endpoint = "portal.healthz"  # any endpoint: the box's form targets it
    login_as(Role.CUSTOMER)
    html = client.get("/").get_data(as_text=True)
    assert seen["limit"] == 3
    assert "SR-2026-0001 · 压缩机异响" in html and 'href="/requests/SR-2026-0001"' in html
    assert "发票 INV-1 已逾期 5 天" in html and "alert-danger" in html
    assert 'action="/healthz"' in html and 'name="q"' in html


@pytest.mark.parametrize(
    "role, unit, shows",
    [
        (Role.STAFF, "office-south", "南方营业所"),
        (Role.STAFF, "warehouse", "仓储科"),
        (Role.INFOCENTRE, None, "信息中心"),
        (Role.SYSADMIN, None, "系统管理员"),
    ],
)
def test_home_works_for_every_internal_role(client, login_as, role, unit, shows):
    kwargs = {"unit": unit} if unit else {}
    login_as(role, **kwargs)
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert shows in html
    assert "我们能为您做些什么？" in html
    assert "我的服务请求" not in html  # a customer's portlet


def test_news_portlets_are_switched_off_and_stay_off_across_sessions(app, client, login_as):
    add_news()
    user = login_as(Role.CUSTOMER)
    response = client.post(
        "/me", data={"csrf_token": csrf_token(client, "/me"), "language": "zh_CN", "show_product_news": "y"}
    )
    assert response.status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert "公司新闻标题甲" not in html and "产品新闻标题乙" in html

    other = app.test_client()
    login(other, user)
    html = other.get("/").get_data(as_text=True)
    assert "公司新闻标题甲" not in html and "产品新闻标题乙" in html
    prefs = other.get("/me").get_data(as_text=True)
    assert "checked" not in checkbox(prefs, "show_company_news")
    assert "checked" in checkbox(prefs, "show_product_news")


def checkbox(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*id="{name}"[^>]*>', html)
    assert match, name
    return match.group(0)


def test_preferences_refuse_an_unknown_language(client, login_as):
    user = login_as(Role.CUSTOMER)
    response = client.post("/me", data={"csrf_token": csrf_token(client, "/me"), "language": "fr"})
    assert response.status_code == 400
    assert "不是有效的选择" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).language is None


def test_password_change_checks_the_current_password_and_the_rules(client, login_as, app):
    user = login_as(Role.CUSTOMER)
    other = app.test_client()
    login(other, user)
    token = csrf_token(client, "/me")

    def change(current, new, confirm=None):
        return client.post(
            "/me/password",
            data={
                "csrf_token": token,
                "pw-current": current,
                "pw-password": new,
                "pw-confirm": confirm or new,
            },
        )

    wrong = change("not-my-password-1", "brand-new-pass-7")
    assert wrong.status_code == 400 and "当前密码不正确" in wrong.get_data(as_text=True)
    weak = change(PASSWORD, "onlyletters")
    assert weak.status_code == 400 and "密码必须同时包含字母和数字" in weak.get_data(as_text=True)
    differ = change(PASSWORD, "brand-new-pass-7", "brand-new-pass-8")
    assert differ.status_code == 400 and "两次输入的密码不一致" in differ.get_data(as_text=True)
    assert change(PASSWORD, "brand-new-pass-7").status_code == 302
    assert client.get("/").status_code == 200  # this browser stays signed in
    assert other.get("/").status_code == 302  # the other session ended
    assert login(other, user, "brand-new-pass-7").status_code == 302


def test_sign_in_page_is_chinese_by_default_and_english_after_the_switch(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "登录" in html and "电子邮件" in html and "密码" in html and "还没有账号？" in html
    response = client.get("/lang/en?next=/login")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Sign in" in html and "E-mail" in html and "No account yet?" in html and "登录" not in html
    client.get("/lang/zh_CN")
    assert "还没有账号？" in client.get("/login").get_data(as_text=True)


def test_language_switch_ignores_unknown_codes_and_foreign_redirects(client):
    response = client.get("/lang/fr?next=https://evil.example.com/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "还没有账号？" in client.get("/login").get_data(as_text=True)


def test_the_signed_in_users_language_is_kept_across_sessions(app, client, login_as):
    user = login_as(Role.CUSTOMER)
    client.get("/lang/en")
    assert "How can we help you?" in client.get("/").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).language == "en"

    fresh_browser = app.test_client()  # a new session on another computer, Chinese by default
    assert "还没有账号？" in fresh_browser.get("/login").get_data(as_text=True)
    login(fresh_browser, user)
    assert "How can we help you?" in fresh_browser.get("/").get_data(as_text=True)
    # after sign-out the page stays in the language the user chose
    fresh_browser.post("/logout", data={"csrf_token": csrf_token(fresh_browser, "/")})
    assert "No account yet?" in fresh_browser.get("/login").get_data(as_text=True)


def test_error_pages_are_translated_pages_not_tracebacks(client, login_as):
    login_as(Role.CUSTOMER)
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "页面不存在" in missing.get_data(as_text=True)
    wrong_method = client.put("/")
    assert wrong_method.status_code == 405 and "此处不允许该操作" in wrong_method.get_data(as_text=True)


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
