from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional

from plaza.web.fields import WholeNumberField


class InvitationsForm(FlaskForm):
    count = WholeNumberField(
        _l("How many invitations"),
        description=_l("Each one is a code for one person. At most 1000 at a time."),
        default=10,
        minimum=1,
        maximum=1000,
        message=_l("Enter a number from 1 to 1000."),
    )
    valid_days = WholeNumberField(
        _l("Valid for how many days"),
        default=90,
        minimum=1,
        maximum=365,
        message=_l("Enter a number of days from 1 to 365."),
    )
    note = StringField(
        _l("Note (optional)"),
        description=_l("For your records, for example the desk or district the letters go to."),
        validators=[Optional(), Length(max=200, message=_l("Use at most %(max)d characters."))],
    )
    submit = SubmitField(_l("Make the invitation codes"))


class TestEmailForm(FlaskForm):
    email = EmailField(
        _l("Send a test e-mail to"),
        validators=[DataRequired(message=_l("Enter your e-mail address.")),
                    Email(message=_l("Enter an e-mail address like name@example.org."),
                          check_deliverability=False)],
    )
    submit = SubmitField(_l("Send the test e-mail"))
