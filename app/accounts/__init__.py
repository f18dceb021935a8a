"""People and access: accounts, contacts, users, roles, registration, approval, API tokens."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from ..extensions import db, login_manager
from ..registry import registry
from . import services
from .cli import accounts_cli, users_cli
from .models import Role


def init_app(app: Flask) -> None:
    from .views import bp

    app.register_blueprint(bp)
    app.cli.add_command(accounts_cli)
    app.cli.add_command(users_cli)

    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str):
        return services.load_session_user(db.session, session_id)

    reg = registry(app)
    admin = {Role.INFOCENTRE.value, Role.SYSADMIN.value}
    reg.add_nav(_l("Registrations"), "accounts.registrations", admin, order=90)
    reg.add_nav(_l("Users"), "accounts.users", admin, order=91)

    from .demo import load_demo

    reg.add_demo_loader(10, "accounts", load_demo)
