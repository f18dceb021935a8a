"""API tokens, bearer auth, JSON errors for malformed input, and the OpenAPI document."""

import json

import pytest

from app.accounts import services
from app.accounts.models import Role, User
from app.extensions import db
from tests.conftest import PASSWORD, api_token, bearer


def assert_json_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert set(error) == {"code", "message"}
    assert isinstance(error["message"], str) and error["message"]
    if code:
        assert error["code"] == code
    return error


def test_token_authenticates_the_api(client, make):
    user = make.user(Role.CUSTOMER)
    response = client.post("/api/v1/tokens", json={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "role"} and body["role"] == "customer" and len(body["token"]) >= 40
    me = client.get("/api/v1/me", headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.get_json()["email"] == user.email
    assert me.get_json()["account"] == {"code": user.account.code, "name": user.account.name}


def test_only_the_hash_of_a_token_is_stored(client, make):
    from app.accounts.models import ApiToken

    token = api_token(client, make.user(Role.STAFF))
    stored = db.session.scalars(db.select(ApiToken)).one()
    assert stored.token_hash != token and token not in stored.token_hash


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer not-a-real-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer " + "x" * 5000},
    ],
)
def test_missing_or_bad_tokens_are_401(client, headers):
    assert_json_error(client.get("/api/v1/me", headers=headers), 401, "unauthorized")


def test_wrong_password_and_unapproved_users_get_no_token(client, make):
    user = make.user(Role.CUSTOMER)
    assert_json_error(
        client.post("/api/v1/tokens", json={"email": user.email, "password": "wrong-pass-1"}),
        401,
        "sign_in_failed",
    )
    services.register(
        db.session,
        services.Registration(
            account_code="C-1",
            company="测试",
            name="张三",
            email="zs@example.com",
            phone="021-12345678",
            password=PASSWORD,
        ),
    )
    db.session.commit()
    assert_json_error(
        client.post("/api/v1/tokens", json={"email": "zs@example.com", "password": PASSWORD}), 401, "pending"
    )


def test_cli_deactivation_revokes_tokens_at_once(client, runner, make):
    user = make.user(Role.CUSTOMER)
    token = api_token(client, user)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    result = runner.invoke(args=["users", "deactivate", "--email", user.email])
    assert result.exit_code == 0, result.output
    assert_json_error(client.get("/api/v1/me", headers=bearer(token)), 401, "unauthorized")
    assert_json_error(
        client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}), 401, "deactivated"
    )


@pytest.mark.parametrize(
    "kwargs, code",
    [
        (
            {"data": "email=a@example.com&password=x", "content_type": "application/x-www-form-urlencoded"},
            "bad_json",
        ),
        ({"data": "{not json", "content_type": "application/json"}, "bad_json"),
        ({"data": "", "content_type": "application/json"}, "bad_json"),
        ({"json": ["a@example.com", "x"]}, "bad_json"),
        ({"json": "a string"}, "bad_json"),
        ({"json": None}, "bad_json"),
        ({"json": {}}, "invalid"),
        ({"json": {"email": "a@example.com"}}, "invalid"),
        ({"json": {"email": "a@example.com", "password": "x", "admin": True}}, "invalid"),
        ({"json": {"email": 42, "password": "x"}}, "invalid"),
        ({"json": {"email": "a@example.com", "password": ["x"]}}, "invalid"),
        ({"json": {"email": "a@example.com", "password": None}}, "invalid"),
        ({"json": {"email": "a" * 300 + "@example.com", "password": "x"}}, "invalid"),
        ({"json": {"email": "a@example.com", "password": "x" * 10_000}}, "invalid"),
        ({"json": {"email": "", "password": ""}}, "invalid"),
    ],
)
def test_malformed_token_requests_are_4xx_json(client, kwargs, code):
    response = client.post("/api/v1/tokens", **kwargs)
    error = assert_json_error(response, 400, code)
    if code == "invalid":
        assert error["message"].split(":")[0] in {"email", "password", "admin"}


def test_a_huge_body_is_413_json(client):
    body = json.dumps({"email": "a@example.com", "password": "x" * (17 * 1024 * 1024)})
    response = client.post("/api/v1/tokens", data=body, content_type="application/json")
    assert_json_error(response, 413, "request_entity_too_large")


def test_api_404_and_405_are_json(client):
    assert_json_error(client.get("/api/v1/no-such-thing"), 404, "not_found")
    assert_json_error(client.get("/api/v1/tokens"), 405, "method_not_allowed")


def test_openapi_document_describes_the_token_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = json.loads(response.get_data(as_text=True))
    assert document["openapi"].startswith("3.")
    assert "post" in document["paths"]["/tokens"]
    assert document["paths"]["/tokens"]["post"]["security"] == []
    assert "/me" in document["paths"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_api_needs_no_csrf_token_but_pages_do(client, make):
    user = make.user(Role.CUSTOMER)
    assert client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).status_code == 201
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 400


def test_token_of_a_user_whose_role_changes_keeps_working_with_the_new_role(client, make):
    user = make.user(Role.CUSTOMER)
    token = api_token(client, user)
    services.set_role(db.session, db.session.get(User, user.id), Role.STAFF, unit_code="warehouse")
    db.session.commit()
    me = client.get("/api/v1/me", headers=bearer(token)).get_json()
    assert me["role"] == "staff" and me["account"] is None and me["unit"] == "warehouse"
