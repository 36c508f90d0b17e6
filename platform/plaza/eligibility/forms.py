from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SubmitField
from wtforms.validators import Optional, ValidationError

from plaza.clock import utcnow


class EligibilityForm(FlaskForm):
    district = SelectField(_l("Where you live"), coerce=int,
                           description=_l("Some votes are only for residents of one district."))
    birth_date = DateField(_l("Date of birth"), validators=[Optional()],
                           description=_l("Some votes have a minimum age. For example, 2009-03-27."))
    submit = SubmitField(_l("Save"))

    def validate_birth_date(self, field):
        if field.data and not (field.data.year >= 1900 and field.data <= utcnow().date()):
            raise ValidationError(_l("Enter a real date of birth, in the past."))
