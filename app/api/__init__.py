"""The JSON API under /api/v1: tokens, JSON errors for every failure, and the OpenAPI document."""

from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from ..errors import DomainError
from ..extensions import db, limiter
from ..registry import registry
from .support import ApiModel, api_blueprint, error_response, json_body

bp = api_blueprint("api", __name__)


class TokenRequest(ApiModel):
    email: str
    password: str


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
                    "properties": {"error": {"type": "object", "properties": {
                        "code": {"type": "string"}, "message": {"type": "string"}}}},
                },
            },
        },
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
    }


TOKEN_PATHS = {
    "/tokens": {"post": {
        "summary": "Exchange e-mail and password for a bearer token",
        "security": [],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["email", "password"],
            "properties": {"email": {"type": "string"}, "password": {"type": "string"}}}}}},
        "responses": {"201": {"description": "{token, role}"}, "401": {"description": "wrong credentials"}},
    }},
    "/openapi.json": {"get": {"summary": "This document", "security": [],
                              "responses": {"200": {"description": "OpenAPI 3.1"}}}},
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

        return render_error(error.status, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if _is_api_request():
            code = (error.name or "error").lower().replace(" ", "_")
            return error_response(error.code or 400, code, error.description or error.name)
        from ..portal.views import render_error

        return render_error(error.code or 500, None)

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        if _is_api_request():
            return error_response(500, "server_error", "Something went wrong on our side.")
        from ..portal.views import render_error

        return render_error(500, None)
