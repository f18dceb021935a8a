"""Forms of the service-request pages (parsing only; the rules are in services.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from .models import Channel, Level, RequestType
from .services import CHANNEL_LABELS, LEVEL_LABELS, TYPE_LABELS

TYPE_CHOICES = [(t.value, TYPE_LABELS[t]) for t in RequestType]
LEVEL_CHOICES = [(lv.value, LEVEL_LABELS[lv]) for lv in Level]


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (raw tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


class RequestForm(FlaskForm):
    type = SelectField(_l("Type"), choices=options(TYPE_CHOICES), validators=[DataRequired()])
    summary = StringField(
        _l("Summary"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("One line, e.g. 压缩机启动时异响"),
    )
    description = TextAreaField(
        _l("Description"), validators=[DataRequired(), Length(max=10000)], render_kw={"rows": 5}
    )
    urgency = SelectField(_l("Urgency"), choices=options(LEVEL_CHOICES), default="medium")
    product_model = StringField(
        _l("Product model"),
        validators=[Optional(), Length(max=40)],
        description=_l("Required for returned material, e.g. SHV33YC."),
    )
    serial_number = StringField(_l("Serial number"), validators=[Optional(), Length(max=60)])
    production_date = DateField(_l("Production date"), validators=[Optional()])
    ship_date = DateField(_l("Ship date"), validators=[Optional()])
    order_number = StringField(_l("Order number"), validators=[Optional(), Length(max=40)])
    contact_name = StringField(_l("Contact"), validators=[Optional(), Length(max=100)])
    contact_phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    contact_email = EmailField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])


class CallForm(RequestForm):
    """A phoned or faxed request recorded by staff on the customer's behalf."""

    account_code = SelectField(_l("Customer account"), validators=[DataRequired()], validate_choice=False)
    channel = SelectField(
        _l("Received by"),
        choices=options((c.value, CHANNEL_LABELS[c]) for c in Channel if c is not Channel.WEB),
    )


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=5000)], render_kw={"rows": 3})
    internal = BooleanField(_l("Internal note (staff only)"))


class EscalateForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is this urgent?"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2}
    )


class CloseForm(FlaskForm):
    how = SelectField(
        _l("How"),
        choices=options(
            [("soft_close", _l("Close: the problem is solved")), ("cancel", _l("Cancel the request"))]
        ),
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 2})


class TransitionForm(FlaskForm):
    status = SelectField(_l("New status"), validators=[DataRequired()], validate_choice=False)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 2})


class SeverityForm(FlaskForm):
    severity = SelectField(_l("Severity"), choices=options(LEVEL_CHOICES))


class AssignForm(FlaskForm):
    assignee = SelectField(_l("Assign to"), coerce=int, validate_choice=False)


class TransferForm(FlaskForm):
    unit = SelectField(_l("Transfer to"), validate_choice=False)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=2000)])


class ReceiptForm(FlaskForm):
    received_on = DateField(_l("Received on"), validators=[DataRequired()])
    condition = TextAreaField(
        _l("Condition on arrival"), validators=[DataRequired(), Length(max=2000)], render_kw={"rows": 2}
    )


class TeardownForm(FlaskForm):
    unit = SelectField(
        _l("Teardown analysis by"),
        choices=options(
            [
                ("sales-tech", _l("Sales Technical Department")),
                ("qa-aftersales", _l("QA After-sales Service Section")),
            ]
        ),
    )


class AnalysisForm(FlaskForm):
    defect_codes = SelectMultipleField(
        _l("Defects found"), validators=[DataRequired()], validate_choice=False
    )
    cause = TextAreaField(_l("Cause"), validators=[DataRequired(), Length(max=5000)], render_kw={"rows": 3})
    company_responsible = BooleanField(_l("The company is responsible"))
    report = TextAreaField(
        _l("Analysis report"), validators=[DataRequired(), Length(max=20000)], render_kw={"rows": 5}
    )
    file = FileField(_l("Attachment (optional)"))


class ReplacementForm(FlaskForm):
    replacement_model = StringField(_l("Model"), validators=[DataRequired(), Length(max=40)])
    replacement_serial = StringField(_l("Serial number"), validators=[DataRequired(), Length(max=60)])
    replacement_ship_date = DateField(_l("Ship date"), validators=[DataRequired()])


class DeliveryForm(FlaskForm):
    delivered_on = DateField(_l("Delivered on"), validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=2000)])


class AttachmentForm(FlaskForm):
    file = FileField(_l("File"), validators=[DataRequired()])
    internal = BooleanField(_l("Internal (staff only)"))


class DefectForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])
    name_zh = StringField(_l("Chinese name"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("English name"), validators=[DataRequired(), Length(max=100)])
    active = BooleanField(_l("In use"), default=True)
