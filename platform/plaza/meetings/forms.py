from datetime import UTC, datetime

from flask_babel import get_timezone, to_user_timezone
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from plaza.errors import RuleBroken
from plaza.meetings.models import Meeting, MeetingKind
from plaza.meetings.services import clean_link
from plaza.text import editable_source
from plaza.web.fields import WholeNumberField, strip_text, submission_key_field

MAX_CAPACITY = 1_000_000

KIND_NAMES = {
    MeetingKind.IN_PERSON: _l("In person"),
    MeetingKind.ONLINE: _l("Online"),
    MeetingKind.HYBRID: _l("In person and online"),
}


def _web_address(form, field):
    """The same rule as the service, so that the person sees this error together with the others."""
    try:
        clean_link(field.data)
    except RuleBroken as error:
        raise ValidationError(error.message) from None


class _LocalDateTimeField(DateTimeLocalField):
    """A date and time in the site's time zone (PLAZA_TIMEZONE); `utc` gives it back as aware UTC."""

    def __init__(self, label, not_a_date_message, **kwargs):
        super().__init__(label, format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"], **kwargs)
        self.not_a_date_message = not_a_date_message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.not_a_date_message) from None

    @property
    def utc(self) -> datetime | None:
        if self.data is None:
            return None
        return get_timezone().localize(self.data).astimezone(UTC)

    @staticmethod
    def local(moment: datetime) -> datetime:
        return to_user_timezone(moment).replace(tzinfo=None, second=0, microsecond=0)


class MeetingForm(FlaskForm):
    title = StringField(
        _l("Title"),
        filters=[strip_text],
        validators=[InputRequired(message=_l("Enter a title for the meeting."))],
    )
    description = TextAreaField(
        _l("What the meeting is about (optional)"),
        description=_l("Paragraphs, lists, links and bold or italic text are kept; other formatting is removed."),
        render_kw={"rows": 6},
    )
    kind = SelectField(
        _l("How people take part"),
        choices=[(kind.value, name) for kind, name in KIND_NAMES.items()],
        default=MeetingKind.IN_PERSON.value,
    )
    address = StringField(
        _l("Address"),
        filters=[strip_text],
        description=_l("Needed for meetings in person. Include the room or entrance if it is hard to find."),
        render_kw={"autocomplete": "street-address"},
    )
    online_url = StringField(
        _l("Link to join online"),
        filters=[strip_text],
        description=_l("Needed for online meetings. It must start with https:// or http://."),
        validators=[_web_address],
        render_kw={"inputmode": "url", "spellcheck": "false", "autocapitalize": "none"},
    )
    starts_at = _LocalDateTimeField(
        _l("Starts"),
        _l("Enter the date and time the meeting starts, for example 2030-06-14 18:30."),
        validators=[InputRequired(message=_l("Enter when the meeting starts."))],
    )
    ends_at = _LocalDateTimeField(
        _l("Ends"),
        _l("Enter the date and time the meeting ends, for example 2030-06-14 20:00."),
        validators=[InputRequired(message=_l("Enter when the meeting ends."))],
    )
    capacity = WholeNumberField(
        _l("Number of places (optional)"),
        description=_l("Leave empty if any number of people can come. When it is full, people join a waiting "
                       "list."),
        validators=[Optional()],
        minimum=1,
        maximum=MAX_CAPACITY,
        message=_l("Enter a number of places from 1 to %(max)d, or leave it empty for no limit.", max=MAX_CAPACITY),
        render_kw={"min": 1, "max": MAX_CAPACITY},
    )
    step_free_access = BooleanField(_l("Step-free access (no steps, or a ramp or lift)"))
    sign_language = BooleanField(_l("Sign language interpretation"))
    hearing_loop = BooleanField(_l("Hearing loop"))
    childcare = BooleanField(_l("Childcare"))
    languages_spoken = StringField(
        _l("Languages spoken (optional)"),
        filters=[strip_text],
        description=_l("Separate them with commas, for example: English, Spanish, Arabic."),
    )
    accessibility_notes = TextAreaField(
        _l("Other accessibility information (optional)"),
        description=_l("For example quiet room, large-print papers, nearest accessible parking."),
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Save the meeting"))

    def meeting_fields(self) -> dict:
        """The fields as the services take them: times in UTC, capacity None when empty."""
        return {
            "title": self.title.data,
            "description": self.description.data or "",
            "kind": MeetingKind(self.kind.data),
            "address": self.address.data,
            "online_url": self.online_url.data,
            "starts_at": self.starts_at.utc,
            "ends_at": self.ends_at.utc,
            "capacity": self.capacity.data,
            "step_free_access": self.step_free_access.data,
            "sign_language": self.sign_language.data,
            "hearing_loop": self.hearing_loop.data,
            "childcare": self.childcare.data,
            "languages_spoken": self.languages_spoken.data,
            "accessibility_notes": self.accessibility_notes.data,
        }

    @classmethod
    def data_of(cls, meeting: Meeting) -> dict:
        """What the form shows when editing `meeting`."""
        return {
            "title": meeting.title, "description": editable_source(meeting.description), "kind": meeting.kind.value,
            "address": meeting.address or "", "online_url": meeting.online_url or "",
            "starts_at": _LocalDateTimeField.local(meeting.starts_at),
            "ends_at": _LocalDateTimeField.local(meeting.ends_at),
            "capacity": meeting.capacity, "step_free_access": meeting.step_free_access,
            "sign_language": meeting.sign_language, "hearing_loop": meeting.hearing_loop,
            "childcare": meeting.childcare, "languages_spoken": meeting.languages_spoken,
            "accessibility_notes": meeting.accessibility_notes,
        }


class NewMeetingForm(MeetingForm):
    submission_key = submission_key_field()
    submit = SubmitField(_l("Add the meeting"))
