"""Meetings of a consultation: the list, a meeting's page and calendar file, the organisers' forms, and
the buttons residents take or give up a place with."""

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_time, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from plaza.errors import RuleBroken
from plaza.i18n import format_list
from plaza.meetings import bp, ics, services
from plaza.meetings.forms import KIND_NAMES, MeetingForm, NewMeetingForm
from plaza.meetings.models import Meeting, RegistrationStatus
from plaza.permissions import can
from plaza.phases import Component
from plaza.processes.scope import current_process
from plaza.web.access import get_for, get_or_404
from plaza.web.forms import ButtonForm
from plaza.web.pages import form_page
from plaza.web.responses import attachment

ACCESSIBILITY = (
    ("step_free_access", _l("Step-free access")),
    ("sign_language", _l("Sign language interpretation")),
    ("hearing_loop", _l("Hearing loop")),
    ("childcare", _l("Childcare")),
)


@bp.context_processor
def meeting_helpers() -> dict:
    return {"when": _when, "iso_utc": _iso_utc, "time_zone": lambda: str(get_timezone()), "kind_names": KIND_NAMES,
            "accessibility_items": ACCESSIBILITY, "RegistrationStatus": RegistrationStatus}


def _when(meeting) -> str:
    """"Saturday, June 14, 2030, 6:30 PM to 8:00 PM" in the visitor's language and the site's time zone."""
    start_date, end_date = format_date(meeting.starts_at, "full"), format_date(meeting.ends_at, "full")
    start, end = format_time(meeting.starts_at, "short"), format_time(meeting.ends_at, "short")
    if start_date == end_date:
        return _("%(date)s, %(start)s to %(end)s", date=start_date, start=start, end=end)
    return _("%(start_date)s, %(start)s to %(end_date)s, %(end)s", start_date=start_date, start=start,
             end_date=end_date, end=end)


def _iso_utc(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _meeting(meeting_id: int) -> Meeting:
    return get_or_404(Meeting, meeting_id, process_id=current_process().id)


def _managed_meeting(meeting_id: int) -> Meeting:
    return get_for("meeting.manage", Meeting, meeting_id, process_id=current_process().id)


@bp.route("/meetings")
def index():
    process = current_process()
    upcoming, past = services.meetings_of(process)
    return render_template(
        "meetings/index.html", process=process, upcoming=upcoming, past=past,
        statuses=services.statuses_of(current_user, upcoming + past),
        can_manage=can(current_user, "meeting.manage", process),
    )


def _meeting_page(meeting: Meeting, problem: RuleBroken | None = None):
    """A meeting's page. A refused registration button shows its message here, with the rule's status,
    rather than being flashed: the person sees why next to the button they pressed."""
    process = current_process()
    registration = services.registration_of(current_user, meeting)
    return render_template(
        "meetings/show.html", process=process, meeting=meeting, registration=registration,
        position=services.waiting_position(registration) if registration else None,
        waiting=services.waiting_count(meeting),
        can_register=can(current_user, "meeting.register", process),
        can_manage=can(current_user, "meeting.manage", process),
        form=ButtonForm(), problem=problem.message if problem else None,
    ), problem.status if problem else 200


@bp.route("/meetings/<id:meeting_id>")
def show(meeting_id: int):
    return _meeting_page(_meeting(meeting_id))


@bp.route("/meetings/<id:meeting_id>.ics")
def calendar(meeting_id: int):
    meeting = _meeting(meeting_id)
    base = current_app.config["PLAZA_BASE_URL"].rstrip("/")
    page_url = base + url_for(".show", meeting_id=meeting.id)
    available = [str(label) for name, label in ACCESSIBILITY if getattr(meeting, name)]
    lines = [_("Accessibility: %(items)s", items=format_list(available))] if available else []
    if meeting.languages_spoken:
        lines.append(_("Languages spoken: %(languages)s", languages=meeting.languages_spoken))
    if meeting.accessibility_notes:
        lines.append(meeting.accessibility_notes)
    body = ics.meeting_calendar(meeting, page_url, urlsplit(base).hostname or "plaza", accessibility=lines)
    return attachment(body, "text/calendar; charset=utf-8", f"meeting-{meeting.id}.ics")


@bp.route("/meetings/new", methods=["GET", "POST"])
def new():
    process = current_process()
    # Not `allowed`: visitors who are not signed in get the same 403 as residents, not a sign-in page.
    if not can(current_user, "meeting.manage", process):
        abort(403)
    form = NewMeetingForm()

    def save():
        meeting = services.create_meeting(current_user, process, submission_key=form.submission_key.data,
                                          **form.meeting_fields())
        flash(_("The meeting is added."), "success")
        return redirect(url_for(".show", meeting_id=meeting.id))

    return form_page("meetings/form.html", form, save, process=process, meeting=None)


@bp.route("/meetings/<id:meeting_id>/edit", methods=["GET", "POST"])
def edit(meeting_id: int):
    meeting = _managed_meeting(meeting_id)
    if meeting.is_cancelled:
        flash(_("This meeting is cancelled: it can no longer be changed."), "error")
        return redirect(url_for(".show", meeting_id=meeting.id))
    form = MeetingForm() if request.method == "POST" else MeetingForm(data=MeetingForm.data_of(meeting))

    def save():
        services.update_meeting(current_user, meeting, **form.meeting_fields())
        flash(_("The meeting is saved."), "success")
        return redirect(url_for(".show", meeting_id=meeting.id))

    return form_page("meetings/form.html", form, save, process=meeting.process, meeting=meeting)


@bp.route("/meetings/<id:meeting_id>/cancel", methods=["GET", "POST"])
def cancel(meeting_id: int):
    meeting = _managed_meeting(meeting_id)

    def save():
        services.cancel_meeting(current_user, meeting)
        flash(_("The meeting is cancelled."), "success")
        return redirect(url_for(".show", meeting_id=meeting.id))

    return form_page("meetings/cancel.html", ButtonForm(), save, process=meeting.process, meeting=meeting)


def _registration_button(meeting_id: int, act: Callable[[Meeting], str]):
    """Register and leave: a POST button on the meeting's page. `act` returns the message to flash."""
    meeting = _meeting(meeting_id)
    back = url_for(".show", meeting_id=meeting.id)
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=back))
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        message = act(meeting)
    except RuleBroken as error:
        return _meeting_page(meeting, problem=error)
    flash(message, "success")
    return redirect(back)


@bp.route("/meetings/<id:meeting_id>/register", methods=["POST"])
def register(meeting_id: int):
    def act(meeting: Meeting) -> str:
        if services.register(current_user, meeting).status is RegistrationStatus.CONFIRMED:
            return _("You have a place at this meeting.")
        return _("The meeting is full. You are on the waiting list: if a place becomes free, it is yours.")

    return _registration_button(meeting_id, act)


@bp.route("/meetings/<id:meeting_id>/leave", methods=["POST"])
def leave(meeting_id: int):
    def act(meeting: Meeting) -> str:
        services.unregister(current_user, meeting)
        return _("You are no longer registered for this meeting.")

    return _registration_button(meeting_id, act)


def process_panel(process, _user) -> dict | None:
    """The process page links to the meetings while the active phase enables them."""
    phase = process.active_phase()
    return {} if phase is not None and Component.MEETINGS in phase.components else None
