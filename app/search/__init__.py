"""The knowledge base and its Chinese search (jieba + Whoosh): articles, index, pages, API, CLI.

Python API for other domains (see docs/search.md): ``services.get_backend``,
``services.search_articles``, ``services.candidates``, ``analysis.analyze_terms``,
``services.visible_articles``, ``services.article_text``."""

from __future__ import annotations

import logging
import time

from flask import Flask
from flask_babel import lazy_gettext as _l

from ..registry import registry

log = logging.getLogger(__name__)


def startup(app: Flask) -> None:
    """At server start: jieba loaded once, the index opened or rebuilt from the database."""
    from . import services

    started = time.perf_counter()
    with app.app_context():
        backend = services.get_backend(app)
        if backend.ensure():
            log.warning("search index was missing or unreadable and has been rebuilt")
        backend.searcher()
    log.info("search ready in %.2f s", time.perf_counter() - started)


def init_app(app: Flask) -> None:
    from . import models  # noqa: F401 - the tables
    from .api import bp as api_bp
    from .api import openapi_paths
    from .cli import kb_cli
    from .demo import load_demo
    from .views import bp

    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    app.cli.add_command(kb_cli)
    reg = registry(app)
    everyone = {"customer", "staff", "infocentre", "sysadmin"}
    reg.add_nav(_l("Knowledge base"), "search.search", everyone, order=20)
    reg.add_nav(_l("Articles"), "search.manage", {"infocentre", "sysadmin"}, order=80,
                group=_l("Knowledge management"))
    reg.add_nav(_l("Search analytics"), "search.analytics", {"infocentre", "sysadmin"}, order=81,
                group=_l("Knowledge management"))
    reg.help_search_endpoint = "search.search"
    reg.add_demo_loader(20, "knowledge base", load_demo)
    reg.openapi_paths.update(openapi_paths())
    reg.startup_hooks.append(startup)
