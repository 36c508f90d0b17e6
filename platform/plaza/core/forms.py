"""A sample form for the design page: every kind of field, one of them in error."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField


class SampleForm(FlaskForm):
    class Meta:
        csrf = False  # shown, never submitted to anything that stores data

    name = StringField(_l("Your name"), description=_l("Others see this name next to your proposals."))
    email = EmailField(_l("E-mail address"))
    district = SelectField(_l("District"), choices=[("riverside", "Riverside"), ("old-town", "Old Town")])
    proposal = TextAreaField(_l("Your proposal"), description=_l("Say what should change and why."))
    how = RadioField(_l("How will you vote?"), choices=[("online", _l("Online, on this site")),
                                                         ("paper", _l("On paper, at a help desk"))])
    updates = BooleanField(_l("Send me an e-mail when this consultation changes"),
                           description=_l("At most one e-mail a day."))
