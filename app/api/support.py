"""What every JSON endpoint shares: bearer-token auth, body validation, paging and errors.

Errors are always ``{"error": {"code", "message"}}`` with a 4xx status (see CONTRACT.md)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, g, jsonify, request
from pydantic import BaseModel, ConfigDict, ValidationError

from ..accounts import services as account_services
from ..accounts.models import Role, User
from ..errors import DomainError, InvalidInput, NotFound, PermissionDenied
from ..extensions import csrf, db
from ..web import MAX_PER_PAGE, Page

M = TypeVar("M", bound=BaseModel)


def api_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint under /api/v1: token-authenticated, so CSRF (a cookie attack) does not apply."""
    bp = Blueprint(name, import_name, url_prefix="/api/v1")
    csrf.exempt(bp)
    return bp


class ApiModel(BaseModel):
    """Request bodies: unknown fields are refused, strings are stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def error_response(status: int, code: str, message: str):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def json_body(model: type[M]) -> M:
    """The request's JSON parsed into ``model``; malformed or invalid input raises InvalidInput."""
    if not request.is_json:
        raise InvalidInput("Send a JSON body with Content-Type: application/json.", code="bad_json")
    data = request.get_json(silent=True)
    if data is None:
        raise InvalidInput("The request body is not valid JSON.", code="bad_json")
    if not isinstance(data, dict):
        raise InvalidInput("The request body must be a JSON object.", code="bad_json")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        raise InvalidInput(
            f"{where}: {first.get('msg', 'invalid value')}", code="invalid", field=where
        ) from None


def current_api_user() -> User:
    return g.api_user


def api_auth_required(*roles: Role) -> Callable:
    """Requires ``Authorization: Bearer TOKEN`` of an active user (and one of ``roles`` if given)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return error_response(
                    401, "unauthorized", "Send Authorization: Bearer TOKEN (POST /api/v1/tokens)."
                )
            user = account_services.user_for_token(db.session, token.strip())
            if user is None:
                return error_response(
                    401, "unauthorized", "The token is invalid, revoked or its user is not active."
                )
            db.session.commit()  # last_used_at
            if roles and not user.has_role(*roles):
                return error_response(403, "forbidden", "Your role may not use this endpoint.")
            g.api_user = user
            return view(*args, **kwargs)

        return wrapped

    return decorator


def page_params() -> tuple[int, int]:
    """``page`` and ``per_page`` (max 100) from the query string; bad values are a 400."""

    def number(name: str, default: int, low: int, high: int) -> int:
        raw = request.args.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise InvalidInput(f"{name} must be a whole number", field=name) from None
        if not low <= value <= high:
            raise InvalidInput(f"{name} must be between {low} and {high}", field=name)
        return value

    return number("page", 1, 1, 1_000_000), number("per_page", 20, 1, MAX_PER_PAGE)


def page_json(page: Page, serialise: Callable[[Any], dict]) -> dict:
    return {
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "items": [serialise(item) for item in page.items],
    }


__all__ = [
    "ApiModel",
    "DomainError",
    "InvalidInput",
    "NotFound",
    "PermissionDenied",
    "api_auth_required",
    "api_blueprint",
    "current_api_user",
    "error_response",
    "json_body",
    "page_json",
    "page_params",
]
