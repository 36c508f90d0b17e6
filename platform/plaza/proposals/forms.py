from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import RadioField, SearchField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from plaza.config import LANGUAGES
from plaza.numbers import whole_number
from plaza.proposals.listing import Sort, Status
from plaza.proposals.models import AnswerState
from plaza.web.fields import MAX_PAGE, WholeNumberField, submission_key_field


def _optional_int(value):
    if value in (None, "", "None"):  # the empty choice is rendered as value="None"
        return None
    if isinstance(value, int):
        return value
    number = whole_number(value)
    if number is None:
        raise ValueError(value)
    return number


class SubmissionKeyMixin:
    """A key made when the form is shown: posting the same form twice creates one thing."""

    submission_key = submission_key_field()


class ProposalForm(SubmissionKeyMixin, FlaskForm):
    title = StringField(_l("Title"), description=_l("Say in a few words what you propose."),
                        validators=[DataRequired(message=_l("Give your proposal a title.")), Length(max=200)])
    body = TextAreaField(_l("Your proposal"),
                         description=_l("What should change, where, and why. Plain text is fine."),
                         validators=[DataRequired(message=_l("Describe your proposal.")), Length(max=20000)])
    category_id = SelectField(_l("Category (optional)"), coerce=_optional_int, validators=[Optional()])
    district_id = SelectField(_l("District (optional)"), coerce=_optional_int, validators=[Optional()])
    address = StringField(_l("Address or place (optional)"), validators=[Optional(), Length(max=200)])
    language = SelectField(_l("Language of your text"),
                           description=_l("So that screen readers read it well and translators know the original."))
    attachments = MultipleFileField(_l("Files (optional)"),
                                    description=_l("Up to 3 PDF, PNG or JPEG files of at most 5 MB each."))

    def set_choices(self, categories, districts):
        self.language.choices = [(code, LANGUAGES[code]) for code in current_app.config["PLAZA_LANGUAGES"]]
        self.category_id.choices = [(None, _l("None"))] + [(c.id, c.name) for c in categories]
        self.district_id.choices = [(None, _l("None"))] + [(d.id, d.name) for d in districts]


class AmendmentForm(SubmissionKeyMixin, FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Give your proposal a title.")),
                                                 Length(max=200)])
    body = TextAreaField(_l("The proposal as you would change it"),
                         validators=[DataRequired(message=_l("Describe your proposal.")), Length(max=20000)])


class AnswerForm(FlaskForm):
    state = RadioField(_l("Answer"), choices=[(AnswerState.EVALUATING.value, _l("Being evaluated")),
                                               (AnswerState.ACCEPTED.value, _l("Accepted")),
                                               (AnswerState.REJECTED.value, _l("Rejected"))],
                       validators=[DataRequired(message=_l("Choose an answer."))])
    text = TextAreaField(_l("Reasons"), description=_l("Residents see these reasons next to the answer."),
                         validators=[DataRequired(message=_l("Give the reasons for this answer.")),
                                     Length(max=10000)])


class MergeForm(FlaskForm):
    duplicates = StringField(_l("Numbers of the duplicate proposals"),
                             description=_l("Separated by commas, for example 12, 15."),
                             validators=[DataRequired(message=_l("Enter at least one proposal number."))])


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)])
    category = SelectField(_l("Category"), coerce=_optional_int, validators=[Optional()])
    district = SelectField(_l("District"), coerce=_optional_int, validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()], choices=[
        ("", _l("Published")), (Status.OPEN.value, _l("Not yet answered")),
        (Status.EVALUATING.value, _l("Being evaluated")), (Status.ACCEPTED.value, _l("Accepted")),
        (Status.REJECTED.value, _l("Rejected")), (Status.WITHDRAWN.value, _l("Withdrawn"))])
    tag = SelectField(_l("Human-rights tag"), coerce=_optional_int, validators=[Optional()])
    sort = SelectField(_l("Order"), default=Sort.RECENT.value, choices=[
        (Sort.RECENT.value, _l("Most recent")), (Sort.SUPPORTED.value, _l("Most supported")),
        (Sort.RANDOM.value, _l("Random"))])
    page = WholeNumberField(_l("Page"), default=1, validators=[Optional()], minimum=1, maximum=MAX_PAGE)

    def set_choices(self, categories, districts, tags):
        everything = [(None, _l("All"))]
        self.category.choices = everything + [(c.id, c.name) for c in categories]
        self.district.choices = everything + [(d.id, d.name) for d in districts]
        self.tag.choices = everything + [(t.id, label) for t, label in tags]
