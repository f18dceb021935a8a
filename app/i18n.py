"""Language selection: the user's saved choice, else the session's, else ISUPPORT_LANGUAGE."""

from __future__ import annotations

from babel import support
from flask import Flask, current_app, session
from flask_babel import Babel, Domain, get_locale
from flask_login import current_user


def select_locale() -> str:
    supported = current_app.config["SUPPORTED_LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in supported:
        return current_user.language
    chosen = session.get("lang")
    if chosen in supported:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


class CatalogueDomain(Domain):
    """Finds the zh_CN catalogues although Babel reads "zh_CN" as the locale zh_Hans_CN.

    gettext looks for a folder named after the full locale (zh_Hans_CN, then zh), so the
    zh_CN/ folders that pybabel writes were never found and every page stayed in English.
    This domain looks for language_TERRITORY first, then the full name."""

    def get_translations(self):
        locale = get_locale()
        if locale is None:
            return support.NullTranslations()
        directories = tuple(self.translation_directories)
        key = (str(locale), self.domain[0], directories)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        names = [str(locale)]
        if locale.territory:
            names.insert(0, f"{locale.language}_{locale.territory}")
        translations = support.Translations()
        for index, dirname in enumerate(directories):
            domain = self.domain[0] if len(self.domain) == 1 else self.domain[index]
            catalog = support.Translations.load(dirname, names, domain)
            translations.merge(catalog)
            if hasattr(catalog, "plural"):
                translations.plural = catalog.plural
        self.cache[key] = translations
        return translations


def language_code() -> str:
    """The page's language as the portal names it: "zh_CN" or "en"."""
    locale = get_locale()
    if locale is None:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return "en" if locale.language == "en" else "zh_CN"


def init_app(app: Flask, babel: Babel) -> None:
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel keeps its domain in a cached property; this puts ours in its place.
    babel.__dict__["domain_instance"] = CatalogueDomain()

    @app.context_processor
    def language():
        return {"current_language": language_code()}
