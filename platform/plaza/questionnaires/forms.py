from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from plaza.errors import RuleBroken
from plaza.questionnaires import services
from plaza.web.fields import strip_text


class _Questions:
    """Validator: the text follows the format of `services.parse_questions`; keeps what it read on the form."""

    def __call__(self, form, field):
        try:
            form.plans = services.parse_questions(field.data or "")
        except RuleBroken as error:
            raise ValidationError(error.message) from None


class QuestionnaireForm(FlaskForm):
    title = StringField(
        _l("Title"),
        filters=[strip_text],
        description=_l("For example: Your views on the riverside park."),
        validators=[DataRequired(message=_l("Enter a title.")),
                    Length(max=services.MAX_TITLE, message=_l("Use at most %(max)d characters."))],
    )
    intro = TextAreaField(
        _l("Introduction (optional)"),
        filters=[strip_text],
        description=_l("Why you ask, how long it takes, and what happens with the answers."),
        validators=[Length(max=services.MAX_INTRO, message=_l("Use at most %(max)d characters."))],
        render_kw={"rows": 4},
    )
    questions = TextAreaField(
        _l("Questions"),
        description=_l("One question per block. Start a question with “?” and each answer to choose from with "
                       "“-”. By default a question takes one answer and must be answered. At the end of the "
                       "question line, add [multiple] to allow several answers, [multiple 3] for at most three, "
                       "[text] for a written answer, and [optional] if people may skip it."),
        validators=[DataRequired(message=_l("Write at least one question: a line that starts with “?”.")),
                    _Questions()],
        render_kw={"rows": 16, "spellcheck": "true"},
    )
    submit = SubmitField(_l("Create the questionnaire"))

    plans: list[services.QuestionPlan] | None = None
