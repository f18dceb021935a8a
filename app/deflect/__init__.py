"""The deflect domain: fault reports answered by the knowledge base first, then routed as requests.

Python API for other domains (see docs/deflect.md): ``registry(app).suggest`` (set here),
``services.deflection_rate``, ``services.content_gaps``, ``runtime.get_engine``."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from ..registry import registry

# models registers the tables. store imports numpy, scipy and scikit-learn with the package, before any
# domain loads pygal: pygal puts an old-style import hook on sys.meta_path that makes every later import
# warn (ImportWarning).
from . import models, store  # noqa: F401


def deflection_panel(service_request) -> Markup:
    """For the service-request page: the suggestions shown before the request, and the customer's
    reasons. Staff only; empty when the request did not come from a fault report."""
    from ..extensions import db
    from .models import FaultReport

    deflection_id = getattr(service_request, "deflection_id", None)
    if not deflection_id or not current_user.is_authenticated or current_user.is_customer:
        return Markup("")
    report = db.session.get(FaultReport, deflection_id)
    if report is None or report.account_id != getattr(service_request, "account_id", None):
        return Markup("")
    return Markup(render_template("deflect/_request_panel.html", report=report))


def init_app(app: Flask) -> None:
    from .api import bp as api_bp
    from .api import openapi_paths
    from .cli import deflect_cli
    from .demo import load_demo
    from .runtime import registry_suggest, startup
    from .views import bp

    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    app.cli.add_command(deflect_cli)
    reg = registry(app)
    reg.add_nav(_l("Report a fault"), "deflect.new", {"customer"}, order=15)
    reg.add_nav(_l("Content gaps"), "deflect.gaps", {"infocentre", "sysadmin"}, order=82,
                group=_l("Knowledge management"))
    reg.add_demo_loader(50, "fault reports", load_demo)
    reg.openapi_paths.update(openapi_paths())
    reg.startup_hooks.append(startup)
    reg.suggest = registry_suggest
    app.context_processor(lambda: {"deflection_panel": deflection_panel})
