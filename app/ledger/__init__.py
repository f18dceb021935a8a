"""The ledger: the account tab's orders, invoices, payments and statement, imported from the ERP.

init_app registers the pages, the JSON API, `isupport ledger`, nav items, home-page alerts, the demo
loader and the shipped-unit lookups the service-request domain uses for returned material."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..accounts.models import Role
from ..clock import utcnow
from ..extensions import db
from ..registry import Alert, registry
from . import models  # noqa: F401 - registers the tables


def home_alerts(user) -> list[Alert]:
    """Overdue invoices and shipping documents sent to the logistics company this week."""
    from flask import current_app

    from . import services
    from .labels import money

    if not services.can_use_ledger(user):
        return []
    scope = services.scope_for(db.session, user)
    today = current_app.extensions.get("isupport.clock", utcnow)().date()
    found, overdue_count, docs_count = services.alerts(db.session, scope, today)
    result = []
    for alert in found:
        prefix = f"{alert.account_code}: " if scope.internal else ""
        if alert.kind == "overdue_invoice":
            result.append(
                Alert(
                    "danger",
                    prefix
                    + _(
                        "Invoice %(number)s is overdue %(days)s days; open amount %(amount)s.",
                        number=alert.number,
                        days=alert.days_overdue,
                        amount=money(alert.open_amount, alert.currency),
                    ),
                    url_for("ledger.invoice_detail", number=alert.number),
                )
            )
        else:
            result.append(
                Alert(
                    "info",
                    prefix
                    + _(
                        "The shipping documents of order %(number)s were sent to the logistics company "
                        "(receiver: %(receiver)s).",
                        number=alert.number,
                        receiver=alert.receiver or "-",
                    ),
                    url_for("ledger.order_detail", number=alert.number),
                )
            )
    shown_overdue = sum(1 for a in found if a.kind == "overdue_invoice")
    if overdue_count > shown_overdue:
        result.append(
            Alert(
                "danger",
                _("%(count)s more overdue invoices.", count=overdue_count - shown_overdue),
                url_for("ledger.statement"),
            )
        )
    shown_docs = len(found) - shown_overdue
    if docs_count > shown_docs:
        result.append(
            Alert(
                "info",
                _(
                    "%(count)s more orders had their shipping documents sent this week.",
                    count=docs_count - shown_docs,
                ),
                url_for("ledger.orders", view="this_week"),
            )
        )
    return result


def init_app(app: Flask) -> None:
    from . import services
    from .api import OPENAPI_PATHS
    from .api import bp as api_bp
    from .cli import ledger_cli
    from .demo import load_demo
    from .views import bp

    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    app.cli.add_command(ledger_cli)
    reg = registry(app)
    roles = {Role.CUSTOMER.value, Role.STAFF.value, Role.INFOCENTRE.value}
    reg.add_nav(_l("Orders"), "ledger.orders", roles, order=30, visible=services.can_use_ledger,
                group=_l("Orders and billing"))
    reg.add_nav(_l("Invoices"), "ledger.invoices", roles, order=31, visible=services.can_use_ledger,
                group=_l("Orders and billing"))
    reg.add_nav(_l("Payments"), "ledger.payments", roles, order=32, visible=services.can_use_ledger,
                group=_l("Orders and billing"))
    reg.add_nav(_l("Statement"), "ledger.statement", roles, order=33, visible=services.can_use_ledger,
                group=_l("Orders and billing"))
    reg.alert_providers.append(home_alerts)
    reg.add_demo_loader(30, "ledger", load_demo)
    reg.openapi_paths.update(OPENAPI_PATHS)
    reg.unit_lookup = services.unit_by_serial
    reg.order_line_lookup = services.unit_by_order_line
