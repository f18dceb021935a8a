"""The deflection endpoints of the JSON API (CONTRACT.md): file a fault report and get suggestions,
then record the outcome. A customer reaches only their own account's reports (404 otherwise)."""

from __future__ import annotations

from datetime import date

from flask import jsonify
from pydantic import Field

from ..api.support import ApiModel, api_auth_required, api_blueprint, current_api_user, json_body
from ..catalog import catalog
from ..clock import utcnow
from ..extensions import db, limiter
from . import services
from .models import Channel, FaultReport
from .runtime import get_engine

bp = api_blueprint("deflect_api", __name__)


class DeflectionBody(ApiModel):
    # Lengths are checked by the service too; the bounds here stop a huge body before any work.
    description: str = Field(max_length=20_000)
    product_model: str | None = Field(default=None, max_length=100)
    serial_number: str | None = Field(default=None, max_length=100)
    production_date: date | None = None
    fault_code: str | None = Field(default=None, max_length=100)


class OutcomeBody(ApiModel):
    solved: bool
    slug: str | None = Field(default=None, max_length=200)
    # slug of a suggestion -> not_my_problem | did_not_work | unclear
    reasons: dict[str, str] | None = Field(default=None, max_length=20)


def suggestion_json(suggestion) -> dict:
    return {"slug": suggestion.slug, "title": suggestion.title, "kind": suggestion.kind,
            "snippet": suggestion.snippet, "score": suggestion.score,
            "rank": suggestion.rank, "why": suggestion.why}


def report_json(report: FaultReport) -> dict:
    suggestions = []
    for suggestion in report.suggestions:
        item = suggestion_json(suggestion)
        item["opened"] = suggestion.opened_at is not None
        item["reason"] = suggestion.reason.value if suggestion.reason else None
        suggestions.append(item)
    return {
        "id": report.id, "description": report.description, "product_model": report.product_model or None,
        "serial_number": report.serial_number or None,
        "production_date": report.production_date.isoformat() if report.production_date else None,
        "fault_code": report.fault_code or None, "outcome": report.outcome.value,
        "solved": report.outcome.value == "solved", "slug": report.solved_slug,
        "request_number": report.request_number,
        "created_at": report.created_at.isoformat() if report.created_at else None,
        "outcome_at": report.outcome_at.isoformat() if report.outcome_at else None,
        "suggestions": suggestions,
    }


@bp.post("/deflections")
@api_auth_required()
@limiter.limit("60 per minute")
def create_deflection():
    body = json_body(DeflectionBody)
    engine = get_engine()
    data = services.FaultDescription(
        description=body.description, product_model=body.product_model or "",
        serial_number=body.serial_number or "", production_date=body.production_date,
        fault_code=body.fault_code or "", channel=Channel.API)
    report = services.file_report(db.session, current_api_user(), data, engine, catalog(), utcnow)
    db.session.commit()
    return jsonify(report_json(report)), 201


@bp.get("/deflections/<int:report_id>")
@api_auth_required()
def get_deflection(report_id: int):
    report = services.get_report(db.session, current_api_user(), report_id)
    return jsonify(report_json(report))


@bp.post("/deflections/<int:report_id>/outcome")
@api_auth_required()
def record_outcome(report_id: int):
    user = current_api_user()
    body = json_body(OutcomeBody)
    report = services.get_own_report(db.session, user, report_id)
    reasons = {slug: services.parse_reason(value) for slug, value in (body.reasons or {}).items()}
    engine = get_engine()
    services.record_outcome(db.session, report, services.OutcomeAnswer(body.solved, body.slug, reasons),
                            engine, services.reader_kind(user), utcnow)
    db.session.commit()
    if body.solved:
        engine.store.refit_in_background()
    return jsonify(report_json(report))


def openapi_paths() -> dict:
    suggestion = {"type": "object", "properties": {
        "slug": {"type": "string"}, "title": {"type": "string"}, "kind": {"type": "string"},
        "snippet": {"type": "string", "description": "safe HTML, matches in <mark>"},
        "score": {"type": "number"}, "rank": {"type": "integer"},
        "why": {"type": "string",
                "description": "matched words, product:CODE, fault_code:CODE, solved_before"}}}
    report = {"type": "object", "properties": {
        "id": {"type": "integer"}, "outcome": {"type": "string", "enum": ["pending", "solved", "requested",
                                                                            "abandoned"]},
        "solved": {"type": "boolean"}, "slug": {"type": ["string", "null"]},
        "request_number": {"type": ["string", "null"]},
        "suggestions": {"type": "array", "items": suggestion}}}
    errors = {"400": {"description": "invalid input (empty, too long, only punctuation, unknown product)"},
              "401": {"description": "no or bad token"},
              "404": {"description": "no such report, or another account's"}}
    return {
        "/deflections": {"post": {
            "summary": "File a fault report; returns the top 5 knowledge-base suggestions",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["description"], "properties": {
                    "description": {"type": "string", "maxLength": 2000},
                    "product_model": {"type": "string",
                                      "description": "a model or series code of the catalogue"},
                    "serial_number": {"type": "string"},
                    "production_date": {"type": "string", "format": "date"},
                    "fault_code": {"type": "string"}}}}}},
            "responses": {"201": {"description": "the report with its suggestions",
                                  "content": {"application/json": {"schema": report}}}, **errors}}},
        "/deflections/{id}": {"get": {
            "summary": "A fault report with the suggestions shown and the outcome",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "the report",
                                  "content": {"application/json": {"schema": report}}},
                          **errors}}},
        "/deflections/{id}/outcome": {"post": {
            "summary": "Record whether a suggestion solved the problem (and which), or why none did",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["solved"], "properties": {
                    "solved": {"type": "boolean"}, "slug": {"type": "string"},
                    "reasons": {"type": "object", "additionalProperties": {
                        "type": "string", "enum": ["not_my_problem", "did_not_work", "unclear"]}}}}}}},
            "responses": {"200": {"description": "the recorded outcome",
                                  "content": {"application/json": {"schema": report}}},
                          "409": {"description": "a different outcome was recorded already"}, **errors}}},
    }
