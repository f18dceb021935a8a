"""The page frame's own pages: home, language switch, error pages."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..registry import registry
from ..web import safe_next
from .services import build_home

bp = Blueprint("portal", __name__, template_folder="templates")


def N_(message: str) -> str:
    """Marks a message for the catalogue; it is translated where it is shown."""
    return message


ERROR_TITLES = {
    400: N_("The request could not be understood."),
    403: N_("You may not open this page."),
    404: N_("This page does not exist."),
    405: N_("This action is not allowed here."),
    409: N_("This change conflicts with the current state."),
    413: N_("The upload is too large."),
    429: N_("Too many requests. Please wait a moment and try again."),
    500: N_("Something went wrong on our side."),
}


def render_error(status: int, message: str | None):
    title = _(ERROR_TITLES.get(status, N_("Something went wrong.")))
    return render_template("portal/error.html", status=status, title=title, message=message), status


@bp.route("/")
@login_required
def home():
    page = build_home(db.session, registry(), current_user)
    return render_template("portal/home.html", page=page, search_endpoint=registry().help_search_endpoint)


@bp.route("/lang/<code>")
def switch_language(code: str):
    if code in current_app.config["SUPPORTED_LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.language = code
            db.session.commit()
    return redirect(safe_next(request.args.get("next"), url_for("portal.home")))


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}
