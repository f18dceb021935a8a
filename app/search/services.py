"""Knowledge-base rules: saving and publishing articles (with versions), importing, searching with
the visibility of the user's role, the search log, helpful votes, attachments and analytics.
Services get the session, the search backend and the clock passed in."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import markdown as md
import nh3
from flask import Flask, current_app
from markupsafe import Markup
from sqlalchemy import Select, case, event, func, select
from sqlalchemy.orm import Session

from ..accounts.models import Role, User
from ..clock import utcnow
from ..errors import InvalidInput, NotFound
from .analysis import analyze_terms, normalise
from .backend import SearchBackend, SearchFilters, SearchRequest, SearchResults, WhooshBackend
from .documents import SearchDocument, search_document, split_sections
from .models import (
    Article,
    ArticleKind,
    ArticleStatus,
    ArticleVersion,
    ArticleVote,
    Attachment,
    SearchLogEntry,
    Visibility,
)
from .records import ArticleInput, article_input, read_records

log = logging.getLogger(__name__)
EXTENSION_KEY = "isupport.search"

__all__ = [
    "analyze_terms",
    "article_text",
    "candidates",
    "get_backend",
    "search_articles",
    "visibilities_for",
    "visible_articles",
]

# --- who sees what ---------------------------------------------------------------------------------


def visibilities_for(user_or_role) -> frozenset[str]:
    """The visibilities a user (or a role name, or None for a visitor) may read."""
    if user_or_role is None:
        return frozenset({"public"})
    if isinstance(user_or_role, str | Role):
        role = user_or_role.value if isinstance(user_or_role, Role) else user_or_role
    elif not getattr(user_or_role, "is_authenticated", False) or not getattr(user_or_role, "is_active", True):
        return frozenset({"public"})
    else:
        role = user_or_role.role.value
    if role == "customer":
        return frozenset({"public", "customers"})
    if role in ("staff", "infocentre", "sysadmin"):
        return frozenset({"public", "customers", "internal"})
    return frozenset({"public"})


def role_name(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    return user.role.value


def visible_articles(session: Session, user_or_role) -> Select:
    """The published articles a user or role may read (a statement to refine or execute)."""
    allowed = [Visibility(v) for v in visibilities_for(user_or_role)]
    return select(Article).where(Article.status == ArticleStatus.PUBLISHED, Article.visibility.in_(allowed))


def get_visible_article(session: Session, slug: str, user_or_role) -> Article:
    article = session.scalar(visible_articles(session, user_or_role).where(Article.slug == slug))
    if article is None:
        raise NotFound("No such article.")
    return article


def article_text(article: Article) -> str:
    """The searchable text of an article: title, symptom, cause, action, body, tags, products."""
    return document_of(article).searchable_text()


# --- the backend of an app -------------------------------------------------------------------------


def _series_of(app: Flask):
    from ..catalog import load_catalog

    def series_of(code: str) -> str | None:
        series = load_catalog(app.extensions["isupport.settings"].content_dir).series_of(code)
        return series.code if series and series.code != code else None

    return series_of


def make_backend(app: Flask) -> WhooshBackend:
    from .analysis import init_analyser

    settings = app.extensions["isupport.settings"]
    synonyms = init_analyser(settings.content_dir / "dict", settings.instance_dir / "jieba")

    def loader() -> Iterable[SearchDocument]:
        from ..extensions import db

        return published_documents(db.session, _series_of(app))

    return WhooshBackend(settings.index_dir, synonyms, series_of=_series_of(app), loader=loader)


def get_backend(app: Flask | None = None) -> WhooshBackend:
    """The app's search backend (one per app, created on first use)."""
    app = app or current_app._get_current_object()
    backend = app.extensions.get(EXTENSION_KEY)
    if backend is None:
        backend = app.extensions[EXTENSION_KEY] = make_backend(app)
    return backend


def document_of(article: Article, series_of=None) -> SearchDocument:
    if series_of is None:
        try:
            series_of = _series_of(current_app._get_current_object())
        except RuntimeError:
            series_of = lambda code: None  # noqa: E731
    return search_document(article, series_of)


def published_documents(session: Session, series_of=None) -> Iterable[SearchDocument]:
    stmt = (
        select(Article)
        .where(Article.status == ArticleStatus.PUBLISHED)
        .order_by(Article.id)
        .execution_options(yield_per=500)
    )
    for article in session.scalars(stmt):
        yield document_of(article, series_of)


def reindex(session: Session, backend: WhooshBackend, procs: int = 1) -> int:
    """A full rebuild into a fresh directory, swapped in; edits saved meanwhile are applied after."""
    started = utcnow() - timedelta(seconds=1)
    count = backend.rebuild(published_documents(session, backend.series_of), procs=procs)
    late = list(session.scalars(select(Article).where(Article.updated_at >= started)))
    if late:
        backend.index(
            [document_of(a, backend.series_of) for a in late if a.status is ArticleStatus.PUBLISHED]
        )
        backend.remove([a.slug for a in late if a.status is not ArticleStatus.PUBLISHED])
    return count


# --- index after commit ----------------------------------------------------------------------------

_PENDING = "kb_index_pending"


@event.listens_for(Session, "after_flush")
def _collect_changes(session: Session, _context) -> None:
    pending = session.info.setdefault(_PENDING, {})
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Article):
            pending[obj.slug] = document_of(obj) if obj.status is ArticleStatus.PUBLISHED else None
    for obj in session.deleted:
        if isinstance(obj, Article):
            pending[obj.slug] = None


@event.listens_for(Session, "after_commit")
def _index_committed(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    try:
        backend = get_backend()
    except RuntimeError:  # no app: nothing to index into
        return
    if backend.current_dir() is None:
        return  # no index yet: it is built from the database (which has this change) on first use
    documents = [doc for doc in pending.values() if doc is not None]
    removed = [slug for slug, doc in pending.items() if doc is None]
    try:
        backend.remove(removed)
        backend.index(documents)
    except Exception:  # noqa: BLE001 - the database is the truth; a reindex repairs the index
        log.exception("indexing %d article(s) after commit failed", len(pending))


@event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop(_PENDING, None)


# --- saving ----------------------------------------------------------------------------------------


def _meta(article: Article) -> dict:
    return {
        "kind": article.kind.value,
        "visibility": article.visibility.value,
        "products": list(article.products or []),
        "refrigerants": list(article.refrigerants or []),
        "fault_codes": list(article.fault_codes or []),
        "tags": list(article.tags or []),
    }


def _add_version(session: Session, article: Article, author: User | None, note: str, now: datetime) -> None:
    article.version = (article.version or 0) + 1
    session.add(
        ArticleVersion(
            article_id=article.id,
            number=article.version,
            title=article.title,
            body=article.body,
            status=article.status,
            meta=_meta(article),
            note=note[:200],
            author_id=author.id if author else None,
            created_at=now,
        )
    )


def check_solution_sections(data: ArticleInput) -> None:
    if data.kind == "solution":
        sections = split_sections(data.body)
        missing = [
            name
            for name, text in (
                ("现象", sections.symptom),
                ("原因", sections.cause),
                ("处理", sections.action),
            )
            if not text.strip()
        ]
        if missing:
            raise InvalidInput(
                "A solution needs the sections ## 现象, ## 原因 and ## 处理 (missing: {}).".format(
                    ", ".join(missing)),
                field="body",
            )


def save_article(
    session: Session,
    data: ArticleInput,
    author: User | None,
    *,
    status: ArticleStatus | None = None,
    note: str = "",
    now: datetime | None = None,
    article: Article | None = None,
) -> tuple[Article, bool]:
    """Creates or updates (by slug) an article; adds a version when anything changed. (article, changed)"""
    now = now or utcnow()
    if article is None:
        article = session.scalar(select(Article).where(Article.slug == data.slug))
    created = article is None
    if created:
        article = Article(
            slug=data.slug,
            status=status or ArticleStatus.DRAFT,
            created_at=now,
            author_id=author.id if author else None,
            version=0,
        )
        session.add(article)
    before = None if created else (article.title, article.body, article.status, _meta(article))
    article.title = data.title
    article.body = data.body
    article.kind = ArticleKind(data.kind)
    article.visibility = Visibility(data.visibility)
    article.products = list(data.products)
    article.refrigerants = list(data.refrigerants)
    article.fault_codes = list(data.fault_codes)
    article.tags = list(data.tags)
    if status is not None:
        article.status = status
    if article.status is ArticleStatus.PUBLISHED and article.published_at is None:
        article.published_at = now
    changed = created or before != (article.title, article.body, article.status, _meta(article))
    if changed:
        article.updated_at = now
        session.flush()
        _add_version(session, article, author, note or ("created" if created else "edited"), now)
    return article, changed


def set_status(
    session: Session, article: Article, status: ArticleStatus, actor: User | None, now: datetime | None = None
) -> Article:
    now = now or utcnow()
    if article.status is status:
        return article
    article.status = status
    article.updated_at = now
    if status is ArticleStatus.PUBLISHED and article.published_at is None:
        article.published_at = now
    session.flush()
    _add_version(session, article, actor, status.value, now)
    return article


@dataclass
class ImportReport:
    imported: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)

    @property
    def read_any(self) -> bool:
        return bool(self.imported or self.rejected)


def import_articles(
    session: Session,
    path: Path,
    author: User | None = None,
    batch_size: int = 500,
    now: datetime | None = None,
) -> ImportReport:
    """Upserts the records of a JSONL file or Markdown folder by slug and publishes them; commits in
    batches (each batch reaches the index in one write). Bad records are reported, the rest imported."""
    report = ImportReport()
    seen: set[str] = set()
    pending = 0
    for record in read_records(path):
        if record.error:
            report.rejected.append((record.where, record.error))
            continue
        try:
            data = article_input(record.data)
        except InvalidInput as error:
            report.rejected.append((record.where, error.message))
            continue
        if data.slug in seen:
            report.rejected.append((record.where, f"duplicate slug {data.slug} in this import"))
            continue
        seen.add(data.slug)
        existing = session.scalar(select(Article).where(Article.slug == data.slug))
        _article, changed = save_article(
            session, data, author, status=ArticleStatus.PUBLISHED, note="imported", now=now, article=existing
        )
        report.imported += 1
        if existing is None:
            report.created += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
        pending += 1
        if pending >= batch_size:
            session.commit()
            pending = 0
    session.commit()
    return report


# --- searching -------------------------------------------------------------------------------------


def search_articles(
    session: Session,
    backend: SearchBackend,
    user_or_role,
    text: str,
    filters: SearchFilters | None = None,
    page: int = 1,
    per_page: int = 10,
    *,
    facets: bool = False,
    log_source: str | None = None,
    user: User | None = None,
) -> SearchResults:
    """Searches what the user's role may see; logs the search when ``log_source`` is given
    (``results.log_id`` then names the log row, for click-through)."""
    request = SearchRequest(
        text=text,
        visibilities=visibilities_for(user_or_role),
        filters=filters or SearchFilters(),
        page=page,
        per_page=per_page,
        facets=facets,
    )
    results = backend.search(request)
    results.log_id = None  # type: ignore[attr-defined]
    if log_source and text.strip() and not results.empty_query and page == 1:
        entry = SearchLogEntry(
            query=text.strip()[:500],
            normalised=" ".join(normalise(text).split())[:500],
            role=user_or_role if isinstance(user_or_role, str) else role_name(user_or_role),
            user_id=user.id if user is not None and getattr(user, "id", None) else None,
            source=log_source,
            result_count=results.total,
            created_at=utcnow(),
        )
        session.add(entry)
        session.commit()
        results.log_id = entry.id  # type: ignore[attr-defined]
    return results


def candidates(
    backend: SearchBackend, text: str, visibility_roles, limit: int = 50
) -> list[tuple[str, float]]:
    """Fast BM25 candidates (slug, score) for the deflection engine; ``visibility_roles`` is a user,
    a role name or a set of visibilities."""
    if isinstance(visibility_roles, set | frozenset | list | tuple):
        visibilities = frozenset(visibility_roles)
    else:
        visibilities = visibilities_for(visibility_roles)
    return backend.candidates(text, visibilities, limit)


def record_click(session: Session, log_id: int | None, slug: str, user) -> None:
    """Marks which result a search led to (the first click only; only the searcher's own log row)."""
    if not log_id:
        return
    entry = session.get(SearchLogEntry, log_id)
    if entry is None or entry.clicked_slug:
        return
    user_id = user.id if getattr(user, "is_authenticated", False) else None
    if entry.user_id != user_id:
        return
    entry.clicked_slug = slug
    session.commit()


def related_articles(
    backend: SearchBackend, article: Article, user_or_role, limit: int = 5
) -> list[tuple[str, str]]:
    """Articles near this one (its title and tags as the query)."""
    text = " ".join([article.title, *(article.tags or [])])
    results = backend.search(
        SearchRequest(
            text=text,
            visibilities=visibilities_for(user_or_role),
            per_page=limit + 1,
            snippets=False,
            suggest=False,
        )
    )
    return [(hit.slug, hit.title) for hit in results.hits if hit.slug != article.slug][:limit]


_ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "hr",
}


def render_markdown(body: str) -> Markup:
    """Markdown to HTML, sanitised by nh3 (links get rel=noopener noreferrer)."""
    html = md.markdown(body or "", extensions=["tables", "sane_lists"])
    return Markup(
        nh3.clean(
            html,
            tags=_ALLOWED_TAGS,
            attributes={"a": {"href", "title"}},
            url_schemes={"http", "https", "mailto"},
        )
    )


# --- votes -----------------------------------------------------------------------------------------


def vote(session: Session, article: Article, user: User, helpful: bool, comment: str = "") -> ArticleVote:
    """One vote per user per article: voting again replaces the earlier vote."""
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise InvalidInput("The comment may have at most 1,000 characters.", field="comment")
    existing = session.scalar(
        select(ArticleVote).where(ArticleVote.article_id == article.id, ArticleVote.user_id == user.id)
    )
    if existing is None:
        existing = ArticleVote(
            article_id=article.id, user_id=user.id, helpful=helpful, comment=comment, created_at=utcnow()
        )
        session.add(existing)
    else:
        existing.helpful = helpful
        existing.comment = comment or existing.comment
    session.flush()
    counts = dict(
        session.execute(
            select(ArticleVote.helpful, func.count())
            .where(ArticleVote.article_id == article.id)
            .group_by(ArticleVote.helpful)
        ).all()
    )
    # Counters only: no re-index (a vote is not an article change).
    session.execute(
        Article.__table__.update()
        .where(Article.id == article.id)
        .values(helpful_yes=counts.get(True, 0), helpful_no=counts.get(False, 0))
    )
    session.commit()
    session.refresh(article)
    return existing


def user_vote(session: Session, article: Article, user) -> ArticleVote | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return session.scalar(
        select(ArticleVote).where(ArticleVote.article_id == article.id, ArticleVote.user_id == user.id)
    )


# --- attachments -----------------------------------------------------------------------------------

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {  # extension -> (content type, magic bytes)
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}


def attachment_dir(instance_dir: Path) -> Path:
    return instance_dir / "attachments"


def save_attachment(
    session: Session, article: Article, filename: str, data: bytes, instance_dir: Path, user: User | None
) -> Attachment:
    """Checks and stores a document's file (PDF, PNG, JPEG up to 10 MB) under instance/attachments/."""
    if article.kind is not ArticleKind.DOCUMENT:
        raise InvalidInput("Only documents carry attachments.", field="file")
    name = Path((filename or "").replace("\\", "/")).name.strip()[:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise InvalidInput("Attach a PDF, PNG or JPEG file.", field="file")
    if not data:
        raise InvalidInput("The file is empty.", field="file")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise InvalidInput("The file is larger than 10 MB.", field="file")
    content_type, magics = ATTACHMENT_TYPES[extension]
    if not data.startswith(magics):
        raise InvalidInput("The file's content does not match its type.", field="file")
    stored = f"{secrets.token_hex(16)}.{extension}"
    folder = attachment_dir(instance_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / stored).write_bytes(data)
    attachment = Attachment(
        article_id=article.id,
        filename=name,
        stored_name=stored,
        content_type=content_type,
        size=len(data),
        uploaded_by_id=user.id if user else None,
        created_at=utcnow(),
    )
    session.add(attachment)
    session.commit()
    return attachment


def get_attachment(session: Session, article: Article, attachment_id: int) -> Attachment:
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.article_id != article.id:
        raise NotFound("No such attachment.")
    return attachment


# --- analytics -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Analytics:
    days: int
    searches: int
    zero_results: int
    clicks: int
    top_queries: list[tuple[str, int, int]]  # query, count, clicks
    zero_queries: list[tuple[str, int]]
    # searched, and no search of it led to an opened result: the results did not look like an answer
    unopened_queries: list[tuple[str, int]]
    per_day: list[tuple[str, int, int]]  # date, searches, zero-result searches
    helpful: list[tuple[str, str, int, int]]  # slug, title, yes, no

    @property
    def click_through(self) -> float:
        return self.clicks / self.searches if self.searches else 0.0

    def as_dict(self) -> dict:
        return asdict(self) | {"click_through": self.click_through}


def _every_day(first, last, rows) -> list[tuple[str, int, int]]:
    """(date, searches, zero-result searches) for each day from first to last, 0 where none."""
    counts = {str(d): (int(n), int(z or 0)) for d, n, z in rows}
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [(day.isoformat(), *counts.get(day.isoformat(), (0, 0))) for day in days]


def analytics(session: Session, days: int = 30, now: datetime | None = None) -> Analytics:
    now = now or utcnow()
    since = now - timedelta(days=days)
    base = select(SearchLogEntry).where(SearchLogEntry.created_at >= since)
    searches = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    zero = (
        session.scalar(
            select(func.count()).select_from(base.where(SearchLogEntry.result_count == 0).subquery())
        )
        or 0
    )
    clicks = (
        session.scalar(
            select(func.count()).select_from(base.where(SearchLogEntry.clicked_slug.is_not(None)).subquery())
        )
        or 0
    )
    clicked = func.count(SearchLogEntry.clicked_slug)
    top = session.execute(
        select(SearchLogEntry.normalised, func.count(), clicked)
        .where(SearchLogEntry.created_at >= since)
        .group_by(SearchLogEntry.normalised)
        .order_by(func.count().desc(), SearchLogEntry.normalised)
        .limit(20)
    ).all()
    zeros = session.execute(
        select(SearchLogEntry.normalised, func.count())
        .where(SearchLogEntry.created_at >= since, SearchLogEntry.result_count == 0)
        .group_by(SearchLogEntry.normalised)
        .order_by(func.count().desc(), SearchLogEntry.normalised)
        .limit(20)
    ).all()
    unopened = session.execute(
        select(SearchLogEntry.normalised, func.count())
        .where(SearchLogEntry.created_at >= since, SearchLogEntry.result_count > 0)
        .group_by(SearchLogEntry.normalised)
        .having(func.count(SearchLogEntry.clicked_slug) == 0)
        .order_by(func.count().desc(), SearchLogEntry.normalised)
        .limit(20)
    ).all()
    day = func.date(SearchLogEntry.created_at)
    per_day_rows = session.execute(
        select(day, func.count(), func.sum(case((SearchLogEntry.result_count == 0, 1), else_=0)))
        .where(SearchLogEntry.created_at >= since)
        .group_by(day)
        .order_by(day)
    ).all()
    helpful = session.execute(
        select(Article.slug, Article.title, Article.helpful_yes, Article.helpful_no)
        .where((Article.helpful_yes + Article.helpful_no) > 0)
        .order_by((Article.helpful_yes + Article.helpful_no).desc(), Article.slug)
        .limit(20)
    ).all()
    return Analytics(
        days=days,
        searches=searches,
        zero_results=zero,
        clicks=clicks,
        top_queries=[(q, n, c) for q, n, c in top],
        zero_queries=[(q, n) for q, n in zeros],
        unopened_queries=[(q, n) for q, n in unopened],
        per_day=_every_day(since.date(), now.date(), per_day_rows),
        helpful=[tuple(row) for row in helpful],
    )
