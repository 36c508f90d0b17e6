from flask import abort
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField
from wtforms.validators import DataRequired, NumberRange, Regexp, StopValidation

from plaza.numbers import MAX_INTEGER, whole_number
from plaza.submissions import new_key

MAX_PAGE = 1_000_000  # far beyond any real list; keeps OFFSET arithmetic small on every backend


class WholeNumberField(IntegerField):
    """A whole number from `minimum` to `maximum`, typed in ASCII digits. `message` (by default "Enter a
    whole number from … to …") answers anything else: "²", "-1", a number too large for the database.
    An empty field is left to `Optional()` or `InputRequired()`, or gets the message too."""

    def __init__(self, label=None, validators=None, *, minimum: int, maximum: int, message=None, **kwargs):
        if not 0 <= minimum <= maximum <= MAX_INTEGER:
            raise ValueError(f"bounds {minimum}..{maximum} do not fit an INTEGER column")
        self.message = message or _l("Enter a whole number from %(min)d to %(max)d.", min=minimum, max=maximum)
        render_kw = {"inputmode": "numeric", **kwargs.pop("render_kw", {})}
        super().__init__(label, [*(validators or []), NumberRange(minimum, maximum, message=self.message)],
                         render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = whole_number(valuelist[0])
        if self.data is None and valuelist[0].strip():
            raise ValueError(self.message)

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # the message is already there; the range check would repeat it


def page_number(args, name: str = "page") -> int:
    """The page a query string asks for, 1 if it names none; a 404 for anything that is not a page."""
    raw = args.get(name)
    if raw is None:
        return 1
    number = whole_number(raw)
    if number is None or not 1 <= number <= MAX_PAGE:
        abort(404)
    return number


def submission_key_field() -> HiddenField:
    """The hidden key of a form that creates something (`plaza.submissions`): made when the form is shown,
    so that sending the same form twice creates one thing."""
    expired = _l("This form has expired. Reload the page and try again.")
    return HiddenField(default=new_key, validators=[DataRequired(message=expired),
                                                    Regexp(r"^[A-Za-z0-9-]{1,64}$", message=expired)])


def strip_text(value):
    """A field filter: surrounding spaces are never meant (`filters=[strip_text]`)."""
    return value.strip() if isinstance(value, str) else value
