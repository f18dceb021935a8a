"""Small helpers shared by the HTML views of every domain: paging, safe redirects, form errors."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any
from urllib.parse import urlsplit

from flask import request
from flask_babel import gettext
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from .errors import DomainError

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_args(default_per_page: int = DEFAULT_PER_PAGE) -> tuple[int, int]:
    """``page`` and ``per_page`` from the query string, clamped to sane values (never an error)."""
    page = request.args.get("page", type=int) or 1
    per_page = request.args.get("per_page", type=int) or default_per_page
    return max(1, min(page, 100_000)), max(1, min(per_page, MAX_PER_PAGE))


def paginate(session: Session, stmt: Select, page: int, per_page: int, scalars: bool = True) -> Page:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = list(rows.scalars()) if scalars else list(rows)
    return Page(items=items, total=total, page=page, per_page=per_page)


def safe_next(target: str | None, default: str) -> str:
    """Only local paths are followed after sign-in or a language switch (no open redirect)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target


def error_message(error: DomainError) -> str:
    """The error's message in the user's language.

    Services raise English messages; one with ``msgid`` and ``params`` attributes (see
    ``app.accounts.services._error``) is translated before its values are filled in."""
    msgid = getattr(error, "msgid", None) or error.message
    params = getattr(error, "params", None) or {}
    return gettext(msgid, **params)


def apply_domain_error(form, error: DomainError) -> None:
    """Shows a service's error on the field it names, else at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    message = error_message(error)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*list(field.errors), message]
    else:
        form.form_errors.append(message)
