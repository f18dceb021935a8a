"""Security headers, cookie flags and sign-in throttling by the rate limiter."""

from app import create_app
from app.accounts.models import Role
from app.extensions import db
from tests.conftest import PASSWORD, csrf_token, login


def test_security_headers_on_pages_and_api(client):
    for path in ["/login", "/api/v1/openapi.json"]:
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp or headers.get("X-Frame-Options") in ("DENY", "SAMEORIGIN")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "Referrer-Policy" in headers


def test_pages_have_no_inline_scripts_or_styles(client, login_as):
    login_as(Role.SYSADMIN)
    for path in ["/", "/me", "/admin/users", "/admin/registrations"]:
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "style=" not in html, path
        assert "<script src=" in html


def test_session_cookie_is_httponly_and_samesite(client, make):
    user = make.user(Role.CUSTOMER)
    response = login(client, user)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # secure_cookies is off in the test settings (plain http)


def test_session_cookie_is_secure_when_secure_cookies_is_on(settings, make):
    app = create_app(settings.with_(secure_cookies=True))
    user = make.user(Role.CUSTOMER)
    try:
        response = login(app.test_client(), user)
    finally:
        with app.app_context():
            db.engine.dispose()
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_too_many_sign_in_posts_get_429(client, make):
    user = make.user(Role.CUSTOMER)
    token = csrf_token(client)
    statuses = [
        client.post(
            "/login", data={"email": f"nobody{n}@example.com", "password": "x", "csrf_token": token}
        ).status_code
        for n in range(21)
    ]
    assert statuses[:20] == [400] * 20
    assert statuses[20] == 429
    limited = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert limited.status_code == 429
    assert "请求过于频繁" in limited.get_data(as_text=True)
    assert "Retry-After" in limited.headers or "X-RateLimit-Reset" in limited.headers


def test_token_endpoint_is_rate_limited_too(client):
    statuses = [
        client.post("/api/v1/tokens", json={"email": "a@example.com", "password": "x"}).status_code
        for _ in range(21)
    ]
    assert statuses[:20] == [401] * 20
    assert statuses[20] == 429
    assert client.post("/api/v1/tokens", json={}).get_json()["error"]["code"] == "too_many_requests"
