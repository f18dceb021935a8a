"""Sign-in, sign-out, registration, the approval queue, user administration and preferences."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import or_, select

from ..errors import DomainError
from ..extensions import db, limiter
from ..web import apply_domain_error, error_message, page_args, paginate, safe_next
from . import services, unit_name
from .access import ADMIN_ROLES, roles_required
from .forms import (
    ApproveForm,
    ConfirmForm,
    CreateUserForm,
    PasswordForm,
    PreferencesForm,
    RegistrationForm,
    RejectForm,
    SetRoleForm,
    SignInForm,
    choice,
)
from .models import Account, Role, Unit, User, UserStatus

bp = Blueprint("accounts", __name__, template_folder="templates")


def _unit_choices() -> list[tuple[str, str]]:
    units = db.session.scalars(select(Unit).order_by(Unit.id))
    return [choice("", "—")] + [choice(u.code, unit_name(u)) for u in units]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("portal.home"))
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.authenticate(db.session, form.email.data, form.password.data)
        except DomainError as error:
            db.session.commit()  # keep the failed-attempt count
            form.form_errors.append(error_message(error))
        else:
            db.session.commit()
            login_user(user)
            if user.language:
                session["lang"] = user.language
            return redirect(safe_next(form.next.data, url_for("portal.home")))
    return render_template("accounts/login.html", form=form), (200 if not form.errors else 400)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register():
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            services.register(
                db.session,
                services.Registration(
                    account_code=form.account_code.data,
                    company=form.company.data,
                    name=form.name.data,
                    email=form.email.data,
                    phone=form.phone.data,
                    password=form.password.data,
                ),
            )
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            return render_template("accounts/registered.html")
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/register.html", form=form), status


# --- the information centre's approval queue -------------------------------------------------------


@bp.route("/admin/registrations")
@roles_required(*ADMIN_ROLES)
def registrations():
    pending = services.pending_registrations(db.session)
    codes = {u.registration_account_code for u in pending}
    known = {a.code: a for a in db.session.scalars(select(Account).where(Account.code.in_(codes)))}
    return render_template(
        "accounts/registrations.html",
        pending=pending,
        known=known,
        approve_form=ApproveForm(),
        reject_form=RejectForm(),
    )


@bp.route("/admin/registrations/<int:user_id>/approve", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def approve(user_id: int):
    form = ApproveForm()
    if not form.validate_on_submit():
        flash(_("Give the account the user belongs to."), "danger")
        return redirect(url_for("accounts.registrations"))
    try:
        account = services.account_by_code(db.session, form.account_code.data)
        contact = None
        if form.contact_id.data:
            contact = next((c for c in account.contacts if c.id == form.contact_id.data), None)
            if contact is None:
                raise services.InvalidInput(services.N_("That contact belongs to another account."))
        user = services.approve_registration(db.session, user_id, account, current_user, contact)
    except DomainError as error:
        db.session.rollback()
        flash(error_message(error), "danger")
    else:
        db.session.commit()
        flash(_("%(email)s is approved and can sign in.", email=user.email), "success")
    return redirect(url_for("accounts.registrations"))


@bp.route("/admin/registrations/<int:user_id>/reject", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def reject(user_id: int):
    form = RejectForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for the rejection."), "danger")
        return redirect(url_for("accounts.registrations"))
    try:
        user = services.reject_registration(db.session, user_id, form.reason.data, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error_message(error), "danger")
    else:
        db.session.commit()
        flash(_("The registration of %(email)s was rejected.", email=user.email), "info")
    return redirect(url_for("accounts.registrations"))


# --- user administration -------------------------------------------------------------------------


@bp.route("/admin/users")
@roles_required(*ADMIN_ROLES)
def users():
    q = (request.args.get("q") or "").strip()[:100]
    role = request.args.get("role") or ""
    status = request.args.get("status") or ""
    stmt = select(User).order_by(User.email)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(User.email.ilike(like), User.name.ilike(like)))
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == Role(role))
    if status in {s.value for s in UserStatus}:
        stmt = stmt.where(User.status == UserStatus(status))
    page, per_page = page_args()
    result = paginate(db.session, stmt, page, per_page)
    form = CreateUserForm()
    form.unit_code.choices = _unit_choices()
    return render_template(
        "accounts/users.html",
        page=result,
        q=q,
        role=role,
        status=status,
        create_form=form,
        confirm_form=ConfirmForm(),
        Role=Role,
        UserStatus=UserStatus,
    )


@bp.route("/admin/users", methods=["POST"])
@roles_required(Role.SYSADMIN)
def create_user():
    form = CreateUserForm()
    form.unit_code.choices = _unit_choices()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                db.session,
                services.NewUser(
                    email=form.email.data,
                    password=form.password.data,
                    role=Role(form.role.data),
                    name=form.name.data,
                    account_code=form.account_code.data or None,
                    unit_code=form.unit_code.data or None,
                ),
            )
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("User %(email)s created.", email=user.email), "success")
            return redirect(url_for("accounts.users"))
    page, per_page = page_args()
    result = paginate(db.session, select(User).order_by(User.email), page, per_page)
    return render_template(
        "accounts/users.html",
        page=result,
        q="",
        role="",
        status="",
        create_form=form,
        confirm_form=ConfirmForm(),
        Role=Role,
        UserStatus=UserStatus,
    ), 400


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def user_detail(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = SetRoleForm(
        role=user.role.value,
        account_code=user.account.code if user.account else "",
        unit_code=user.unit.code if user.unit else "",
    )
    form.unit_code.choices = _unit_choices()
    if request.method == "POST":
        if not current_user.has_role(Role.SYSADMIN):
            abort(403)
        if form.validate_on_submit():
            try:
                services.set_role(
                    db.session,
                    user,
                    Role(form.role.data),
                    form.unit_code.data or None,
                    form.account_code.data or None,
                    actor=current_user,
                )
            except DomainError as error:
                db.session.rollback()
                apply_domain_error(form, error)
            else:
                db.session.commit()
                flash(_("Role saved."), "success")
                return redirect(url_for("accounts.user_detail", user_id=user.id))
    return render_template(
        "accounts/user_detail.html",
        user=user,
        form=form,
        confirm_form=ConfirmForm(),
        Role=Role,
        UserStatus=UserStatus,
    ), (400 if form.errors else 200)


@bp.route("/admin/users/<int:user_id>/deactivate", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def deactivate(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.deactivate_user(db.session, user, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error_message(error), "danger")
    else:
        db.session.commit()
        flash(
            _("%(email)s is deactivated; their sessions and tokens no longer work.", email=user.email), "info"
        )
    return redirect(url_for("accounts.user_detail", user_id=user.id))


@bp.route("/admin/users/<int:user_id>/reactivate", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def reactivate(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.reactivate_user(db.session, user)
    except DomainError as error:
        db.session.rollback()
        flash(error_message(error), "danger")
    else:
        db.session.commit()
        flash(_("%(email)s is active again.", email=user.email), "success")
    return redirect(url_for("accounts.user_detail", user_id=user.id))


# --- the user's own settings ---------------------------------------------------------------------


@bp.route("/me", methods=["GET", "POST"])
@login_required
def preferences():
    form = PreferencesForm(obj=current_user) if request.method == "GET" else PreferencesForm()
    if request.method == "GET":
        form.language.data = current_user.language or session.get("lang") or "zh_CN"
    password_form = PasswordForm(prefix="pw")
    if form.validate_on_submit():
        current_user.language = form.language.data
        current_user.show_company_news = form.show_company_news.data
        current_user.show_product_news = form.show_product_news.data
        session["lang"] = form.language.data
        db.session.commit()
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("accounts.preferences"))
    return render_template("accounts/preferences.html", form=form, password_form=password_form), (
        400 if form.errors else 200
    )


@bp.route("/me/password", methods=["POST"])
@login_required
def change_password():
    password_form = PasswordForm(prefix="pw")
    form = PreferencesForm(obj=current_user)
    if password_form.validate_on_submit():
        if not services.verify_password(current_user, password_form.current.data):
            password_form.current.errors = [_("The current password is wrong.")]
        else:
            try:
                services.check_password_rules(password_form.password.data, current_user.email)
            except DomainError as error:
                apply_domain_error(password_form, error)
            else:
                user = current_user._get_current_object()  # the proxy itself would recurse in login_user
                user.password_hash = services.hash_password(password_form.password.data)
                user.session_epoch += 1
                db.session.commit()
                login_user(user)  # this browser stays signed in; others are signed out
                flash(_("Your password is changed. Other sessions were signed out."), "success")
                return redirect(url_for("accounts.preferences"))
    return render_template("accounts/preferences.html", form=form, password_form=password_form), 400
