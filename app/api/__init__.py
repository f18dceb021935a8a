"""The JSON API under /api/v1: tokens, JSON errors for every failure, and the OpenAPI document."""

from __future__ import annotations

from flask import Flask, jsonify, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from pydantic import Field
from werkzeug.exceptions import HTTPException

from ..errors import DomainError
from ..extensions import db, limiter
from ..registry import registry
from ..web import error_message
from .support import ApiModel, api_auth_required, api_blueprint, current_api_user, error_response, json_body

bp = api_blueprint("api", __name__)


class TokenRequest(ApiModel):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=128)


@bp.post("/tokens")
@limiter.limit("20 per minute")
def create_token():
    from ..accounts import services

    body = json_body(TokenRequest)
    try:
        user = services.authenticate(db.session, body.email, body.password)
    except DomainError as error:
        db.session.commit()
        return error_response(401, error.code, error.message)
    token = services.issue_token(db.session, user)
    db.session.commit()
    return jsonify({"token": token, "role": user.role.value}), 201


@bp.get("/me")
@api_auth_required()
def me():
    """Who the token belongs to: clients check a token with it."""
    user = current_api_user()
    return jsonify(
        {
            "email": user.email,
            "name": user.name,
            "role": user.role.value,
            "account": {"code": user.account.code, "name": user.account.name} if user.account else None,
            "unit": user.unit.code if user.unit else None,
            "language": user.language,
        }
    )


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(registry().openapi_paths))


def openapi_document(paths: dict[str, dict]) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "iSupport portal API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                        }
                    },
                },
            },
        },
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
    }


TOKEN_PATHS = {
    "/tokens": {
        "post": {
            "summary": "Exchange e-mail and password for a bearer token",
            "security": [],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["email", "password"],
                            "additionalProperties": False,
                            "properties": {
                                "email": {"type": "string", "maxLength": 254},
                                "password": {"type": "string", "maxLength": 128},
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": {"description": "{token, role}"},
                "401": {"description": "wrong credentials"},
            },
        }
    },
    "/me": {
        "get": {
            "summary": "The user the bearer token belongs to",
            "responses": {
                "200": {"description": "{email, name, role, account: {code, name} | null, unit, language}"},
                "401": {"description": "missing, invalid or revoked token, or the user is not active"},
            },
        }
    },
    "/openapi.json": {
        "get": {
            "summary": "This document",
            "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1"}},
        }
    },
}


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    registry(app).openapi_paths.update(TOKEN_PATHS)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        if _is_api_request():
            return error_response(error.status, error.code, error.message)
        from ..portal.views import render_error

        return render_error(error.status, error_message(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if _is_api_request():
            code = (error.name or "error").lower().replace(" ", "_")
            return error_response(error.code or 400, code, error.description or error.name)
        from ..portal.views import render_error

        if isinstance(error, CSRFError):
            return render_error(
                400,
                gettext(
                    "The form was sent without a valid security token. "
                    "Go back, reload the page and try again."
                ),
            )
        return render_error(error.code or 500, None)

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        if _is_api_request():
            return error_response(500, "server_error", "Something went wrong on our side.")
        from ..portal.views import render_error

        return render_error(500, None)
