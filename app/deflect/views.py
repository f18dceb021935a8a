"""Pages of the fault report: describe, see suggestions, say solved or still need help (-> a
pre-filled service request), plus the customer's list of reports and the content-gaps list."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts.access import ADMIN_ROLES, roles_required
from ..catalog import catalog
from ..clock import utcnow
from ..errors import DomainError
from ..extensions import db, limiter
from ..web import apply_domain_error, page_args, paginate
from . import services
from .forms import FaultReportForm, RequestFromReportForm, SolvedForm, still_need_help_form
from .models import FaultReport, Outcome
from .runtime import get_engine

bp = Blueprint("deflect", __name__, url_prefix="/faults", template_folder="templates",
               static_folder="static", static_url_path="/faults-static")

OUTCOME_TONES = {"pending": "secondary", "solved": "success", "requested": "primary", "abandoned": "warning"}


def _product_choices() -> list[str]:
    """Models for the product box: the account's earlier reports first, then the catalogue."""
    mine: list[str] = []
    if current_user.is_customer and current_user.account_id:
        mine = list(db.session.scalars(
            select(FaultReport.product_model).where(FaultReport.account_id == current_user.account_id,
                                                    FaultReport.product_model != "")
            .group_by(FaultReport.product_model).limit(20)))
    return list(dict.fromkeys([*mine, *sorted(catalog().models)]))


def _description_of(form: FaultReportForm) -> services.FaultDescription:
    return services.FaultDescription(
        description=form.description.data or "", product_model=form.product_model.data or "",
        serial_number=form.serial_number.data or "", production_date=form.production_date.data,
        fault_code=form.fault_code.data or "")


@bp.route("/new", methods=["GET", "POST"])
@login_required
@limiter.limit("30 per minute", methods=["POST"])
def new():
    form = FaultReportForm()
    if request.method == "GET":
        form.product_model.data = request.args.get("product_model", "")[:40]
        form.description.data = request.args.get("description", "")[:services.MAX_DESCRIPTION]
    if form.validate_on_submit():
        data = _description_of(form)
        data = _fill_from_ledger(data)
        try:
            report = services.file_report(db.session, current_user, data, get_engine(), catalog(), utcnow)
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            return redirect(url_for("deflect.show", report_id=report.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("deflect/new.html", form=form, products=_product_choices()), status


def _fill_from_ledger(data: services.FaultDescription) -> services.FaultDescription:
    """A serial number the ledger knows fills in the model and production date left empty."""
    from ..registry import registry

    lookup = registry().unit_lookup
    if not (lookup and data.serial_number and current_user.is_customer and current_user.account_id):
        return data
    unit = lookup(db.session, current_user.account_id, data.serial_number.strip())
    if unit is None:
        return data
    return services.FaultDescription(
        description=data.description, product_model=data.product_model or unit.product_model,
        serial_number=data.serial_number, production_date=data.production_date or unit.production_date,
        fault_code=data.fault_code, channel=data.channel)


@bp.get("/suggest.json")
@login_required
@limiter.limit("120 per minute")
def suggest_json():
    """Suggestions while typing (the page's debounced call). Nothing is recorded."""
    engine = get_engine()
    hits = services.suggest(engine, current_user, request.args.get("description", ""),
                            request.args.get("product_model", ""), request.args.get("fault_code", "")[:16],
                            catalog=engine.catalog)
    return jsonify({"suggestions": [_hit_json(hit) for hit in hits]})


def _hit_json(hit: services.SuggestionHit) -> dict:
    return {"slug": hit.slug, "title": hit.title, "kind": hit.kind, "kind_label": _kind_label(hit.kind),
            "snippet": hit.snippet, "score": hit.score, "why": explain(hit.why), "url": hit.url}


def _kind_label(kind: str) -> str:
    return _("Troubleshooting solution") if kind == "solution" else _("Document")


def explain(why) -> str:
    """The "why it matches" line: matched words, then product, fault code, earlier solved reports."""
    if isinstance(why, str):
        why = [part.strip() for part in why.split(",") if part.strip()]
    words = [w for w in why if ":" not in w and w != "solved_before"]
    parts = []
    if words:
        parts.append(_("matches: %(words)s", words="、".join(words[:5])))
    for item in why:
        if item.startswith("product:"):
            parts.append(_("written for %(code)s", code=item.split(":", 1)[1]))
        elif item.startswith("fault_code:"):
            parts.append(_("covers fault code %(code)s", code=item.split(":", 1)[1]))
        elif item == "solved_before":
            parts.append(_("solved similar reports before"))
    return "; ".join(parts)


@bp.get("/")
@login_required
def index():
    page, per_page = page_args()
    stmt = services.reports_visible_to(current_user).order_by(FaultReport.id.desc())
    outcome = request.args.get("outcome", "")
    if outcome in {o.value for o in Outcome}:
        stmt = stmt.where(FaultReport.outcome == Outcome(outcome))
    reports = paginate(db.session, stmt, page, per_page)
    return render_template("deflect/index.html", page=reports, outcome=outcome, tones=OUTCOME_TONES,
                           outcome_label=outcome_label,
                           outcomes=[(o.value, outcome_label(o)) for o in Outcome])


def outcome_label(outcome: Outcome) -> str:
    return {
        Outcome.PENDING: _("Waiting for your answer"),
        Outcome.SOLVED: _("Solved by an article"),
        Outcome.REQUESTED: _("Went on to a service request"),
        Outcome.ABANDONED: _("Not solved"),
    }[outcome]


def _report_or_404(report_id: int) -> FaultReport:
    return services.get_report(db.session, current_user, report_id)


@bp.get("/<int:report_id>")
@login_required
def show(report_id: int):
    report = _report_or_404(report_id)
    can_answer = report.outcome is Outcome.PENDING and _may_act(report)
    # Suggestions there are, but none like the description: say so rather than let the list look
    # like an answer (the ranking still shows the closest; the customer may still find one).
    loose = bool(report.suggestions) and not services.has_close_suggestion(report)
    return render_template(
        "deflect/report.html", report=report, can_answer=can_answer, loose=loose, solved_form=SolvedForm(),
        help_form=still_need_help_form(report.suggestions), explain=explain, kind_label=_kind_label,
        outcome_label=outcome_label, tones=OUTCOME_TONES)


def _may_act(report: FaultReport) -> bool:
    return (current_user.is_customer and report.account_id == current_user.account_id) or \
        report.user_id == current_user.id


def _own_report_or_404(report_id: int) -> FaultReport:
    report = _report_or_404(report_id)
    if not _may_act(report):
        abort(404)
    return report


@bp.get("/<int:report_id>/open/<slug>")
@login_required
def open_article(report_id: int, slug: str):
    report = _report_or_404(report_id)
    suggestion = report.suggestion(slug)
    if suggestion is None:
        abort(404)
    if _may_act(report):
        services.mark_opened(db.session, report, slug, utcnow)
        db.session.commit()
    return redirect(url_for("search.article", slug=slug))


@bp.post("/<int:report_id>/solved")
@login_required
def solved(report_id: int):
    report = _own_report_or_404(report_id)
    form = SolvedForm()
    if not form.validate_on_submit():
        flash(_("Choose the article that solved your problem."), "danger")
        return redirect(url_for("deflect.show", report_id=report.id))
    engine = get_engine()
    try:
        services.record_outcome(db.session, report, services.OutcomeAnswer(True, form.slug.data), engine,
                                services.reader_kind(current_user), utcnow)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("deflect.show", report_id=report.id))
    db.session.commit()
    engine.store.refit_in_background()  # the next customer who words it so finds this article
    flash(_("Thank you: we have recorded that this article solved your problem."), "success")
    return redirect(url_for("deflect.show", report_id=report.id))


@bp.post("/<int:report_id>/help")
@login_required
def still_need_help(report_id: int):
    report = _own_report_or_404(report_id)
    form = still_need_help_form(report.suggestions, formdata=request.form)
    if not form.validate_on_submit():
        flash(_("Please check your answers."), "danger")
        return redirect(url_for("deflect.show", report_id=report.id))
    reasons = {}
    for suggestion in report.suggestions:
        value = form[f"reason_{suggestion.rank}"].data
        if value:
            reasons[suggestion.slug] = services.parse_reason(value)
    try:
        services.record_outcome(db.session, report, services.OutcomeAnswer(False, reasons=reasons),
                                get_engine(), services.reader_kind(current_user), utcnow)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("deflect.show", report_id=report.id))
    db.session.commit()
    return redirect(url_for("deflect.request_form", report_id=report.id))


@bp.route("/<int:report_id>/request", methods=["GET", "POST"])
@login_required
def request_form(report_id: int):
    """The service-request form pre-filled from the report, linked to it by deflection_id."""
    from ..tickets import services as tickets
    from ..tickets.models import Level, RequestType

    report = _own_report_or_404(report_id)
    if report.request_number:
        return redirect(_request_url(report.request_number))
    if not current_user.is_customer:
        flash(_("Staff record requests received by phone or fax on the service-request pages."), "info")
        return redirect(url_for("deflect.show", report_id=report.id))
    form = RequestFromReportForm()
    if request.method == "GET":
        form.summary.data = _summary_of(report.description)
        form.description.data = report.description + (f"\n\n{_('Fault code')}: {report.fault_code}"
                                                       if report.fault_code else "")
        form.product_model.data = report.product_model
        form.serial_number.data = report.serial_number
        form.production_date.data = report.production_date
    if form.validate_on_submit():
        new_request = tickets.NewRequest(
            type=RequestType(form.type.data), summary=form.summary.data, description=form.description.data,
            urgency=Level(form.urgency.data), product_model=form.product_model.data or "",
            serial_number=form.serial_number.data or "", production_date=form.production_date.data,
            deflection_id=report.id)
        try:
            service_request = tickets.create_request(db.session, current_user, new_request, utcnow())
            services.link_request(db.session, report, service_request.number, utcnow)
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Your service request %(number)s has been sent to your sales office.",
                    number=service_request.number), "success")
            return redirect(_request_url(service_request.number))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("deflect/request.html", form=form, report=report), status


def _summary_of(description: str, limit: int = 60) -> str:
    first = description.strip().splitlines()[0] if description.strip() else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _request_url(number: str) -> str:
    return url_for("tickets.detail", number=number)


@bp.get("/gaps")
@roles_required(*ADMIN_ROLES)
def gaps():
    """Reports that needed a person and where the knowledge base had no good answer."""
    page, per_page = page_args()
    found = services.content_gaps(db.session, linked_request_ids)
    start = (page - 1) * per_page
    from ..web import Page

    listing = Page(items=found[start:start + per_page], total=len(found), page=page, per_page=per_page)
    rate = services.deflection_rate(db.session)
    return render_template("deflect/gaps.html", page=listing, rate=rate, explain=explain,
                           reason_label=reason_label)


def reason_label(reason) -> str:
    from .forms import REASON_CHOICES

    return str(dict(REASON_CHOICES).get(reason.value if reason else "", ""))


def linked_request_ids(session) -> set[int]:
    """Reports that the tickets domain links to a request (deflection_id), whichever way it was made."""
    from ..tickets.models import ServiceRequest

    rows = session.execute(select(ServiceRequest.deflection_id, ServiceRequest.account_id,
                                  FaultReport.account_id)
                           .join(FaultReport, FaultReport.id == ServiceRequest.deflection_id))
    # Only a request of the report's own account counts (the API lets a client send any id).
    return {deflection_id for deflection_id, sr_account, report_account in rows
            if sr_account == report_account}
