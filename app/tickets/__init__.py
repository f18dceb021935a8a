"""Service requests: types, the status workflow, routing, the returned-material flow, reports.

Other domains use ``services.create_request(session, actor, NewRequest(...), now)`` (deflection)."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..accounts.models import Region, Role
from ..registry import Alert, registry


def init_app(app: Flask) -> None:
    from . import (
        models,  # noqa: F401  (the tables register)
        services,
    )
    from .api import OPENAPI_PATHS
    from .api import bp as api_bp
    from .cli import report_cli
    from .demo import load_demo
    from .views import bp

    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    app.cli.add_command(report_cli)

    reg = registry(app)
    staff = {Role.STAFF.value, Role.INFOCENTRE.value}
    reg.add_nav(_l("Service requests"), "tickets.index", {Role.CUSTOMER.value}, order=30)
    reg.add_nav(_l("Request queue"), "tickets.queue", staff, order=30)
    reg.add_nav(_l("RMA report"), "tickets.rma", staff, order=60, group=_l("Reports"))
    reg.add_nav(_l("Defect catalogue"), "tickets.defects", staff, order=61, group=_l("Reports"))
    reg.add_nav(_l("Notifications"), "tickets.notifications", {*staff, Role.CUSTOMER.value}, order=80)
    reg.add_demo_loader(40, "service requests", load_demo)
    reg.openapi_paths.update(OPENAPI_PATHS)

    def latest(user, limit: int):
        from ..extensions import db

        return services.latest_requests(db.session, user, limit, url_for)

    reg.latest_requests_provider = latest

    def unread_alert(user) -> list[Alert]:
        from flask_babel import gettext as _

        from ..extensions import db

        count = services.unread_count(db.session, user)
        if not count:
            return []
        return [
            Alert(
                "info",
                _("%(n)s unread notifications about your service requests.", n=count),
                url_for("tickets.notifications"),
            )
        ]

    reg.alert_providers.append(unread_alert)

    @app.context_processor
    def ticket_labels():
        from . import forms

        if not current_user or not getattr(current_user, "is_authenticated", False):
            return {}
        return {
            "STATUS_LABELS": services.STATUS_LABELS,
            "STATUS_TONES": services.STATUS_TONES,
            "LEVEL_LABELS": services.LEVEL_LABELS,
            "TYPE_LABELS": services.TYPE_LABELS,
            "CHANNEL_LABELS": services.CHANNEL_LABELS,
            "EVENT_LABELS": services.EVENT_LABELS,
            "STATUS_LABELS_BY_VALUE": {s.value: label for s, label in services.STATUS_LABELS.items()},
            "LEVEL_LABELS_BY_VALUE": {lv.value: label for lv, label in services.LEVEL_LABELS.items()},
            "STATUS_CHOICES": [(s.value, services.STATUS_LABELS[s]) for s in services.STATUS_LABELS],
            "TYPE_CHOICES": forms.TYPE_CHOICES,
            "LEVEL_CHOICES": forms.LEVEL_CHOICES,
            "REGION_CHOICES": [(r.value, services.REGION_LABELS[r]) for r in Region],
            "RESPONSIBILITY_LABELS": services.RESPONSIBILITY_LABELS,
            "EVENT_MESSAGES_BY_VALUE": {k.value: m for k, m in services.EVENT_MESSAGES.items()},
        }
