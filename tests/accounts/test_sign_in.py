"""Sign-in, sign-out, throttling and the session's end at deactivation."""

from datetime import timedelta

from app.accounts import services
from app.accounts.models import Role, User
from app.clock import utcnow
from app.extensions import db
from tests.conftest import PASSWORD, csrf_token, login


def test_sign_in_and_out(client, make):
    user = make.user(Role.CUSTOMER)
    response = login(client, user)
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert user.account.name in home.get_data(as_text=True)
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302  # back to sign-in


def test_wrong_password_is_refused_with_a_message(client, make):
    user = make.user(Role.CUSTOMER)
    response = login(client, user, "wrong-password-1")
    assert response.status_code == 400
    assert "密码错误" in response.get_data(as_text=True) or "Wrong e-mail or password" in response.get_data(
        as_text=True
    )
    assert client.get("/").status_code == 302


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client, make):
    user = make.user(Role.CUSTOMER)
    wrong = login(client, user, "wrong-password-1").get_data(as_text=True)
    unknown = login(client, "nobody@example.com", "wrong-password-1").get_data(as_text=True)
    marker = "alert-danger"
    assert wrong[wrong.index(marker) :][:200] == unknown[unknown.index(marker) :][:200]


def test_repeated_failures_lock_the_user_out_even_with_the_right_password(client, make):
    user = make.user(Role.CUSTOMER)
    for _ in range(services.MAX_FAILED_LOGINS):
        assert login(client, user, "wrong-password-1").status_code == 400
    locked = login(client, user, PASSWORD)
    assert locked.status_code == 400
    assert client.get("/").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).locked_until > utcnow()


def test_lockout_ends_after_its_time(app, make):
    user = make.user(Role.CUSTOMER)
    now = utcnow()
    for _ in range(services.MAX_FAILED_LOGINS):
        try:
            services.authenticate(db.session, user.email, "nope-nope-1", now=now)
        except services.SignInError:
            pass
    later = now + services.LOCKOUT + timedelta(seconds=1)
    assert services.authenticate(db.session, user.email, PASSWORD, now=later).id == user.id


def test_pending_user_cannot_sign_in(client, app):
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
    response = login(client, "zs@example.com")
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_deactivation_ends_an_open_session_at_once(client, make):
    user = make.user(Role.CUSTOMER)
    login(client, user)
    assert client.get("/").status_code == 200
    services.deactivate_user(db.session, db.session.get(User, user.id))
    db.session.commit()
    assert client.get("/").status_code == 302


def test_next_only_follows_local_paths(client, make):
    user = make.user(Role.CUSTOMER)
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": PASSWORD,
            "csrf_token": token,
            "next": "https://evil.example.com/",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_sign_in_without_csrf_token_is_refused(client, make):
    user = make.user(Role.CUSTOMER)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302
