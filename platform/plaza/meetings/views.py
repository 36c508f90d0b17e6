from urllib.parse import urlsplit

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_time, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.meetings import bp, ics, services
from plaza.meetings.forms import KIND_NAMES, CancelForm, LeaveForm, MeetingForm, NewMeetingForm, RegisterForm
from plaza.meetings.models import RegistrationStatus
from plaza.permissions import can
from plaza.processes.services import get_by_slug_or_404

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


def _render_invalid(template: str, form, status: int = 400, **context):
    """Re-show a form with its errors; a POST that did not validate is a 400 for clients and tests."""
    return render_template(template, form=form, **context), status if request.method == "POST" else 200


def _meeting_or_404(process, meeting_id: int):
    meeting = services.get_meeting(process, meeting_id)
    if meeting is None:
        abort(404)
    return meeting


def _require_manage(process) -> None:
    if not can(current_user, "meeting.manage", process):
        abort(403)


@bp.route("/<slug>/meetings")
def index(slug: str):
    process = get_by_slug_or_404(slug)
    upcoming, past = services.meetings_of(process)
    return render_template(
        "meetings/index.html", process=process, upcoming=upcoming, past=past,
        statuses=services.statuses_of(current_user, upcoming + past),
        can_manage=can(current_user, "meeting.manage", process),
    )


def _render_meeting(process, meeting, problem: str | None = None, status: int = 200):
    registration = services.registration_of(current_user, meeting)
    return render_template(
        "meetings/show.html", process=process, meeting=meeting, registration=registration,
        position=services.waiting_position(registration) if registration else None,
        waiting=services.waiting_count(meeting),
        can_register=can(current_user, "meeting.register", process),
        can_manage=can(current_user, "meeting.manage", process),
        register_form=RegisterForm(), leave_form=LeaveForm(), problem=problem,
    ), status


@bp.route("/<slug>/meetings/<id:meeting_id>")
def show(slug: str, meeting_id: int):
    process = get_by_slug_or_404(slug)
    return _render_meeting(process, _meeting_or_404(process, meeting_id))


@bp.route("/<slug>/meetings/<id:meeting_id>.ics")
def calendar(slug: str, meeting_id: int):
    process = get_by_slug_or_404(slug)
    meeting = _meeting_or_404(process, meeting_id)
    base = current_app.config["PLAZA_BASE_URL"].rstrip("/")
    page_url = base + url_for(".show", slug=slug, meeting_id=meeting.id)
    available = [str(label) for name, label in ACCESSIBILITY if getattr(meeting, name)]
    lines = [_("Accessibility: %(items)s", items=", ".join(available))] if available else []
    if meeting.languages_spoken:
        lines.append(_("Languages spoken: %(languages)s", languages=meeting.languages_spoken))
    if meeting.accessibility_notes:
        lines.append(meeting.accessibility_notes)
    body = ics.meeting_calendar(meeting, page_url, urlsplit(base).hostname or "plaza", accessibility=lines)
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="meeting-{meeting.id}.ics"'})


@bp.route("/<slug>/meetings/new", methods=["GET", "POST"])
def new(slug: str):
    process = get_by_slug_or_404(slug)
    _require_manage(process)
    form = NewMeetingForm()
    if form.validate_on_submit():
        try:
            meeting = services.create_meeting(current_user, process, submission_key=form.submission_key.data,
                                              **form.meeting_fields())
        except RuleBroken as error:
            db.session.rollback()
            error.show_on(form)
        else:
            flash(_("The meeting is added."), "success")
            return redirect(url_for(".show", slug=slug, meeting_id=meeting.id))
    return _render_invalid("meetings/form.html", form, process=process, meeting=None)


@bp.route("/<slug>/meetings/<id:meeting_id>/edit", methods=["GET", "POST"])
def edit(slug: str, meeting_id: int):
    process = get_by_slug_or_404(slug)
    _require_manage(process)
    meeting = _meeting_or_404(process, meeting_id)
    if meeting.is_cancelled:
        flash(_("This meeting is cancelled: it can no longer be changed."), "error")
        return redirect(url_for(".show", slug=slug, meeting_id=meeting.id))
    form = MeetingForm() if request.method == "POST" else MeetingForm(data=MeetingForm.data_of(meeting))
    if form.validate_on_submit():
        try:
            services.update_meeting(current_user, meeting, **form.meeting_fields())
        except RuleBroken as error:
            db.session.rollback()
            error.show_on(form)
        else:
            flash(_("The meeting is saved."), "success")
            return redirect(url_for(".show", slug=slug, meeting_id=meeting.id))
    return _render_invalid("meetings/form.html", form, process=process, meeting=meeting)


@bp.route("/<slug>/meetings/<id:meeting_id>/cancel", methods=["GET", "POST"])
def cancel(slug: str, meeting_id: int):
    process = get_by_slug_or_404(slug)
    _require_manage(process)
    meeting = _meeting_or_404(process, meeting_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            services.cancel_meeting(current_user, meeting)
        except RuleBroken as error:
            db.session.rollback()
            error.show_on(form)
        else:
            flash(_("The meeting is cancelled."), "success")
            return redirect(url_for(".show", slug=slug, meeting_id=meeting.id))
    return _render_invalid("meetings/cancel.html", form, process=process, meeting=meeting)


@bp.route("/<slug>/meetings/<id:meeting_id>/register", methods=["POST"])
def register(slug: str, meeting_id: int):
    process = get_by_slug_or_404(slug)
    meeting = _meeting_or_404(process, meeting_id)
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=url_for(".show", slug=slug, meeting_id=meeting.id)))
    if not RegisterForm().validate_on_submit():
        abort(400)
    try:
        registration = services.register(current_user, meeting)
    except RuleBroken as error:
        db.session.rollback()
        return _render_meeting(process, meeting, problem=error.message, status=error.status)
    if registration.status is RegistrationStatus.CONFIRMED:
        flash(_("You have a place at this meeting."), "success")
    else:
        flash(_("The meeting is full. You are on the waiting list: if a place becomes free, it is yours."),
              "success")
    return redirect(url_for(".show", slug=slug, meeting_id=meeting.id))


@bp.route("/<slug>/meetings/<id:meeting_id>/leave", methods=["POST"])
def leave(slug: str, meeting_id: int):
    process = get_by_slug_or_404(slug)
    meeting = _meeting_or_404(process, meeting_id)
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=url_for(".show", slug=slug, meeting_id=meeting.id)))
    if not LeaveForm().validate_on_submit():
        abort(400)
    try:
        services.unregister(current_user, meeting)
    except RuleBroken as error:
        db.session.rollback()
        return _render_meeting(process, meeting, problem=error.message, status=error.status)
    flash(_("You are no longer registered for this meeting."), "success")
    return redirect(url_for(".show", slug=slug, meeting_id=meeting.id))
