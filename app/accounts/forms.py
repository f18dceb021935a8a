"""Forms of sign-in, registration, approval and user administration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from .models import Role, UserStatus

try:  # WTForms 3.3 deprecates (value, label) tuples as SelectField choices
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - WTForms < 3.3
    SelectChoice = None


def choice(value: str, label) -> object:
    """One option of a SelectField, in the shape the installed WTForms expects."""
    return SelectChoice(value=value, label=label) if SelectChoice else (value, label)


class SignInForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    next = HiddenField()


class RegistrationForm(FlaskForm):
    account_code = StringField(
        _l("Customer account code"),
        validators=[DataRequired(), Length(min=2, max=32)],
        description=_l("The code your sales office gave your company, e.g. C-EAST-01."),
    )
    company = StringField(_l("Company"), validators=[DataRequired(), Length(max=200)])
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(message=_l("Enter a valid e-mail address.")), Length(max=254)],
    )
    phone = StringField(_l("Phone"), validators=[DataRequired(), Length(min=5, max=40)])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=10, max=128)],
        description=_l("At least 10 characters, with letters and digits."),
    )
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ApproveForm(FlaskForm):
    account_code = StringField(_l("Account code"), validators=[DataRequired(), Length(max=32)])
    contact_id = SelectField(_l("Contact"), coerce=int, validators=[Optional()], validate_choice=False)


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


ROLE_LABELS = {
    Role.CUSTOMER: _l("Customer"),
    Role.STAFF: _l("Staff"),
    Role.INFOCENTRE: _l("Information centre"),
    Role.SYSADMIN: _l("System administrator"),
}
ROLE_CHOICES = [choice(role.value, label) for role, label in ROLE_LABELS.items()]

# label and Bootstrap tone of each status
STATUS_LABELS = {
    UserStatus.PENDING: (_l("Waiting for approval"), "warning"),
    UserStatus.ACTIVE: (_l("Active"), "success"),
    UserStatus.DEACTIVATED: (_l("Deactivated"), "secondary"),
    UserStatus.REJECTED: (_l("Rejected"), "danger"),
}


class CreateUserForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(message=_l("Enter a valid e-mail address.")), Length(max=254)],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(min=10, max=128)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    account_code = StringField(_l("Account code (customers)"), validators=[Optional(), Length(max=32)])
    unit_code = SelectField(_l("Unit (staff)"), validators=[Optional()], validate_choice=False)


class SetRoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    account_code = StringField(_l("Account code (customers)"), validators=[Optional(), Length(max=32)])
    unit_code = SelectField(_l("Unit (staff)"), validators=[Optional()], validate_choice=False)


class ConfirmForm(FlaskForm):
    """A POST with nothing but its CSRF token (deactivate, reactivate, approve buttons)."""


class PreferencesForm(FlaskForm):
    language = SelectField(_l("Language"), choices=[choice("zh_CN", "中文"), choice("en", "English")])
    show_company_news = BooleanField(_l("Show company news on my home page"))
    show_product_news = BooleanField(_l("Show product news on my home page"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=128)])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=128)])
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
