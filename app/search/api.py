"""JSON API of the knowledge base: GET /api/v1/search and GET /api/v1/articles/<slug> (CONTRACT.md)."""

from __future__ import annotations

from flask import jsonify, request, url_for

from ..api.support import InvalidInput, api_auth_required, api_blueprint, current_api_user, page_params
from ..catalog import normalise_model_code
from ..extensions import db
from . import services
from .backend import KINDS, SearchFilters

bp = api_blueprint("search_api", __name__)
MAX_QUERY = 5000


def _query_text() -> str:
    text = request.args.get("q", "")
    if not text.strip():
        raise InvalidInput("q is required: the words to search for.", field="q", code="missing_query")
    if len(text) > MAX_QUERY:
        raise InvalidInput(f"q may have at most {MAX_QUERY} characters.", field="q", code="too_long")
    return text


def parse_filters(args) -> SearchFilters:
    kind = (args.get("kind") or "").strip() or None
    if kind and kind not in KINDS:
        raise InvalidInput("kind must be solution or document", field="kind")
    values = {}
    for name in ("product", "refrigerant", "fault_code"):
        value = (args.get(name) or "").strip()
        if len(value) > 40:
            raise InvalidInput(f"{name} is too long", field=name)
        values[name] = normalise_model_code(value) or None
    return SearchFilters(kind=kind, **values)


@bp.get("/search")
@api_auth_required()
def search():
    text = _query_text()
    filters = parse_filters(request.args)
    page, per_page = page_params()
    user = current_api_user()
    results = services.search_articles(
        db.session, services.get_backend(), user, text, filters, page, per_page, log_source="api", user=user
    )
    return jsonify(
        {
            "total": results.total,
            "page": page,
            "per_page": per_page,
            "results": [
                {
                    "slug": h.slug,
                    "title": h.title,
                    "kind": h.kind,
                    "snippet": str(h.snippet),
                    "score": h.score,
                }
                for h in results.hits
            ],
            "suggestion": results.suggestion,
        }
    )


@bp.get("/articles/<slug>")
@api_auth_required()
def article(slug: str):
    item = services.get_visible_article(db.session, slug[:120], current_api_user())
    return jsonify(
        {
            "slug": item.slug,
            "title": item.title,
            "kind": item.kind.value,
            "visibility": item.visibility.value,
            "status": item.status.value,
            "products": item.products or [],
            "refrigerants": item.refrigerants or [],
            "fault_codes": item.fault_codes or [],
            "tags": item.tags or [],
            "html": str(services.render_markdown(item.body)),
            "body": item.body,
            "version": item.version,
            "updated_at": item.updated_at.isoformat() if item.updated_at else None,
            "helpful": {"yes": item.helpful_yes, "no": item.helpful_no},
            "url": url_for("search.article", slug=item.slug, _external=False),
            "attachments": [
                {
                    "id": a.id,
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "size": a.size,
                    "url": url_for("search.attachment", slug=item.slug, attachment_id=a.id),
                }
                for a in item.attachments
            ],
        }
    )


def openapi_paths() -> dict[str, dict]:
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "/search": {
            "get": {
                "summary": "Search the knowledge base (what the caller's role may read)",
                "parameters": [
                    {
                        "name": "q",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "maxLength": MAX_QUERY},
                        "description": 'free text; "double quotes" for a phrase',
                    },
                    {"name": "kind", "in": "query", "schema": {"type": "string", "enum": list(KINDS)}},
                    {
                        "name": "product",
                        "in": "query",
                        "schema": {"type": "string"},
                        "description": "a model code (e.g. SHV33YC) or series (SG, SH, INV)",
                    },
                    {"name": "refrigerant", "in": "query", "schema": {"type": "string"}},
                    {"name": "fault_code", "in": "query", "schema": {"type": "string"}},
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    {
                        "name": "per_page",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "{total, page, per_page, "
                        "results: [{slug, title, kind, snippet, score}], "
                        "suggestion}"
                    },
                    "400": {"description": "missing or invalid parameter", **error},
                    "401": {"description": "no or invalid token", **error},
                },
            }
        },
        "/articles/{slug}": {
            "get": {
                "summary": "One published article the caller may read, with its body rendered as HTML",
                "parameters": [
                    {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {"description": "the article"},
                    "404": {"description": "no such article", **error},
                    "401": {"description": "no or invalid token", **error},
                },
            }
        },
    }
