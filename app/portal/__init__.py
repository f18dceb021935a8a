"""The page frame: base layout, navigation, home page, language switch, error pages, news."""

from __future__ import annotations

from flask import Flask
from flask_login import current_user

from ..registry import nav_entries, registry
from .demo import load_demo


def init_app(app: Flask) -> None:
    from . import models  # noqa: F401  (registers the table)
    from .views import bp

    app.register_blueprint(bp)
    reg = registry(app)
    reg.add_demo_loader(15, "news", load_demo)

    @app.context_processor
    def navigation():
        items = []
        if current_user.is_authenticated:
            items = [item for item in reg.nav if item.shown_to(current_user)]
        return {"nav_entries": nav_entries(items)}
