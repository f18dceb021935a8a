"""Forms of the knowledge-base pages (POST forms carry CSRF; the search form is a GET form)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

SOLUTION_TEMPLATE = "## 现象\n\n\n## 原因\n\n\n## 处理\n\n"


class ArticleForm(FlaskForm):
    slug = StringField(
        _l("Slug (web address)"),
        validators=[
            DataRequired(),
            Length(max=120),
            Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Use lower-case letters, digits and hyphens.")),
        ],
        description=_l("e.g. start-fail-hum-run-capacitor; cannot be changed later"),
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(
        _l("Kind"), choices=[("solution", _l("Troubleshooting solution")), ("document", _l("Document"))]
    )
    visibility = SelectField(
        _l("Visible to"),
        choices=[
            ("public", _l("Everyone (public)")),
            ("customers", _l("Signed-in customers and staff")),
            ("internal", _l("Staff only (internal)")),
        ],
        default="customers",
    )
    products = StringField(
        _l("Products"),
        validators=[Optional(), Length(max=500)],
        description=_l("Model codes or series, separated by commas: SG, SHV33YC"),
    )
    refrigerants = StringField(_l("Refrigerants"), validators=[Optional(), Length(max=200)])
    fault_codes = StringField(_l("Fault codes"), validators=[Optional(), Length(max=200)])
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=500)])
    body = TextAreaField(
        _l("Text (Markdown)"),
        validators=[DataRequired(), Length(max=200_000)],
        render_kw={"rows": 18},
        description=_l(
            "A solution needs the sections ## 现象 (symptom), ## 原因 (cause) and ## 处理 (action)."
        ),
    )
    note = StringField(_l("Change note"), validators=[Optional(), Length(max=200)])
    save = SubmitField(_l("Save draft"))
    publish = SubmitField(_l("Save and publish"))


class VoteForm(FlaskForm):
    comment = TextAreaField(
        _l("Comment (optional)"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 2}
    )
    yes = SubmitField(_l("Yes"))
    no = SubmitField(_l("No"))


class UploadForm(FlaskForm):
    file = FileField(_l("File (PDF, PNG or JPEG, up to 10 MB)"), validators=[FileRequired()])


class ConfirmForm(FlaskForm):
    pass
