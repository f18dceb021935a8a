"""Pages of the knowledge base: search, article (with "was this helpful?"), attachments, title
suggestions, and the information centre's article management and search analytics."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from ..accounts.access import ADMIN_ROLES, roles_required
from ..errors import DomainError, InvalidInput, NotFound
from ..extensions import db, talisman
from ..web import apply_domain_error, page_args, paginate
from . import services
from .api import parse_filters
from .charts import searches_chart
from .forms import SOLUTION_TEMPLATE, ArticleForm, ConfirmForm, UploadForm, VoteForm
from .models import Article, ArticleStatus, ArticleVersion
from .records import article_input

bp = Blueprint(
    "search",
    __name__,
    url_prefix="/kb",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
MAX_QUERY = 5000


def _viewer():
    return current_user if current_user.is_authenticated else None


@bp.get("/")
def search():
    text = request.args.get("q", "")
    page, per_page = page_args(default_per_page=10)
    message = None
    results = None
    try:
        filters = parse_filters(request.args)
    except InvalidInput:
        filters = services.SearchFilters()
        message = _("An unknown filter was ignored.")
    if len(text) > MAX_QUERY:
        message = _("Your text was shortened to its first %(n)s characters.", n=MAX_QUERY)
        text = text[:MAX_QUERY]
    if text.strip():
        viewer = _viewer()
        results = services.search_articles(
            db.session,
            services.get_backend(),
            viewer,
            text,
            filters,
            page,
            per_page,
            facets=True,
            log_source="web",
            user=viewer,
        )
        if results.empty_query:
            message = _(
                "Your search has no words we can look for. Describe the fault in a few words, "
                "e.g. 压缩机启动不了."
            )
    pager = services_page(results, page, per_page)
    return render_template(
        "search/search.html", q=text, results=results, pager=pager, filters=filters, message=message
    )


def services_page(results, page, per_page):
    from ..web import Page

    return Page(
        items=results.hits if results else [],
        total=results.total if results else 0,
        page=page,
        per_page=per_page,
    )


@bp.get("/suggest")
def suggest():
    text = request.args.get("q", "")[:100]
    items = services.get_backend().suggest_titles(text, services.visibilities_for(_viewer()), limit=8)
    return jsonify(
        {
            "suggestions": [
                {"slug": slug, "title": title, "url": url_for("search.article", slug=slug)}
                for slug, title in items
            ]
        }
    )


@bp.get("/articles/<slug>")
def article(slug: str):
    viewer = _viewer()
    item = services.get_visible_article(db.session, slug[:120], viewer)
    services.record_click(db.session, request.args.get("sid", type=int), item.slug, current_user)
    related = services.related_articles(services.get_backend(), item, viewer)
    return render_template(
        "search/article.html",
        article=item,
        html=services.render_markdown(item.body),
        related=related,
        form=VoteForm(),
        vote=services.user_vote(db.session, item, current_user),
    )


@bp.post("/articles/<slug>/vote")
@login_required
def vote(slug: str):
    item = services.get_visible_article(db.session, slug[:120], current_user)
    form = VoteForm()
    if not form.validate_on_submit() or not (form.yes.data or form.no.data):
        flash(_("Your vote could not be recorded; please try again."), "danger")
        return redirect(url_for("search.article", slug=item.slug))
    services.vote(
        db.session, item, current_user, helpful=bool(form.yes.data), comment=form.comment.data or ""
    )
    flash(_("Thank you for your feedback."), "success")
    return redirect(url_for("search.article", slug=item.slug))


@bp.get("/articles/<slug>/files/<int:attachment_id>")
def attachment(slug: str, attachment_id: int):
    item = services.get_visible_article(db.session, slug[:120], _viewer())
    file = services.get_attachment(db.session, item, attachment_id)
    path = services.attachment_dir(_instance_dir()) / file.stored_name
    if not path.exists():
        raise NotFound("The file is missing.")
    response = send_file(
        path,
        mimetype=file.content_type,
        as_attachment=file.content_type == "application/pdf",
        download_name=file.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _instance_dir():
    from flask import current_app

    return current_app.extensions["isupport.settings"].instance_dir


# --- information centre ----------------------------------------------------------------------------

STATUS_CHOICES = ("draft", "published", "archived")


@bp.get("/manage")
@roles_required(*ADMIN_ROLES)
def manage():
    status = request.args.get("status", "")
    text = request.args.get("q", "").strip()[:100]
    stmt = select(Article).order_by(Article.updated_at.desc(), Article.id.desc())
    if status in STATUS_CHOICES:
        stmt = stmt.where(Article.status == ArticleStatus(status))
    if text:
        like = f"%{text}%"
        stmt = stmt.where(or_(Article.title.ilike(like), Article.slug.ilike(like)))
    page = paginate(db.session, stmt, *page_args())
    return render_template(
        "search/manage.html", page=page, status=status, q=text, statuses=STATUS_CHOICES, confirm=ConfirmForm()
    )


def _form_input(form: ArticleForm, slug: str):
    return article_input(
        {
            "slug": slug,
            "title": form.title.data,
            "body": form.body.data,
            "kind": form.kind.data,
            "visibility": form.visibility.data,
            "products": form.products.data or "",
            "refrigerants": form.refrigerants.data or "",
            "fault_codes": form.fault_codes.data or "",
            "tags": form.tags.data or "",
        }
    )


def _save(form: ArticleForm, item: Article | None):
    slug = item.slug if item else form.slug.data
    try:
        data = _form_input(form, slug)
        services.check_solution_sections(data)
        if item is None and db.session.scalar(select(Article.id).where(Article.slug == slug)):
            raise InvalidInput(_("An article with this slug exists already."), field="slug")
        status = ArticleStatus.PUBLISHED if form.publish.data else None
        saved, changed = services.save_article(
            db.session, data, current_user, status=status, note=form.note.data or "", article=item
        )
        db.session.commit()  # the index is updated after this commit: searchable at once
    except DomainError as error:
        db.session.rollback()
        apply_domain_error(form, error)
        return None
    flash(_("Saved.") if changed else _("No changes to save."), "success")
    return redirect(url_for("search.edit", slug=saved.slug))


@bp.route("/manage/new", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def new():
    form = ArticleForm()
    if request.method == "GET":
        form.body.data = SOLUTION_TEMPLATE
    if form.validate_on_submit():
        response = _save(form, None)
        if response:
            return response
    return render_template("search/edit.html", form=form, article=None), (
        400 if form.errors or form.form_errors else 200
    )


def _managed(slug: str) -> Article:
    item = db.session.scalar(select(Article).where(Article.slug == slug[:120]))
    if item is None:
        abort(404)
    return item


@bp.route("/manage/<slug>/edit", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def edit(slug: str):
    item = _managed(slug)
    form = ArticleForm(obj=None if request.method == "POST" else item)
    if request.method == "GET":
        form.kind.data, form.visibility.data = item.kind.value, item.visibility.value
        for name in ("products", "refrigerants", "fault_codes", "tags"):
            getattr(form, name).data = ", ".join(getattr(item, name) or [])
    form.slug.data = item.slug
    if form.validate_on_submit():
        response = _save(form, item)
        if response:
            return response
    return render_template(
        "search/edit.html", form=form, article=item, upload=UploadForm(), confirm=ConfirmForm()
    ), (400 if form.errors or form.form_errors else 200)


@bp.post("/manage/<slug>/status/<status>")
@roles_required(*ADMIN_ROLES)
def change_status(slug: str, status: str):
    item = _managed(slug)
    if status not in STATUS_CHOICES or not ConfirmForm().validate_on_submit():
        abort(400)
    if status == "published":
        try:
            services.check_solution_sections(
                article_input(
                    {"slug": item.slug, "title": item.title, "body": item.body, "kind": item.kind.value}
                )
            )
        except DomainError as error:
            flash(error.message, "danger")
            return redirect(url_for("search.edit", slug=item.slug))
    services.set_status(db.session, item, ArticleStatus(status), current_user)
    db.session.commit()
    flash(
        {"published": _("Published."), "archived": _("Archived."), "draft": _("Moved back to drafts.")}[
            status
        ],
        "success",
    )
    return redirect(
        request.referrer
        if request.referrer and "/kb/manage" in request.referrer
        else url_for("search.manage")
    )


@bp.get("/manage/<slug>/versions")
@roles_required(*ADMIN_ROLES)
def versions(slug: str):
    item = _managed(slug)
    rows = db.session.scalars(
        select(ArticleVersion)
        .where(ArticleVersion.article_id == item.id)
        .order_by(ArticleVersion.number.desc())
    ).all()
    shown = request.args.get("v", type=int)
    selected = next((v for v in rows if v.number == shown), None)
    return render_template(
        "search/versions.html",
        article=item,
        versions=rows,
        selected=selected,
        html=services.render_markdown(selected.body) if selected else None,
    )


@bp.post("/manage/<slug>/attachments")
@roles_required(*ADMIN_ROLES)
def upload(slug: str):
    item = _managed(slug)
    form = UploadForm()
    if not form.validate_on_submit():
        flash(_("Choose a file to upload."), "danger")
    else:
        file = form.file.data
        try:
            services.save_attachment(
                db.session,
                item,
                file.filename or "",
                file.read(services.MAX_ATTACHMENT_BYTES + 1),
                _instance_dir(),
                current_user,
            )
            flash(_("The file was attached."), "success")
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
    return redirect(url_for("search.edit", slug=item.slug))


@bp.get("/analytics")
@roles_required(*ADMIN_ROLES)
def analytics():
    days = request.args.get("days", type=int) or 30
    days = max(1, min(days, 365))
    data = services.analytics(db.session, days)
    return render_template("search/analytics.html", data=data, days=days)


@bp.get("/analytics/chart.svg")
@roles_required(*ADMIN_ROLES)
@talisman(content_security_policy={"default-src": "'none'", "style-src": "'unsafe-inline'"})
def analytics_chart():
    days = max(1, min(request.args.get("days", type=int) or 30, 365))
    data = services.analytics(db.session, days)
    return Response(
        searches_chart(data, _("Searches"), _("No results")),
        mimetype="image/svg+xml",
        headers={"Cache-Control": "private, no-store"},
    )
