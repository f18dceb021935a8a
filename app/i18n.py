"""Language selection: the user's saved choice, else the session's, else ISUPPORT_LANGUAGE."""

from __future__ import annotations

from flask import Flask, current_app, session
from flask_babel import Babel, get_locale
from flask_login import current_user


def select_locale() -> str:
    supported = current_app.config["SUPPORTED_LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in supported:
        return current_user.language
    chosen = session.get("lang")
    if chosen in supported:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask, babel: Babel) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def language():
        return {"current_language": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])}
