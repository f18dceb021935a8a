"""The ledger domain (see its issue). init_app registers its blueprint, CLI group and registry entries."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    pass
