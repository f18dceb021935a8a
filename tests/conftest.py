"""Shared fixtures: an app on a real database (SQLite file, or PostgreSQL when
ISUPPORT_TEST_DATABASE_URL is set), a clean database for every test, factories and a login helper."""

from __future__ import annotations

import contextvars
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from app import create_app
from app.accounts import services as account_services
from app.accounts.models import Account, Region, Role, User
from app.extensions import db
from app.settings import PROJECT_ROOT, Settings

PASSWORD = "correct-horse-42"
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, missing: str) -> None:
    """Skips a test whose requirement is absent, except under CI=true where that is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{missing} (required under CI=true)")
    pytest.skip(missing)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Argon2's cheapest profile in tests: the real one takes ~0.1-1 s per hash and every test
    creates users. Hashes still go through argon2 and carry their parameters, so verify is real."""
    from argon2 import PasswordHasher, profiles

    real = account_services._hasher
    account_services._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    yield
    account_services._hasher = real


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("ISUPPORT_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            # A clean schema for this run; migrations then build every table.
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    except Exception as error:  # noqa: BLE001 - any connection failure means "no PostgreSQL"
        pytest.exit(f"ISUPPORT_TEST_DATABASE_URL={url} is not reachable: {error}", returncode=3)
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def migrated(database_url, tmp_path_factory) -> str:
    """Runs the real migrations once per test session."""
    from flask_migrate import upgrade

    instance = tmp_path_factory.mktemp("migrate-instance")
    app = create_app(Settings(instance_dir=instance, database_url=database_url, index_dir=instance / "index",
                              testing=True, secret_key="migrate"))
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        db.engine.dispose()
    return database_url


def _wipe(session) -> None:
    tables = [t for t in db.metadata.sorted_tables if t.name != "alembic_version"]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            session.execute(table.delete())
    session.commit()


@pytest.fixture
def settings(migrated, tmp_path) -> Settings:
    return Settings(
        instance_dir=tmp_path / "instance",
        database_url=migrated,
        index_dir=tmp_path / "index",
        content_dir=PROJECT_ROOT / "content",
        secret_key="test-secret",
        testing=True,
        secure_cookies=False,
    )


@pytest.fixture
def app(settings):
    app = create_app(settings)
    with app.app_context():
        _wipe(db.session)
        account_services.ensure_units(db.session)
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as a real server does.

    The test itself holds an app context (for ``db.session``); without this, requests would share
    it, and with it ``g`` (Flask-Login's cached user) and the test's database session."""

    def open(self, *args, **kwargs):
        db.session.commit()  # what the test prepared is visible to the request
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            db.session.commit()  # end the test's read transaction: it sees what the request wrote


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories -----------------------------------------------------------------------------------


@dataclass
class Factory:
    counter: int = 0

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def account(
        self, code: str | None = None, region: Region = Region.EAST, name: str | None = None
    ) -> Account:
        n = self._next()
        account = account_services.create_account(
            db.session, code or f"ACC-{n:03d}", name or f"测试客户{n}", region
        )
        db.session.commit()
        return account

    def user(self, role: Role = Role.CUSTOMER, account: Account | None = None, unit: str | None = None,
             email: str | None = None, password: str = PASSWORD, name: str = "") -> User:
        n = self._next()
        if role is Role.CUSTOMER and account is None:
            account = self.account()
        if role is Role.STAFF and unit is None:
            unit = "office-east"
        user = account_services.create_user(db.session, account_services.NewUser(
            email=email or f"user{n}@example.com", password=password, role=role, name=name or f"用户{n}",
            account_code=account.code if account else None, unit_code=unit,
        ))
        db.session.commit()
        return user


@pytest.fixture
def make(app) -> Factory:
    return Factory()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, user_or_email, password: str = PASSWORD):
    email = user_or_email.email if isinstance(user_or_email, User) else user_or_email
    token = csrf_token(client)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def api_token(client, user_or_email, password: str = PASSWORD) -> str:
    email = user_or_email.email if isinstance(user_or_email, User) else user_or_email
    response = client.post("/api/v1/tokens", json={"email": email, "password": password})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def login_as(client, make):
    """``login_as(role, **factory_kwargs)`` creates a user of that role and signs the client in."""

    def _login_as(role: Role = Role.CUSTOMER, **kwargs) -> User:
        user = make.user(role, **kwargs)
        response = login(client, user)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return _login_as

__all__ = ["PASSWORD", "Path", "api_token", "bearer", "csrf_token", "login", "require"]
