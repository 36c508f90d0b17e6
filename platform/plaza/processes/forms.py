"""Forms organisers fill in to set up a consultation and its phases.

Phases work without JavaScript: the form has one row per phase kind, in the order a consultation runs
through them. An organiser ticks the rows the consultation has, and gives each its dates and components.
Dates and times are typed in the app's time zone (BABEL_DEFAULT_TIMEZONE) and stored in UTC.
"""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from plaza.config import LANGUAGES
from plaza.phases import COMPONENT_NAMES, DEFAULT_COMPONENTS, PHASE_NAMES, Component, PhaseKind
from plaza.processes import services
from plaza.processes.services import PhasePlan
from plaza.web.fields import WholeNumberField, strip_text

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Addresses under /processes/ that are pages of Plaza, not consultations.
RESERVED_SLUGS = frozenset({"new", "moderation"})
MAX_EDIT_WINDOW_MINUTES = 7 * 24 * 60
MAX_SUPPORT_THRESHOLD = 10_000_000
MAX_SUPPORTS_PER_RESIDENT = 10_000
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def app_timezone() -> ZoneInfo:
    """The zone organisers type dates and times in."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _lower(value):
    return value.lower() if isinstance(value, str) else value


class _SaysWhatToType:
    """A field that, when it cannot read what was typed, says so in Plaza's words (and catalogs)."""

    def __init__(self, *args, unreadable, **kwargs):
        super().__init__(*args, **kwargs)
        self.unreadable = unreadable

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.unreadable) from None


class MomentField(_SaysWhatToType, DateTimeLocalField):
    """A date and time typed in the app's time zone; `data` is naive, `utc()` gives it in UTC."""

    def utc(self) -> datetime | None:
        return self.data.replace(tzinfo=app_timezone()).astimezone(UTC) if self.data else None


def _optional_count(label, description, maximum):
    return WholeNumberField(
        label,
        description=description,
        validators=[Optional()],
        minimum=1,
        maximum=maximum,
        message=_l("Enter a whole number from 1 to %(max)d, or leave it empty.", max=maximum),
    )


def _moment(label):
    return MomentField(
        label,
        format=DATETIME_FORMATS,
        validators=[Optional()],
        unreadable=_l("Enter a date and a time, for example 2030-05-31 18:00."),
    )


def local_time(moment: datetime) -> datetime:
    """A stored UTC time as organisers type it: naive, in the app's time zone."""
    return moment.astimezone(app_timezone()).replace(tzinfo=None)


def _phase_title(default):
    return StringField(
        _l("Title"),
        default=default,
        filters=[strip_text],
        validators=[Length(max=120, message=_l("Use at most %(max)d characters."))],
    )


def _phase_components(default):
    return SelectMultipleField(
        _l("What residents can do in this phase"),
        choices=[(component.value, COMPONENT_NAMES[component]) for component in Component],
        default=default,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class PhaseForm(Form):
    """One row of the phase table. Rows left out are not checked: what is typed in them is ignored."""

    kind: PhaseKind  # each subclass is the row of one kind, see _phase_field

    include = BooleanField(_l("Include this phase"))
    title = _phase_title(None)
    starts_at = _moment(_l("Starts"))
    ends_at = _moment(_l("Ends"))
    components = _phase_components(())

    def validate(self, extra_validators=None) -> bool:
        if not self.include.data:
            return True
        valid = super().validate(extra_validators)
        required = (
            (self.title, _l("Enter a title for this phase.")),
            (self.starts_at, _l("Enter the date and time this phase starts.")),
            (self.ends_at, _l("Enter the date and time this phase ends.")),
        )
        for field, message in required:
            if not field.errors and not field.data:
                field.errors = [*field.errors, message]
                valid = False
        if valid and self.ends_at.data <= self.starts_at.data:
            self.ends_at.errors = [*self.ends_at.errors, _l("The phase must end after it starts.")]
            valid = False
        return valid

    def plan(self) -> PhasePlan:
        return PhasePlan(
            kind=self.kind,
            title=self.title.data,
            starts_at=self.starts_at.utc(),
            ends_at=self.ends_at.utc(),
            components=frozenset(Component(value) for value in self.components.data or ()),
        )


def _phase_field(kind: PhaseKind) -> FormField:
    """The row for one phase kind; its title and components default to the kind's."""
    defaults = [component.value for component in Component if component in DEFAULT_COMPONENTS[kind]]
    row_class = type(f"{kind.name.title()}PhaseForm", (PhaseForm,), {
        "kind": kind, "title": _phase_title(PHASE_NAMES[kind]), "components": _phase_components(defaults),
    })
    return FormField(row_class, label=PHASE_NAMES[kind])


class ProcessForm(FlaskForm):
    title = StringField(
        _l("Title"),
        filters=[strip_text],
        description=_l("Say what residents are asked about, for example “A new park for the river bank”."),
        validators=[DataRequired(message=_l("Enter a title.")),
                    Length(max=200, message=_l("Use at most %(max)d characters."))],
    )
    summary = TextAreaField(
        _l("Summary"),
        filters=[strip_text],
        description=_l("One or two sentences, shown in the list of consultations."),
        validators=[DataRequired(message=_l("Enter a summary.")),
                    Length(max=500, message=_l("Use at most %(max)d characters."))],
        render_kw={"rows": 3},
    )
    body = TextAreaField(
        _l("Description (optional)"),
        filters=[strip_text],
        description=_l("What the consultation is about, what is already decided and what happens with the "
                       "results."),
        validators=[Length(max=20000, message=_l("Use at most %(max)d characters."))],
        render_kw={"rows": 10},
    )
    language = SelectField(_l("Language it is written in"))
    slug = StringField(
        _l("Web address (optional)"),
        filters=[strip_text, _lower],
        description=_l("The end of the address of the consultation's page, for example river-park. Small "
                       "letters, digits and dashes. Leave it empty to make one from the title."),
        validators=[Optional(), Length(max=80, message=_l("Use at most %(max)d characters."))],
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )
    support_threshold = _optional_count(
        _l("Supports a proposal needs (optional)"),
        _l("Proposals with this many supports go on to the vote. Leave it empty if there is no threshold."),
        MAX_SUPPORT_THRESHOLD,
    )
    supports_per_resident = _optional_count(
        _l("Supports each resident may give (optional)"),
        _l("Leave it empty to let residents support as many proposals as they like."),
        MAX_SUPPORTS_PER_RESIDENT,
    )
    edit_window_minutes = WholeNumberField(
        _l("Minutes authors may edit a proposal"),
        description=_l("After publishing, from 0 to %(max)d minutes (one week).", max=MAX_EDIT_WINDOW_MINUTES),
        default=60,
        validators=[InputRequired(message=_l("Enter a number of minutes from 0 to %(max)d.",
                                             max=MAX_EDIT_WINDOW_MINUTES))],
        minimum=0,
        maximum=MAX_EDIT_WINDOW_MINUTES,
        message=_l("Enter a number of minutes from 0 to %(max)d.", max=MAX_EDIT_WINDOW_MINUTES),
    )

    phase_information = _phase_field(PhaseKind.INFORMATION)
    phase_proposals = _phase_field(PhaseKind.PROPOSALS)
    phase_deliberation = _phase_field(PhaseKind.DELIBERATION)
    phase_voting = _phase_field(PhaseKind.VOTING)
    phase_implementation = _phase_field(PhaseKind.IMPLEMENTATION)

    submit = SubmitField(_l("Create the consultation"))

    def __init__(self, *args, process=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.process = process  # the consultation being edited, None when creating one
        self.phase_errors: list[str] = []  # errors about the phases together (overlaps, none at all)
        codes = list(current_app.config["PLAZA_LANGUAGES"])
        if process is not None and process.language not in codes:
            codes.append(process.language)  # keep a language no longer offered, rather than change it
        self.language.choices = [(code, LANGUAGES.get(code, code)) for code in codes]

    @property
    def errors(self):
        errors = super().errors
        if self.phase_errors:
            errors["phases"] = self.phase_errors
        return errors

    def add_rule_error(self, field: str | None, message: str) -> bool:
        if field != "phases":
            return False
        self.phase_errors.append(message)
        return True

    def phase_rows(self) -> list[tuple[PhaseKind, FormField]]:
        return [(kind, getattr(self, f"phase_{kind.value}")) for kind in PhaseKind]

    def phase_plans(self) -> list[PhasePlan]:
        return [row.form.plan() for _kind, row in self.phase_rows() if row.include.data]

    def settings(self) -> dict:
        return {
            "support_threshold": self.support_threshold.data,
            "supports_per_resident": self.supports_per_resident.data,
            "edit_window_minutes": self.edit_window_minutes.data,
        }

    def validate_slug(self, field) -> None:
        if not SLUG_PATTERN.match(field.data):
            raise ValidationError(_l("Use only small letters, digits and single dashes, for example river-park."))
        if field.data in RESERVED_SLUGS:
            raise ValidationError(_l("Plaza uses this address for one of its own pages. Choose another."))
        other = services.get_by_slug(field.data)
        if other is not None and other is not self.process:
            raise ValidationError(_l("Another consultation already uses this web address. Choose another."))


def form_data(process) -> dict:
    """What the edit form shows for a consultation. A form row holds one phase of each kind; if a process
    has two of a kind (possible only outside these pages), the first is shown."""
    data = {
        "title": process.title, "summary": process.summary, "body": process.body, "language": process.language,
        "slug": process.slug, "support_threshold": process.support_threshold,
        "supports_per_resident": process.supports_per_resident,
        "edit_window_minutes": process.edit_window_minutes,
    }
    for phase in process.phases:
        key = f"phase_{phase.kind.value}"
        if key in data:
            continue
        data[key] = {
            "include": True, "title": phase.title, "starts_at": local_time(phase.starts_at),
            "ends_at": local_time(phase.ends_at),
            "components": [component.value for component in Component if component in phase.components],
        }
    return data


def hidden_phases(process) -> list:
    """Phases the edit form cannot show: the second and later of a kind."""
    seen, hidden = set(), []
    for phase in process.phases:
        if phase.kind in seen:
            hidden.append(phase)
        seen.add(phase.kind)
    return hidden

