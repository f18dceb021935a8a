"""Every POST form of the accounts and portal pages refuses a request without a valid CSRF token."""

import pytest

from app.accounts import services
from app.accounts.models import Role, User, UserStatus
from app.extensions import db
from tests.conftest import PASSWORD, csrf_token, login


@pytest.fixture
def world(client, make):
    """A signed-in sysadmin, a pending registration and a customer to act on."""
    admin = make.user(Role.SYSADMIN)
    customer = make.user(Role.CUSTOMER)
    pending = services.register(
        db.session,
        services.Registration(
            account_code=customer.account.code,
            company="测试",
            name="张三",
            email="zs@example.com",
            phone="021-12345678",
            password=PASSWORD,
        ),
    )
    db.session.commit()
    assert login(client, admin).status_code == 302
    return {"admin": admin, "customer": customer, "pending": pending}


def forms(world):
    customer, pending = world["customer"], world["pending"]
    return [
        ("/logout", {}),
        (
            "/register",
            {
                "account_code": "C-1",
                "company": "x",
                "name": "x",
                "email": "x@example.com",
                "phone": "12345",
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
        ),
        (f"/admin/registrations/{pending.id}/approve", {"account_code": customer.account.code}),
        (f"/admin/registrations/{pending.id}/reject", {"reason": "no"}),
        ("/admin/users", {"email": "n@example.com", "name": "n", "password": PASSWORD, "role": "sysadmin"}),
        (f"/admin/users/{customer.id}", {"role": "sysadmin"}),
        (f"/admin/users/{customer.id}/deactivate", {}),
        (f"/admin/users/{customer.id}/reactivate", {}),
        ("/me", {"language": "en", "show_company_news": ""}),
        (
            "/me/password",
            {"pw-current": PASSWORD, "pw-password": "another-pass-99", "pw-confirm": "another-pass-99"},
        ),
    ]


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_posts_without_a_valid_csrf_token_are_refused_and_change_nothing(client, world, token):
    for path, data in forms(world):
        if token:
            data = {**data, "csrf_token": token}
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert "安全令牌" in response.get_data(as_text=True), path
    db.session.expire_all()
    assert db.session.get(User, world["pending"].id).status is UserStatus.PENDING
    customer = db.session.get(User, world["customer"].id)
    assert customer.role is Role.CUSTOMER and customer.status is UserStatus.ACTIVE
    admin = db.session.get(User, world["admin"].id)
    assert admin.language is None and services.verify_password(admin, PASSWORD)
    assert services.user_by_email(db.session, "n@example.com") is None
    assert services.user_by_email(db.session, "x@example.com") is None
    assert client.get("/").status_code == 200  # still signed in: the sign-out was refused too


def test_a_token_from_another_session_is_refused(client, world, app):
    stranger = app.test_client()
    foreign = csrf_token(stranger, "/login")
    response = client.post(f"/admin/users/{world['customer'].id}/deactivate", data={"csrf_token": foreign})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, world["customer"].id).status is UserStatus.ACTIVE
