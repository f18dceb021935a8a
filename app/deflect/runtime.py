"""Wiring of the suggestion engine into a running app: the published articles and solved reports
from the database, BM25 candidates from the search domain's backend, the model store beside the
index (``<index dir>/_deflect``), one engine per app."""

from __future__ import annotations

from urllib.parse import quote

from flask import Flask, current_app, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..catalog import load_catalog
from ..extensions import db
from ..registry import Suggestion
from .engine import HybridEngine
from .models import FaultReport, Outcome
from .services import learned_texts
from .similarity import ArticleText, LearnedText
from .store import ModelStore
from .text import normalise

EXTENSION_KEY = "isupport.deflect.engine"


def article_text_of(document) -> ArticleText:
    """The model's view of the search domain's SearchDocument."""
    return ArticleText(
        slug=document.slug, title=document.title, kind=document.kind, visibility=document.visibility,
        symptom=document.symptom, cause=document.cause, action=document.action, body=document.body,
        products=tuple(document.products), fault_codes=tuple(document.fault_codes), tags=tuple(document.tags),
    )


def load_source(session: Session, series_of) -> tuple[list[ArticleText], list[LearnedText]]:
    from ..search.services import published_documents

    articles = [article_text_of(d) for d in published_documents(session, series_of)]
    learned = [LearnedText(slug, text) for slug, text in learned_texts(session)]
    return articles, learned


def source_stamp(session: Session) -> str:
    """Cheap: changes whenever a published article or a solved report changes."""
    from ..search.models import Article, ArticleStatus

    articles = session.execute(
        select(func.count(Article.id), func.max(Article.updated_at),
               func.coalesce(func.sum(Article.version), 0))
        .where(Article.status == ArticleStatus.PUBLISHED)).one()
    solved = session.execute(
        select(func.count(FaultReport.id), func.max(FaultReport.id))
        .where(FaultReport.outcome == Outcome.SOLVED, FaultReport.solved_slug.is_not(None))).one()
    return f"{tuple(articles)}|{tuple(solved)}"


def make_engine(app: Flask) -> HybridEngine:
    from ..search import services as search_services

    settings = app.extensions["isupport.settings"]
    backend = search_services.get_backend(app)

    def source():
        with app.app_context():
            try:
                return load_source(db.session, backend.series_of)
            finally:
                db.session.remove()

    def stamp() -> str:
        # Runs in the request's session when called from get(); in the refit thread in its own.
        return source_stamp(db.session)

    store = ModelStore(settings.index_dir / "_deflect", source, stamp,
                       check_seconds=0.0 if settings.testing else 2.0, background=not settings.testing)

    def bm25(text, visibilities, limit):
        return search_services.candidates(backend, text, set(visibilities), limit)

    def expand(text: str) -> str:
        found, _rest = backend.synonyms.spans(normalise(text))
        groups = [item[0] if item and isinstance(item[0], tuple) else item for item in found]
        return " ".join([text, *(word for group in groups for word in group)]) if groups else text

    def article_url(slug: str) -> str:
        try:
            return url_for("search.article", slug=slug)
        except RuntimeError:  # outside a request (CLI, demo loader): the path is enough
            return f"/kb/articles/{quote(slug)}"

    return HybridEngine(store=store, bm25=bm25, catalog=load_catalog(settings.content_dir),
                        url_for_article=article_url, expand=expand)


def get_engine(app: Flask | None = None) -> HybridEngine:
    app = app or current_app._get_current_object()
    engine = app.extensions.get(EXTENSION_KEY)
    if engine is None:
        engine = app.extensions[EXTENSION_KEY] = make_engine(app)
    return engine


def registry_suggest(session: Session, user, description: str, product_model: str = "",
                     limit: int = 5) -> list[Suggestion]:
    """``registry(app).suggest``: what a customer would be shown, e.g. for staff taking a call."""
    from .services import suggest

    engine = get_engine()
    hits = suggest(engine, user, description, product_model, catalog=engine.catalog, limit=limit,
                   reader="customer")
    return [Suggestion(slug=h.slug, title=h.title, kind=h.kind, snippet=h.snippet, score=h.score, url=h.url)
            for h in hits]


def startup(app: Flask) -> None:
    """At server start: the similarity model loaded from disk, or fitted once."""
    with app.app_context():
        get_engine(app).store.get()
        db.session.remove()
