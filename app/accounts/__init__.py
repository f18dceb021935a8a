"""People and access: accounts, contacts, users, roles, registration, approval, API tokens."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..extensions import db, login_manager
from ..i18n import language_code
from ..registry import Alert, registry
from . import services
from .cli import accounts_cli, users_cli
from .models import Role, UserStatus


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

    @app.context_processor
    def account_labels():
        return {
            "role_label": role_label,
            "status_label": status_label,
            "status_tone": status_tone,
            "unit_name": unit_name,
        }

    reg = registry(app)
    admin = {Role.INFOCENTRE.value, Role.SYSADMIN.value}
    reg.add_nav(_l("Registrations"), "accounts.registrations", admin, order=90, group=_l("Administration"))
    reg.add_nav(_l("Users"), "accounts.users", admin, order=91, group=_l("Administration"))

    reg.alert_providers.append(pending_registrations_alert)

    from .demo import load_demo

    reg.add_demo_loader(10, "accounts", load_demo)


def role_label(role: Role | str) -> str:
    from .forms import ROLE_LABELS

    return str(ROLE_LABELS.get(Role(role) if isinstance(role, str) else role, role))


def status_label(status: UserStatus) -> str:
    from .forms import STATUS_LABELS

    return str(STATUS_LABELS[status][0])


def status_tone(status: UserStatus) -> str:
    from .forms import STATUS_LABELS

    return STATUS_LABELS[status][1]


def unit_name(unit) -> str:
    """A unit's name in the page's language ('—' for none)."""
    if unit is None:
        return "—"
    return unit.display_name(language_code())


def pending_registrations_alert(user) -> list[Alert]:
    """The information centre's home page says how many registrations wait for a decision."""
    if not user.has_role(Role.INFOCENTRE, Role.SYSADMIN):
        return []
    count = len(services.pending_registrations(db.session))
    if not count:
        return []
    return [
        Alert(
            "warning",
            ngettext(
                "%(num)s registration is waiting for approval.",
                "%(num)s registrations are waiting for approval.",
                count,
            ),
            url_for("accounts.registrations"),
        )
    ]
