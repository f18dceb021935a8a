"""The iSupport portal: the application factory, which only wires settings and domains together."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate, talisman
from .registry import PortalRegistry
from .settings import SUPPORTED_LANGUAGES, Settings

APP_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = APP_DIR / "migrations"

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "img-src": ["'self'", "data:"],
    "style-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.instance_dir.resolve()))
    app.config.update(
        SECRET_KEY=settings.resolved_secret_key(),
        SQLALCHEMY_DATABASE_URI=settings.resolved_database_url(),
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings.resolved_database_url()),
        TESTING=settings.testing,
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE=settings.language,
        BABEL_DEFAULT_TIMEZONE="Asia/Shanghai",
        BABEL_TRANSLATION_DIRECTORIES=";".join(str(d) for d in _translation_dirs()),
        BOOTSTRAP_SERVE_LOCAL=True,
        RATELIMIT_ENABLED=settings.rate_limits,
        RATELIMIT_HEADERS_ENABLED=True,
        JSON_SORT_KEYS=False,
        SUPPORTED_LANGUAGES=SUPPORTED_LANGUAGES,
    )
    app.jinja_env.add_extension("jinja2.ext.do")
    app.extensions["isupport.settings"] = settings
    app.extensions["isupport.registry"] = PortalRegistry()

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    talisman.init_app(
        app,
        force_https=False,
        session_cookie_secure=settings.secure_cookies,
        content_security_policy=CONTENT_SECURITY_POLICY,
        strict_transport_security=settings.secure_cookies,
    )
    login_manager.init_app(app)

    from . import accounts, api, deflect, ledger, portal, search, tickets
    from .i18n import init_app as init_i18n

    init_i18n(app, babel)
    for domain in (portal, accounts, api, search, tickets, deflect, ledger):
        domain.init_app(app)

    from .cli import init_app as init_cli

    init_cli(app)
    if not settings.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return app


def _translation_dirs() -> list[Path]:
    return [APP_DIR / "translations", *sorted(APP_DIR.glob("*/translations"))]


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        # Waitress serves from several threads; SQLite waits for a writer instead of failing at once.
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
