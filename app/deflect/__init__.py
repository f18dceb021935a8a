"""The deflect domain: fault reports answered by the knowledge base first, then routed as requests."""

from __future__ import annotations

from flask import Flask

from . import models  # noqa: F401 - registers the tables


def init_app(app: Flask) -> None:
    pass
