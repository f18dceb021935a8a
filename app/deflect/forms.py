"""Forms of the fault report, the outcome answers and the pre-filled service request."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .models import NotHelpfulReason

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None


def choices(pairs):
    return [SelectChoice(value, label) for value, label in pairs] if SelectChoice else list(pairs)


REASON_CHOICES = [
    ("", _l("— no answer —")),
    (NotHelpfulReason.NOT_MY_PROBLEM.value, _l("Not my problem")),
    (NotHelpfulReason.DID_NOT_WORK.value, _l("Tried it, did not work")),
    (NotHelpfulReason.UNCLEAR.value, _l("Unclear")),
]


class FaultReportForm(FlaskForm):
    product_model = StringField(
        _l("Product model"), validators=[Optional(), Length(max=40)],
        description=_l(
            "Choose one of your products or type the model code from the nameplate, e.g. SHV33YC."))
    serial_number = StringField(_l("Serial number"), validators=[Optional(), Length(max=64)])
    production_date = DateField(_l("Production date"), validators=[Optional()])
    fault_code = StringField(
        _l("Fault code"), validators=[Optional(), Length(max=16)],
        description=_l("The code the controller or drive board shows, if any (e.g. E5)."))
    description = TextAreaField(
        _l("What happens?"), validators=[DataRequired(message=_l("Describe the fault in a few words."))],
        description=_l("In your own words: what you see, hear or measure, and when it happens."))


class SolvedForm(FlaskForm):
    slug = HiddenField(validators=[DataRequired()])


class StillNeedHelpForm(FlaskForm):
    """One reason field per suggestion shown (named reason_<rank>), added when the form is built."""


def still_need_help_form(suggestions, formdata=None):
    class _Form(StillNeedHelpForm):
        pass

    for suggestion in suggestions:
        setattr(_Form, f"reason_{suggestion.rank}", SelectField(
            suggestion.title, choices=choices(REASON_CHOICES), validators=[Optional()], default=""))
    return _Form(formdata=formdata) if formdata is not None else _Form()


class RequestFromReportForm(FlaskForm):
    type = SelectField(_l("Type of request"), choices=choices([
        ("returned_material", _l("Returned material")),
        ("information", _l("Request for information")),
        ("complaint", _l("Customer complaint")),
    ]), default="returned_material")
    summary = StringField(_l("Summary"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[DataRequired(), Length(max=10_000)])
    urgency = SelectField(_l("Urgency"), choices=choices([("high", _l("High")), ("medium", _l("Medium")),
                                                          ("low", _l("Low"))]), default="medium")
    product_model = StringField(_l("Product model"), validators=[Optional(), Length(max=40)])
    serial_number = StringField(_l("Serial number"), validators=[Optional(), Length(max=64)])
    production_date = DateField(_l("Production date"), validators=[Optional()])
