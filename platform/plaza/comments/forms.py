from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from plaza.comments.models import (
    MAX_BODY_LENGTH,
    MAX_DETAILS_LENGTH,
    MAX_HIDDEN_REASON_LENGTH,
    REPORT_REASON_NAMES,
    STANCE_NAMES,
    ReportReason,
    Stance,
)
from plaza.web.fields import strip_text, submission_key_field


def _body_field(label):
    return TextAreaField(
        label,
        description=_l("Up to %(max)d characters. Links, lists and bold or italic text are kept.",
                       max=MAX_BODY_LENGTH),
        validators=[DataRequired(message=_l("Write your comment.")),
                    Length(max=MAX_BODY_LENGTH, message=_l("Use at most %(max)d characters."))],
        render_kw={"rows": 6},
    )


class CommentForm(FlaskForm):
    """A new comment or a reply. The hidden key is made when the form is shown, so sending it twice
    publishes one comment."""

    body = _body_field(_l("Your comment"))
    stance = RadioField(
        _l("Your position on the proposal"),
        choices=[SelectChoice(stance.value, STANCE_NAMES[stance]) for stance in Stance],
        default=Stance.NEUTRAL.value,
        validate_choice=False,
        validators=[InputRequired(message=_l("Choose your position.")),
                    AnyOf([stance.value for stance in Stance], message=_l("Choose your position."))],
    )
    submission_key = submission_key_field()
    submit = SubmitField(_l("Publish my comment"))


class ReplyForm(CommentForm):
    body = _body_field(_l("Your reply"))
    submit = SubmitField(_l("Publish my reply"))


class EditForm(FlaskForm):
    body = _body_field(_l("Your comment"))
    submit = SubmitField(_l("Save my changes"))


class ReportForm(FlaskForm):
    reason = RadioField(
        _l("What is wrong with this comment?"),
        choices=[SelectChoice(reason.value, REPORT_REASON_NAMES[reason]) for reason in ReportReason],
        validate_choice=False,
        validators=[InputRequired(message=_l("Choose what is wrong with this comment.")),
                    AnyOf([reason.value for reason in ReportReason],
                          message=_l("Choose what is wrong with this comment."))],
    )
    details = TextAreaField(
        _l("Details (optional)"),
        description=_l("Needed if you chose “Something else”. Up to %(max)d characters.", max=MAX_DETAILS_LENGTH),
        filters=[strip_text],
        validators=[Optional(), Length(max=MAX_DETAILS_LENGTH, message=_l("Use at most %(max)d characters."))],
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Send my report"))


class HideForm(FlaskForm):
    reason = StringField(
        _l("Reason shown to everyone"),
        description=_l("It replaces the comment in the thread, for example: Personal attack on another "
                       "resident."),
        filters=[strip_text],
        validators=[DataRequired(message=_l("Write the reason that everyone will see in place of the comment.")),
                    Length(max=MAX_HIDDEN_REASON_LENGTH, message=_l("Use at most %(max)d characters."))],
    )
    submit = SubmitField(_l("Hide this comment"))
