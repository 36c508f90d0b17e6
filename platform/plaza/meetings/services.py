"""Rules for meetings: organisers plan, change and cancel them; residents take a place or join the waiting list.

Every change to who has a place at a meeting runs in one transaction that first locks the meeting's row
(`_lock`), so registrations, departures and capacity changes of one meeting happen one after the other.
"""

from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from plaza import outbox, submissions
from plaza.audit import services as audit
from plaza.clock import utcnow
from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.meetings.models import Meeting, MeetingKind, MeetingRegistration, RegistrationStatus
from plaza.permissions import Forbidden, authorize
from plaza.text import clean_html

FIELDS = (
    "title", "description", "kind", "address", "online_url", "starts_at", "ends_at", "capacity",
    "step_free_access", "sign_language", "hearing_loop", "childcare", "languages_spoken", "accessibility_notes",
)
LINK_SCHEMES = ("http", "https")


# --- organisers -------------------------------------------------------------------------------------------


def create_meeting(organiser, process, submission_key: str | None = None, **fields) -> Meeting:
    """A new meeting. The same submission key twice (a double click, a resent form) gives back the first."""
    authorize(organiser, "meeting.manage", process)
    submission_key = submission_key or submissions.new_key()
    earlier = submissions.earlier_result(organiser, "meeting", process.id, submission_key, Meeting)
    if earlier is not None:
        return earlier
    values = _clean_fields(fields, None)
    if values["starts_at"] <= utcnow():
        raise RuleBroken(_("Choose a start time in the future."), field="starts_at")
    meeting = Meeting(process_id=process.id, created_by_id=organiser.id, **values)
    db.session.add(meeting)
    db.session.flush()
    submissions.record(organiser, "meeting", process.id, submission_key, meeting.id)
    audit.record("meeting.created", organiser, process_id=process.id, meeting_id=meeting.id, title=meeting.title)
    try:
        db.session.commit()
    except IntegrityError:  # the same form, sent twice at once: the other request made the meeting
        db.session.rollback()
        earlier = submissions.earlier_result(organiser, "meeting", process.id, submission_key, Meeting)
        if earlier is None:
            raise
        return earlier
    return meeting


def update_meeting(organiser, meeting: Meeting, **fields) -> Meeting:
    """Change a meeting; people following it hear about it through the outbox event `meeting.changed`."""
    authorize(organiser, "meeting.manage", meeting.process)
    if meeting.is_cancelled:
        raise RuleBroken(_("This meeting is cancelled: it can no longer be changed."))
    values = _clean_fields(fields, meeting)
    changed = sorted(name for name, value in values.items() if getattr(meeting, name) != value)
    if not changed:
        return meeting
    if "starts_at" in changed and values["starts_at"] <= utcnow():
        raise RuleBroken(_("Choose a start time in the future."), field="starts_at")
    if "capacity" in changed:
        _lock(meeting)  # nobody takes or leaves a place while the capacity changes
        if values["capacity"] is not None and values["capacity"] < meeting.confirmed_count:
            taken = meeting.confirmed_count
            db.session.rollback()
            raise RuleBroken(_("%(count)d people already have a place. Choose at least %(count)d places, or "
                               "leave the field empty for no limit.", count=taken), field="capacity")
    for name in changed:
        setattr(meeting, name, values[name])
    meeting.sequence += 1
    db.session.flush()
    if "capacity" in changed:
        _fill_places(meeting)  # more places: the waiting list moves up
    outbox.record("meeting.changed", meeting_id=meeting.id, process_id=meeting.process_id, change="updated",
                  fields=changed)
    audit.record("meeting.updated", organiser, meeting_id=meeting.id, fields=changed)
    db.session.commit()
    return meeting


def cancel_meeting(organiser, meeting: Meeting) -> Meeting:
    """Cancel a meeting. It stays on the list, marked as cancelled; registrations are kept so that the people
    who registered can be told."""
    authorize(organiser, "meeting.manage", meeting.process)
    if meeting.has_ended():
        raise RuleBroken(_("This meeting has already taken place."))
    # Conditional: of two organisers cancelling at the same moment, one cancels and one is told it is done.
    cancelled = db.session.execute(
        sa.update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.cancelled_at.is_(None))
        .values(cancelled_at=utcnow(), sequence=Meeting.sequence + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not cancelled:
        db.session.rollback()
        raise RuleBroken(_("This meeting is already cancelled."))
    outbox.record("meeting.changed", meeting_id=meeting.id, process_id=meeting.process_id, change="cancelled")
    audit.record("meeting.cancelled", organiser, meeting_id=meeting.id)
    db.session.commit()  # expires `meeting`: its next use reads cancelled_at back
    return meeting


# --- residents --------------------------------------------------------------------------------------------


def register(user, meeting: Meeting) -> MeetingRegistration:
    """Give `user` a place at the meeting, or a place on its waiting list when it is full."""
    _refuse_if_closed(meeting)
    authorize(user, "meeting.register", meeting.process)
    _lock(meeting)
    if meeting.is_cancelled:  # cancelled while we waited for the lock
        db.session.rollback()
        raise RuleBroken(_("This meeting is cancelled."))
    existing = _registration(user, meeting)
    if existing is not None:
        db.session.rollback()
        raise RuleBroken(_already_registered(existing.status))
    # Who gets the last place is decided by one conditional UPDATE of the meeting's counter, not by counting
    # rows and then inserting: of two concurrent requests, PostgreSQL makes the second UPDATE wait for the
    # first and re-evaluate its WHERE clause against the committed counter, and SQLite runs one writer at a
    # time, so the counter never passes the capacity (the `not_overbooked` check constraint would refuse it
    # anyway). The row lock taken just before orders this with people leaving: a place freed at the same
    # moment is either seen by our UPDATE or, if the leaver commits after us, given to our waiting row.
    status = RegistrationStatus.CONFIRMED if _take_place(meeting.id) else RegistrationStatus.WAITING
    registration = MeetingRegistration(meeting_id=meeting.id, user_id=user.id, status=status)
    db.session.add(registration)
    try:
        db.session.flush()
    except IntegrityError:  # the same person, twice at once: the unique constraint keeps one row
        db.session.rollback()
        raise RuleBroken(_already_registered(None)) from None
    db.session.commit()
    return registration


def unregister(user, meeting: Meeting) -> list[MeetingRegistration]:
    """Give up a place (or leave the waiting list). A freed place goes to the person waiting longest, in the
    same transaction. Returns the registrations that moved up from the waiting list.

    Leaving needs no phase: a person must always be able to withdraw."""
    if user is None or not user.is_authenticated:
        raise Forbidden(_("Sign in to take part."))
    if meeting.has_started():
        raise RuleBroken(_("This meeting has already started."))
    _lock(meeting)
    registration = _registration(user, meeting)
    if registration is None:
        db.session.rollback()
        raise RuleBroken(_("You are not registered for this meeting."))
    was_confirmed = registration.status is RegistrationStatus.CONFIRMED
    db.session.delete(registration)
    db.session.flush()
    promoted: list[MeetingRegistration] = []
    if was_confirmed:
        db.session.execute(
            sa.update(Meeting).where(Meeting.id == meeting.id)
            .values(confirmed_count=Meeting.confirmed_count - 1)
            .execution_options(synchronize_session=False)
        )
        if not meeting.is_cancelled:
            promoted = _fill_places(meeting)
    db.session.commit()
    return promoted


# --- reading ----------------------------------------------------------------------------------------------


def meetings_of(process, now: datetime | None = None) -> tuple[list[Meeting], list[Meeting]]:
    """(upcoming, soonest first; past, latest first) in one query."""
    now = now or utcnow()
    meetings = db.session.scalars(
        sa.select(Meeting).where(Meeting.process_id == process.id).order_by(Meeting.starts_at, Meeting.id)
    ).all()
    upcoming = [meeting for meeting in meetings if not meeting.has_ended(now)]
    past = [meeting for meeting in reversed(meetings) if meeting.has_ended(now)]
    return upcoming, past


def get_meeting(process, meeting_id: int) -> Meeting | None:
    return db.session.scalar(sa.select(Meeting).where(Meeting.id == meeting_id, Meeting.process_id == process.id))


def registration_of(user, meeting: Meeting) -> MeetingRegistration | None:
    if user is None or not user.is_authenticated:
        return None
    return _registration(user, meeting)


def statuses_of(user, meetings: list[Meeting]) -> dict[int, RegistrationStatus]:
    """The user's registration status for each of these meetings, in one query."""
    if user is None or not user.is_authenticated or not meetings:
        return {}
    rows = db.session.execute(
        sa.select(MeetingRegistration.meeting_id, MeetingRegistration.status).where(
            MeetingRegistration.user_id == user.id,
            MeetingRegistration.meeting_id.in_([meeting.id for meeting in meetings]),
        )
    )
    return {meeting_id: status for meeting_id, status in rows}


def waiting_count(meeting: Meeting) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(MeetingRegistration.id)).where(
            MeetingRegistration.meeting_id == meeting.id, MeetingRegistration.status == RegistrationStatus.WAITING
        )
    )


def waiting_position(registration: MeetingRegistration) -> int | None:
    """1 for the person waiting longest; None if this registration has a place."""
    if registration.status is not RegistrationStatus.WAITING:
        return None
    return db.session.scalar(
        sa.select(sa.func.count(MeetingRegistration.id)).where(*_waiting_before_or_at(registration))
    )


# --- helpers ----------------------------------------------------------------------------------------------


def _lock(meeting: Meeting) -> None:
    """Lock the meeting's row until the transaction ends (SELECT … FOR UPDATE on PostgreSQL; SQLite has one
    writer at a time anyway) and read its counter afresh."""
    db.session.refresh(meeting, with_for_update=True)


def _take_place(meeting_id: int) -> bool:
    """Take one place if one is free; True if taken."""
    result = db.session.execute(
        sa.update(Meeting)
        .where(Meeting.id == meeting_id,
               sa.or_(Meeting.capacity.is_(None), Meeting.confirmed_count < Meeting.capacity))
        .values(confirmed_count=Meeting.confirmed_count + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _fill_places(meeting: Meeting) -> list[MeetingRegistration]:
    """Move people up from the waiting list, longest waiting first, while places are free. The caller holds
    the meeting's lock."""
    promoted = []
    while True:
        waiting = db.session.scalar(
            sa.select(MeetingRegistration)
            .where(MeetingRegistration.meeting_id == meeting.id,
                   MeetingRegistration.status == RegistrationStatus.WAITING)
            .order_by(MeetingRegistration.created_at, MeetingRegistration.id)
            .limit(1)
        )
        if waiting is None or not _take_place(meeting.id):
            return promoted
        waiting.status = RegistrationStatus.CONFIRMED
        db.session.flush()
        promoted.append(waiting)


def _registration(user, meeting: Meeting) -> MeetingRegistration | None:
    return db.session.scalar(
        sa.select(MeetingRegistration).where(
            MeetingRegistration.meeting_id == meeting.id, MeetingRegistration.user_id == user.id
        )
    )


def _waiting_before_or_at(registration: MeetingRegistration):
    return (
        MeetingRegistration.meeting_id == registration.meeting_id,
        MeetingRegistration.status == RegistrationStatus.WAITING,
        sa.or_(
            MeetingRegistration.created_at < registration.created_at,
            sa.and_(MeetingRegistration.created_at == registration.created_at,
                    MeetingRegistration.id <= registration.id),
        ),
    )


def _refuse_if_closed(meeting: Meeting) -> None:
    if meeting.is_cancelled:
        raise RuleBroken(_("This meeting is cancelled."))
    if meeting.has_ended():
        raise RuleBroken(_("This meeting has already taken place."))
    if meeting.has_started():
        raise RuleBroken(_("This meeting has already started: registration is closed."))


def _already_registered(status: RegistrationStatus | None) -> str:
    if status is RegistrationStatus.WAITING:
        return _("You are already on the waiting list for this meeting.")
    return _("You are already registered for this meeting.")


def _text(value, field: str, max_length: int, required_message: str | None = None) -> str:
    text = (value or "").strip() if isinstance(value, str | None) else str(value).strip()
    if required_message and not text:
        raise RuleBroken(required_message, field=field)
    if len(text) > max_length:
        raise RuleBroken(_("Use at most %(max)d characters.", max=max_length), field=field)
    return text


def clean_link(value: str | None) -> str | None:
    """An http(s) address with a host, or None. Anything else (javascript:, data:, a bare word) is refused."""
    text = (value or "").strip()
    if not text:
        return None
    parts = urlsplit(text)
    if (parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname
            or any(character.isspace() or ord(character) < 32 for character in text)):
        raise RuleBroken(_("Enter a web address that starts with https://, for example "
                           "https://meet.example.org/town-hall."), field="online_url")
    if len(text) > 500:
        raise RuleBroken(_("Use at most %(max)d characters.", max=500), field="online_url")
    return urlunsplit(parts._replace(scheme=parts.scheme.lower()))


def _languages(value: str | None) -> str:
    text = _text(value, "languages_spoken", 200)
    return ", ".join(part.strip() for part in text.split(",") if part.strip())


def _clean_fields(fields: dict, meeting: Meeting | None) -> dict:
    """Every field of a meeting, checked and normalised: `fields` over the meeting's current values."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown meeting fields: {', '.join(sorted(unknown))}")
    data = {name: getattr(meeting, name) for name in FIELDS} if meeting else {}
    data.update(fields)

    title = _text(data.get("title"), "title", 200, _("Enter a title for the meeting."))
    try:
        kind = MeetingKind(data.get("kind") or MeetingKind.IN_PERSON)
    except ValueError:
        raise RuleBroken(_("Choose how people take part: in person, online or both."), field="kind") from None
    address = _text(data.get("address"), "address", 300) or None
    online_url = clean_link(data.get("online_url"))
    if kind.has_place and not address:
        raise RuleBroken(_("Enter the address where the meeting takes place."), field="address")
    if kind.has_link and not online_url:
        raise RuleBroken(_("Enter the web address people use to join the meeting online."), field="online_url")

    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if starts_at is None:
        raise RuleBroken(_("Enter when the meeting starts."), field="starts_at")
    if ends_at is None:
        raise RuleBroken(_("Enter when the meeting ends."), field="ends_at")
    if ends_at <= starts_at:
        raise RuleBroken(_("The meeting must end after it starts."), field="ends_at")

    capacity = data.get("capacity")
    if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1):
        raise RuleBroken(_("Enter a number of places of 1 or more, or leave it empty for no limit."),
                         field="capacity")

    if "description" in fields or meeting is None:
        description = clean_html(_text(data.get("description"), "description", 20000))
    else:
        description = meeting.description  # already clean; cleaning twice could differ by a character
    return {
        "title": title,
        "description": description,
        "kind": kind,
        "address": address if kind.has_place else None,
        "online_url": online_url if kind.has_link else None,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "capacity": capacity,
        "step_free_access": bool(data.get("step_free_access")),
        "sign_language": bool(data.get("sign_language")),
        "hearing_loop": bool(data.get("hearing_loop")),
        "childcare": bool(data.get("childcare")),
        "languages_spoken": _languages(data.get("languages_spoken")),
        "accessibility_notes": _text(data.get("accessibility_notes"), "accessibility_notes", 2000),
    }
