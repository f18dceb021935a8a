"""Service-request pages: the customer's list, form and detail; the staff queue, call form, actions,
the RMA report and the defect catalogue; notifications."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts.access import roles_required
from ..accounts.models import Account, Region, Role, Unit
from ..catalog import catalog
from ..clock import utcnow
from ..errors import DomainError, InvalidInput
from ..extensions import db
from ..registry import registry
from ..web import apply_domain_error, page_args, paginate
from . import report as rma_report
from . import services
from .forms import (
    AnalysisForm,
    AssignForm,
    AttachmentForm,
    CallForm,
    CloseForm,
    CommentForm,
    DefectForm,
    DeliveryForm,
    EscalateForm,
    ReceiptForm,
    ReplacementForm,
    RequestForm,
    SeverityForm,
    TeardownForm,
    TransferForm,
    TransitionForm,
    options,
)
from .models import Attachment, Channel, DefectCode, Level, Notification, RequestType, ServiceRequest, Status

bp = Blueprint(
    "tickets",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/tickets",
)
STAFF = (Role.STAFF, Role.INFOCENTRE)


def _language() -> str:
    return "en" if str(get_locale() or "zh_CN") == "en" else "zh"


def _rules() -> services.TicketRules:
    return services.TicketRules.from_settings(current_app.extensions["isupport.settings"])


def _commit() -> None:
    db.session.commit()
    services.send_pending_mail(db.session, current_app.extensions["isupport.settings"])


def _enum_arg(name: str, enum_cls):
    value = request.args.get(name) or ""
    try:
        return enum_cls(value) if value else None
    except ValueError:
        return None


def _list_filter(staff: bool) -> services.ListFilter:
    region = request.args.get("region") or None
    unit = request.args.get("unit")
    if unit is None and staff and current_user.unit is not None:
        unit = current_user.unit.code
    return services.ListFilter(
        status=_enum_arg("status", Status),
        type=_enum_arg("type", RequestType),
        urgency=_enum_arg("urgency", Level),
        severity=_enum_arg("severity", Level) if staff else None,
        region=Region(region) if staff and region in {r.value for r in Region} else None,
        overdue=staff and request.args.get("overdue") == "1",
        unit_code=(unit or None) if staff else None,
        q=(request.args.get("q") or "").strip()[:100],
    )


def _sort(allowed: dict) -> tuple[str, str]:
    sort = request.args.get("sort") or "updated"
    order = request.args.get("order") or "desc"
    return (sort if sort in allowed else "updated"), (order if order in ("asc", "desc") else "desc")


# --- customer pages -----------------------------------------------------------------------------------


@bp.route("/requests")
@login_required
def index():
    if not current_user.is_customer:
        return redirect(url_for("tickets.queue"))
    flt = _list_filter(staff=False)
    sort, order = _sort(services.CUSTOMER_SORTS)
    stmt = services.list_statement(current_user, flt, sort, order, utcnow(), _rules())
    page, per_page = page_args()
    result = paginate(db.session, stmt, page, per_page)
    return render_template("tickets/list.html", page=result, flt=flt, sort=sort, order=order)


@bp.route("/requests/new", methods=["GET", "POST"])
@roles_required(Role.CUSTOMER)
def new():
    form = RequestForm()
    lookup_note = None
    if request.method == "GET":
        form.contact_name.data = current_user.contact.name if current_user.contact else current_user.name
        form.contact_phone.data = current_user.contact.phone if current_user.contact else ""
        form.contact_email.data = current_user.contact.email if current_user.contact else current_user.email
        if request.args.get("type") in {t.value for t in RequestType}:
            form.type.data = request.args["type"]
        lookup_note = _prefill_from_ledger(form)
    elif form.validate_on_submit():
        try:
            sr = services.create_request(db.session, current_user, _new_request(form, Channel.WEB), utcnow())
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            _commit()
            flash(
                _(
                    "Your request %(number)s was received. The %(unit)s will answer it.",
                    number=sr.number,
                    unit=sr.owner_unit.display_name(_language()),
                ),
                "success",
            )
            return redirect(url_for("tickets.detail", number=sr.number))
    warranty = _warranty_of(form)
    status = 400 if request.method == "POST" else 200
    return render_template("tickets/new.html", form=form, lookup_note=lookup_note, warranty=warranty), status


def _prefill_from_ledger(form: RequestForm) -> str | None:
    """Starts a returned-material request from a serial number or an order line, when the ledger knows it."""
    serial = (request.args.get("serial") or "").strip()[:60]
    line = request.args.get("order_line", type=int)
    if not serial and not line:
        return None
    reg = registry()
    unit = None
    if line and reg.order_line_lookup is not None:
        unit = reg.order_line_lookup(db.session, current_user.account_id, line)
    elif serial and reg.unit_lookup is not None:
        unit = reg.unit_lookup(db.session, current_user.account_id, serial)
    form.type.data = RequestType.RETURNED_MATERIAL.value
    if unit is None:
        form.serial_number.data = serial
        return _("We could not find this unit in your shipments; please enter the model and dates yourself.")
    form.serial_number.data = unit.serial_number
    form.product_model.data = unit.product_model
    form.production_date.data = unit.production_date
    form.ship_date.data = unit.ship_date
    form.order_number.data = unit.order_number or ""
    return _("We filled in what we know about this unit.")


def _warranty_of(form: RequestForm):
    if not form.product_model.data or not form.ship_date.data:
        return None
    return services.warranty_status(
        form.product_model.data, form.ship_date.data, utcnow().date(), catalog(), _rules()
    )


def _new_request(form: RequestForm, channel: Channel, account_code: str | None = None) -> services.NewRequest:
    return services.NewRequest(
        type=RequestType(form.type.data),
        summary=form.summary.data or "",
        description=form.description.data or "",
        urgency=Level(form.urgency.data) if form.urgency.data in {lv.value for lv in Level} else Level.MEDIUM,
        product_model=form.product_model.data or "",
        serial_number=form.serial_number.data or "",
        production_date=form.production_date.data,
        ship_date=form.ship_date.data,
        order_number=(form.order_number.data or "").strip() or None,
        channel=channel,
        account_code=account_code,
        contact_name=form.contact_name.data or "",
        contact_phone=form.contact_phone.data or "",
        contact_email=form.contact_email.data or "",
    )


@bp.route("/requests/<number>")
@login_required
def detail(number: str):
    sr = services.get_request(db.session, current_user, number)
    return _render_detail(sr)


def _render_detail(sr: ServiceRequest, status: int = 200, error: str | None = None, **forms):
    staff = current_user.has_role(*STAFF)
    ctx = dict(
        sr=sr,
        error=error,
        staff=staff,
        events=services.visible_events(sr, current_user),
        attachments=[a for a in sr.attachments if staff or not a.internal],
        moves=services.allowed_moves(sr, current_user),
        can_manage=services.can_manage(current_user, sr),
        is_warehouse=services.is_warehouse(current_user),
        can_analyse=services.can_analyse(current_user, sr),
        overdue=services.is_overdue(sr, utcnow(), _rules()),
        warranty=services.warranty_status(
            sr.product_model, sr.ship_date, utcnow().date(), catalog(), _rules()
        )
        if sr.type is RequestType.RETURNED_MATERIAL
        else None,
        comment_form=forms.get("comment_form") or CommentForm(),
        escalate_form=forms.get("escalate_form") or EscalateForm(),
        close_form=forms.get("close_form") or CloseForm(),
        attachment_form=forms.get("attachment_form") or AttachmentForm(),
    )
    if staff:
        transition_form = forms.get("transition_form") or TransitionForm()
        transition_form.status.choices = options(
            [(s.value, services.STATUS_LABELS[s]) for s in ctx["moves"] if s is not Status.MATERIAL_RECEIVED]
        )
        assign_form = forms.get("assign_form") or AssignForm()
        assign_form.assignee.choices = options(
            [(u.id, u.name) for u in services.unit_staff(db.session, sr.owner_unit_id)]
        )
        transfer_form = forms.get("transfer_form") or TransferForm()
        units = {u.code: u for u in db.session.scalars(select(Unit))}
        transfer_form.unit.choices = options(
            [
                (c, units[c].display_name(_language()))
                for c in services.transfer_targets(sr.owner_unit)
                if c in units
            ]
        )
        analysis_form = forms.get("analysis_form") or AnalysisForm()
        analysis_form.defect_codes.choices = options(
            [
                (d.code, f"{d.code} {d.display_name(_language())}")
                for d in db.session.scalars(
                    select(DefectCode).where(DefectCode.active).order_by(DefectCode.code)
                )
            ]
        )
        ctx.update(
            transition_form=transition_form,
            assign_form=assign_form,
            transfer_form=transfer_form,
            severity_form=forms.get("severity_form")
            or SeverityForm(severity=sr.severity.value if sr.severity else "medium"),
            receipt_form=forms.get("receipt_form") or ReceiptForm(received_on=utcnow().date()),
            teardown_form=forms.get("teardown_form") or TeardownForm(),
            analysis_form=analysis_form,
            replacement_form=forms.get("replacement_form")
            or ReplacementForm(replacement_model=sr.product_model, replacement_ship_date=utcnow().date()),
            delivery_form=forms.get("delivery_form") or DeliveryForm(delivered_on=utcnow().date()),
        )
    return render_template("tickets/detail.html", **ctx), status


def _act(number: str, form_name: str, form_cls, action: Callable, done: str, staff_only: bool = False):
    """The shape of every action on the request page: parse, call the service, commit, or show why not."""
    sr = services.get_request(db.session, current_user, number)
    if staff_only and not current_user.has_role(*STAFF):
        abort(403)
    form = form_cls()
    if form_name == "analysis_form":
        form.defect_codes.choices = options((c, c) for c in request.form.getlist("defect_codes"))
    if not form.validate_on_submit():
        return _render_detail(sr, 400, _("Please correct the marked fields."), **{form_name: form})
    try:
        action(sr, form, utcnow())
    except DomainError as error:
        db.session.rollback()
        sr = services.get_request(db.session, current_user, number)
        apply_domain_error(form, error)
        return _render_detail(sr, error.status, error.message, **{form_name: form})
    _commit()
    flash(done, "success")
    return redirect(url_for("tickets.detail", number=sr.number), code=303)


@bp.route("/requests/<number>/comment", methods=["POST"])
@login_required
def comment(number: str):
    return _act(
        number,
        "comment_form",
        CommentForm,
        lambda sr, f, now: services.add_comment(
            db.session, current_user, sr, f.body.data, now, internal=bool(f.internal.data)
        ),
        _("Your comment was added."),
    )


@bp.route("/requests/<number>/escalate", methods=["POST"])
@login_required
def escalate(number: str):
    return _act(
        number,
        "escalate_form",
        EscalateForm,
        lambda sr, f, now: services.escalate(db.session, current_user, sr, now, f.reason.data or ""),
        _("The request was escalated."),
    )


@bp.route("/requests/<number>/close", methods=["POST"])
@login_required
def close(number: str):
    return _act(
        number,
        "close_form",
        CloseForm,
        lambda sr, f, now: services.close(db.session, current_user, sr, f.how.data, now, f.note.data or ""),
        _("The request was closed."),
    )


@bp.route("/requests/<number>/attachments", methods=["POST"])
@login_required
def attach(number: str):
    def action(sr, form, now):
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            raise InvalidInput(_("Choose a file."), field="file")
        services.add_attachment(
            db.session,
            current_user,
            sr,
            upload.filename,
            upload.read(),
            _storage(),
            now,
            internal=bool(form.internal.data) and current_user.is_internal,
        )

    return _act(number, "attachment_form", AttachmentForm, action, _("The file was attached."))


def _storage() -> Path:
    return current_app.extensions["isupport.settings"].instance_dir / "attachments"


@bp.route("/requests/<number>/attachments/<int:attachment_id>")
@login_required
def attachment(number: str, attachment_id: int):
    sr = services.get_request(db.session, current_user, number)
    item = db.session.get(Attachment, attachment_id)
    if item is None or item.request_id != sr.id or (item.internal and not current_user.is_internal):
        abort(404)
    path = _storage() / item.stored_name
    if not path.exists():
        abort(404)
    # Read whole (files are at most 10 MB): no file handle outlives the response.
    return send_file(
        io.BytesIO(path.read_bytes()),
        mimetype=item.content_type,
        as_attachment=True,
        download_name=item.filename,
    )


# --- staff actions -------------------------------------------------------------------------------------


@bp.route("/requests/<number>/transition", methods=["POST"])
@roles_required(*STAFF)
def transition(number: str):
    def action(sr, form, now):
        try:
            to = Status(form.status.data)
        except ValueError:
            raise InvalidInput(_("Choose a status."), field="status") from None
        services.transition(db.session, current_user, sr, to, now, form.note.data or "")

    return _act(number, "transition_form", TransitionForm, action, _("The status was changed."), True)


@bp.route("/requests/<number>/severity", methods=["POST"])
@roles_required(*STAFF)
def severity(number: str):
    return _act(
        number,
        "severity_form",
        SeverityForm,
        lambda sr, f, now: services.set_severity(db.session, current_user, sr, Level(f.severity.data), now),
        _("The severity was set."),
        True,
    )


@bp.route("/requests/<number>/assign", methods=["POST"])
@roles_required(*STAFF)
def assign(number: str):
    def action(sr, form, now):
        from ..accounts.models import User

        person = db.session.get(User, form.assignee.data) if form.assignee.data else None
        if person is None:
            raise InvalidInput(_("Choose a person."), field="assignee")
        services.assign(db.session, current_user, sr, person, now)

    return _act(number, "assign_form", AssignForm, action, _("The request was assigned."), True)


@bp.route("/requests/<number>/transfer", methods=["POST"])
@roles_required(*STAFF)
def transfer(number: str):
    return _act(
        number,
        "transfer_form",
        TransferForm,
        lambda sr, f, now: services.transfer(
            db.session, current_user, sr, f.unit.data or "", now, f.note.data or ""
        ),
        _("The request was transferred."),
        True,
    )


@bp.route("/requests/<number>/receipt", methods=["POST"])
@roles_required(*STAFF)
def receipt(number: str):
    return _act(
        number,
        "receipt_form",
        ReceiptForm,
        lambda sr, f, now: services.receive_material(
            db.session, current_user, sr, f.received_on.data, f.condition.data, now
        ),
        _("The receipt of the compressor was recorded."),
        True,
    )


@bp.route("/requests/<number>/teardown", methods=["POST"])
@roles_required(*STAFF)
def teardown(number: str):
    return _act(
        number,
        "teardown_form",
        TeardownForm,
        lambda sr, f, now: services.assign_teardown(db.session, current_user, sr, f.unit.data, now),
        _("The teardown analysis was assigned."),
        True,
    )


@bp.route("/requests/<number>/analysis", methods=["POST"])
@roles_required(*STAFF)
def analysis(number: str):
    def action(sr, form, now):
        services.record_analysis(
            db.session,
            current_user,
            sr,
            services.AnalysisInput(
                tuple(form.defect_codes.data or ()),
                form.cause.data,
                bool(form.company_responsible.data),
                form.report.data,
            ),
            now,
        )
        upload = form.file.data
        if upload is not None and getattr(upload, "filename", ""):
            services.add_attachment(
                db.session,
                current_user,
                sr,
                upload.filename,
                upload.read(),
                _storage(),
                now,
                for_analysis=True,
            )

    return _act(number, "analysis_form", AnalysisForm, action, _("The failure analysis was recorded."), True)


@bp.route("/requests/<number>/replacement", methods=["POST"])
@roles_required(*STAFF)
def replacement(number: str):
    return _act(
        number,
        "replacement_form",
        ReplacementForm,
        lambda sr, f, now: services.record_replacement(
            db.session,
            current_user,
            sr,
            f.replacement_model.data,
            f.replacement_serial.data,
            f.replacement_ship_date.data,
            now,
        ),
        _("The replacement was recorded."),
        True,
    )


@bp.route("/requests/<number>/delivery", methods=["POST"])
@roles_required(*STAFF)
def delivery(number: str):
    return _act(
        number,
        "delivery_form",
        DeliveryForm,
        lambda sr, f, now: services.record_delivery(
            db.session, current_user, sr, f.delivered_on.data, f.note.data or "", now
        ),
        _("The delivery was recorded."),
        True,
    )


# --- staff pages -----------------------------------------------------------------------------------------


@bp.route("/staff/requests")
@roles_required(*STAFF)
def queue():
    flt = _list_filter(staff=True)
    sort, order = _sort(services.STAFF_SORTS)
    now = utcnow()
    rules = _rules()
    stmt = services.list_statement(
        current_user, flt, sort, order, now, rules, new_web_first=not request.args.get("sort")
    )
    page, per_page = page_args()
    result = paginate(db.session, stmt, page, per_page)
    overdue = {sr.id for sr in result.items if services.is_overdue(sr, now, rules)}
    units = list(db.session.scalars(select(Unit).order_by(Unit.id)))
    return render_template(
        "tickets/queue.html",
        page=result,
        flt=flt,
        sort=sort,
        order=order,
        overdue=overdue,
        units=units,
        Region=Region,
    )


@bp.route("/staff/requests/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def record_call():
    form = CallForm()
    accounts = list(db.session.scalars(select(Account).order_by(Account.code)))
    form.account_code.choices = options([("", "—")] + [(a.code, f"{a.code} {a.name}") for a in accounts])
    suggestions = None
    if request.method == "POST" and request.form.get("action") == "suggest":
        suggestions = _suggestions(form.description.data or "", form.product_model.data or "")
        return render_template("tickets/call.html", form=form, suggestions=suggestions)
    if form.validate_on_submit():
        try:
            channel = Channel(form.channel.data) if form.channel.data in ("phone", "fax") else Channel.PHONE
            sr = services.create_request(
                db.session, current_user, _new_request(form, channel, form.account_code.data), utcnow()
            )
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            _commit()
            flash(_("Request %(number)s was recorded.", number=sr.number), "success")
            return redirect(url_for("tickets.detail", number=sr.number))
    status = 400 if request.method == "POST" else 200
    return render_template("tickets/call.html", form=form, suggestions=suggestions), status


def _suggestions(description: str, model: str):
    """The knowledge-base answers a customer would get (nothing until the deflection domain offers them)."""
    suggest = registry().suggest
    if suggest is None or not description.strip():
        return None
    return suggest(db.session, current_user, description.strip()[:2000], model.strip()[:40] or None, 5)


@bp.route("/staff/reports/rma")
@roles_required(*STAFF)
def rma():
    month = request.args.get("month") or utcnow().strftime("%Y-%m")
    try:
        data = rma_report.build_report(db.session, month, _language())
    except InvalidInput:
        flash(_("Give the month as YYYY-MM, e.g. 2026-03."), "danger")
        return render_template("tickets/rma.html", data=None, month=month[:7]), 400
    return render_template("tickets/rma.html", data=data, month=data.month)


@bp.route("/staff/reports/rma.<fmt>")
@roles_required(*STAFF)
def rma_export(fmt: str):
    data = rma_report.build_report(
        db.session, request.args.get("month") or utcnow().strftime("%Y-%m"), _language()
    )
    if fmt == "csv":
        return Response(
            rma_report.to_csv(data),
            mimetype="text/csv; charset=utf-8",
            headers={"Content-Disposition": f"attachment; filename=rma-{data.month}.csv"},
        )
    if fmt == "xlsx":
        return Response(
            rma_report.to_xlsx(data),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f"attachment; filename=rma-{data.month}.xlsx"},
        )
    abort(404)


@bp.route("/staff/reports/rma-<kind>.svg")
@roles_required(*STAFF)
def rma_chart(kind: str):
    data = rma_report.build_report(
        db.session, request.args.get("month") or utcnow().strftime("%Y-%m"), _language()
    )
    if kind == "months":
        svg = rma_report.chart_svg(_("Returns per month"), data.per_month)
    elif kind == "defects":
        svg = rma_report.chart_svg(_("Defects found"), data.by_defect)
    else:
        abort(404)
    return Response(svg, mimetype="image/svg+xml")


@bp.route("/staff/defects", methods=["GET", "POST"])
@roles_required(*STAFF)
def defects():
    form = DefectForm()
    if form.validate_on_submit():
        try:
            services.save_defect_code(
                db.session,
                current_user,
                form.code.data,
                form.name_zh.data,
                form.name_en.data,
                bool(form.active.data),
            )
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Defect %(code)s saved.", code=form.code.data.strip().upper()), "success")
            return redirect(url_for("tickets.defects"))
    items = list(db.session.scalars(select(DefectCode).order_by(DefectCode.code)))
    status = 400 if request.method == "POST" else 200
    return render_template("tickets/defects.html", form=form, items=items), status


# --- notifications -----------------------------------------------------------------------------------------


@bp.route("/notifications")
@login_required
def notifications():
    stmt = (
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    page, per_page = page_args()
    return render_template("tickets/notifications.html", page=paginate(db.session, stmt, page, per_page))


@bp.route("/notifications/read", methods=["POST"])
@login_required
def notifications_read():
    from sqlalchemy import update

    db.session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    return redirect(url_for("tickets.notifications"), code=303)
