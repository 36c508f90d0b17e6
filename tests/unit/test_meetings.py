import re
import threading
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from plaza.accounts.models import Role, User
from plaza.clock import utcnow
from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.meetings import ics, services
from plaza.meetings.models import Meeting, MeetingKind, MeetingRegistration, RegistrationStatus
from plaza.outbox import OutboxEvent
from plaza.permissions import Forbidden
from plaza.phases import PhaseKind
from tests.conftest import assert_refused_by_csrf, count, login, make_process, make_user, submit

pytestmark = pytest.mark.usefixtures("app")

SLUG = "riverside-park"
BASE = f"/processes/{SLUG}/meetings"
# The consultation of these tests: the shared builder with an information phase of 60 days, running now.
riverside_park = partial(make_process, kind=PhaseKind.INFORMATION, title="Riverside park", slug=SLUG,
                         lasts=timedelta(days=60))


def meeting_fields(**overrides) -> dict:
    starts = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    return {"title": "Town hall, east side", "description": "Bring your ideas.", "kind": MeetingKind.IN_PERSON,
            "address": "Riverside Library; room 2", "starts_at": starts, "ends_at": starts + timedelta(hours=2),
            "capacity": None, **overrides}


def make_meeting(process, organiser=None, **overrides) -> Meeting:
    return services.create_meeting(organiser or make_user(Role.ORGANISER), process, **meeting_fields(**overrides))


def local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def form_data(**overrides) -> dict:
    starts = utcnow() + timedelta(days=3)
    data = {"title": "Town hall, east side", "description": "Bring your ideas.", "kind": "in_person",
            "address": "Riverside Library, room 2", "online_url": "", "starts_at": local(starts),
            "ends_at": local(starts + timedelta(hours=2)), "capacity": "30", "step_free_access": "y",
            "hearing_loop": "y", "languages_spoken": "English , Spanish,Arabic",
            "accessibility_notes": "A quiet room is available."}
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def outbox_events() -> list[OutboxEvent]:
    return db.session.scalars(sa.select(OutboxEvent).where(OutboxEvent.kind == "meeting.changed")
                              .order_by(OutboxEvent.id)).all()


def statuses(meeting) -> dict[int, RegistrationStatus]:
    rows = db.session.execute(sa.select(MeetingRegistration.user_id, MeetingRegistration.status)
                              .where(MeetingRegistration.meeting_id == meeting.id))
    return dict(rows.all())


def reload(meeting: Meeting) -> Meeting:
    """The meeting as the database has it now (the test's session may hold an older copy)."""
    db.session.expire_all()
    return db.session.get(Meeting, meeting.id)


def text(response) -> str:
    return response.get_data(as_text=True)


# --- organisers -------------------------------------------------------------------------------------------


def test_organiser_plans_a_meeting_through_the_form(client):
    riverside_park()
    login(client, make_user(Role.ORGANISER))
    data = form_data()
    response = submit(client, f"{BASE}/new", data)
    assert response.status_code == 302, text(response)
    meeting = db.session.scalar(sa.select(Meeting))
    assert response.headers["Location"].endswith(f"{BASE}/{meeting.id}")
    assert (meeting.title, meeting.kind, meeting.capacity) == ("Town hall, east side", MeetingKind.IN_PERSON, 30)
    assert meeting.starts_at == datetime.strptime(data["starts_at"], "%Y-%m-%dT%H:%M").replace(tzinfo=UTC)
    assert (meeting.step_free_access, meeting.hearing_loop, meeting.sign_language, meeting.childcare) == (
        True, True, False, False)
    assert meeting.languages_spoken == "English, Spanish, Arabic"
    assert meeting.online_url is None and meeting.confirmed_count == 0

    page = text(client.get(f"{BASE}/{meeting.id}"))
    assert "<h1" in page and "Town hall, east side" in page
    assert f'<time datetime="{meeting.starts_at:%Y-%m-%dT%H:%M:00Z}">' in page
    assert "30 places" in page and "30 left" in page
    assert re.search(r"<dt>Step-free access</dt>\s*<dd>Yes</dd>", page)
    assert re.search(r"<dt>Sign language interpretation</dt>\s*<dd>No</dd>", page)
    assert "A quiet room is available." in page


@pytest.mark.app_config(BABEL_DEFAULT_TIMEZONE="Europe/Madrid")
def test_times_are_entered_in_the_site_time_zone_and_stored_in_utc(client):
    riverside_park()
    login(client, make_user(Role.ORGANISER))
    year = utcnow().year + 2
    response = submit(client, f"{BASE}/new", form_data(starts_at=f"{year}-06-14T18:30", ends_at=f"{year}-06-14T20:00"))
    assert response.status_code == 302, text(response)
    meeting = db.session.scalar(sa.select(Meeting))
    assert meeting.starts_at == datetime(year, 6, 14, 16, 30, tzinfo=UTC)  # Madrid is UTC+2 in summer
    assert f'value="{year}-06-14T18:30"' in text(client.get(f"{BASE}/{meeting.id}/edit"))


def test_the_same_new_meeting_form_sent_twice_makes_one_meeting(client):
    riverside_park()
    login(client, make_user(Role.ORGANISER))
    page = text(client.get(f"{BASE}/new"))
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page).group(1)
    first = submit(client, f"{BASE}/new", form_data(submission_key=key))
    again = submit(client, f"{BASE}/new", form_data(submission_key=key))
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"] and count(Meeting) == 1


def test_another_organisers_meeting_key_is_refused(client):
    process = riverside_park()
    services.create_meeting(make_user(Role.ORGANISER), process, submission_key="their-key-123",
                            **meeting_fields())
    login(client, make_user(Role.ORGANISER))
    refused = submit(client, f"{BASE}/new", form_data(submission_key="their-key-123", title="Mine"))
    assert refused.status_code == 400 and "already used for something else" in text(refused)
    assert count(Meeting) == 1


def test_organiser_changes_a_meeting_and_an_outbox_event_is_recorded(client):
    process = riverside_park()
    organiser = make_user(Role.ORGANISER)
    meeting = make_meeting(process, organiser, capacity=10)
    assert outbox_events() == []
    login(client, organiser)
    edit_page = text(client.get(f"{BASE}/{meeting.id}/edit"))
    assert 'value="Town hall, east side"' in edit_page

    response = submit(client, f"{BASE}/{meeting.id}/edit", form_data(title="Town hall, moved", capacity="12"))
    assert response.status_code == 302, text(response)
    meeting = reload(meeting)
    assert (meeting.title, meeting.capacity, meeting.sequence) == ("Town hall, moved", 12, 1)
    [event] = outbox_events()
    assert event.payload["meeting_id"] == meeting.id and event.payload["change"] == "updated"
    assert {"title", "capacity"} <= set(event.payload["fields"])


def test_saving_without_a_change_records_no_event():
    process = riverside_park()
    organiser = make_user(Role.ORGANISER)
    meeting = make_meeting(process, organiser)
    services.update_meeting(organiser, meeting, title="Town hall, east side")
    assert outbox_events() == [] and meeting.sequence == 0


def test_organiser_cancels_a_meeting_after_a_confirmation_page(client):
    process = riverside_park()
    organiser = make_user(Role.ORGANISER)
    meeting = make_meeting(process, organiser)
    login(client, organiser)
    confirmation = client.get(f"{BASE}/{meeting.id}/cancel")
    assert confirmation.status_code == 200
    assert "Cancel this meeting?" in text(confirmation) and 'method="post"' in text(confirmation)
    assert reload(meeting).cancelled_at is None  # showing the question changes nothing

    response = submit(client, f"{BASE}/{meeting.id}/cancel", {})
    assert response.status_code == 302
    meeting = reload(meeting)
    assert meeting.cancelled_at is not None and meeting.sequence == 1
    [event] = outbox_events()
    assert event.payload == {"meeting_id": meeting.id, "process_id": process.id, "change": "cancelled"}
    assert "This meeting is cancelled." in text(client.get(f"{BASE}/{meeting.id}"))

    again = submit(client, f"{BASE}/{meeting.id}/cancel", {}, form_url=f"{BASE}/{meeting.id}")
    assert again.status_code == 400 and "already cancelled" in text(again)
    assert len(outbox_events()) == 1


@pytest.mark.parametrize("path", ["/new", "/{id}/edit", "/{id}/cancel"])
@pytest.mark.parametrize("role", [Role.RESIDENT, Role.MODERATOR, None])
def test_only_organisers_open_the_organiser_pages(client, path, role):
    meeting = make_meeting(riverside_park())
    if role is not None:
        login(client, make_user(role))
    url = BASE + path.format(id=meeting.id)
    assert client.get(url).status_code == 403
    response = client.post(url, data={**form_data(title="Taken over"), "csrf_token": "x"})
    assert_refused_by_csrf(response)  # the forged token is refused before anyone's permission is looked at
    assert count(Meeting) == 1 and reload(meeting).title == "Town hall, east side"
    assert reload(meeting).cancelled_at is None


def test_resident_with_a_valid_token_still_gets_403_on_organiser_pages(client):
    meeting = make_meeting(riverside_park())
    login(client, make_user(Role.RESIDENT))
    response = submit(client, f"{BASE}/{meeting.id}/cancel", {}, form_url=f"{BASE}/{meeting.id}")
    assert response.status_code == 403
    assert reload(meeting).cancelled_at is None
    with pytest.raises(Forbidden):
        services.create_meeting(make_user(Role.RESIDENT), meeting.process, **meeting_fields())


# --- bad input --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("overrides", "message"), [
    ({"ends_at": local(utcnow() + timedelta(days=2))}, "The meeting must end after it starts."),
    ({"kind": "online", "address": ""}, "Enter the web address people use to join the meeting online."),
    ({"kind": "hybrid", "online_url": "javascript:alert(1)"}, "Enter a web address that starts with https://"),
    ({"kind": "online", "online_url": " JavaScript:alert(document.cookie)"}, "starts with https://"),
    ({"kind": "online", "online_url": "https://"}, "starts with https://"),
    ({"capacity": "0"}, "Enter a number of places from 1 to 1000000"),
    ({"capacity": "-5"}, "Enter a number of places from 1 to 1000000"),
    ({"address": "   "}, "Enter the address where the meeting takes place."),
    ({"title": ""}, "Enter a title for the meeting."),
    ({"starts_at": local(utcnow() - timedelta(days=1))}, "Choose a start time in the future."),
    ({"starts_at": "next tuesday"}, "Enter the date and time the meeting starts"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_is_written(client, overrides, message):
    riverside_park()
    login(client, make_user(Role.ORGANISER))
    response = submit(client, f"{BASE}/new", form_data(**overrides))
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page and message in page
    assert "<title>Error:" in page
    assert count(Meeting) == 0 and count(OutboxEvent) == 0


def test_several_problems_are_listed_together(client):
    riverside_park()
    login(client, make_user(Role.ORGANISER))
    response = submit(client, f"{BASE}/new", form_data(kind="online", online_url="javascript:alert(1)", capacity="0"))
    assert response.status_code == 400
    summary = text(response).split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#online_url"' in summary and 'href="#capacity"' in summary
    assert count(Meeting) == 0


def test_bad_change_leaves_the_meeting_as_it_was(client):
    process = riverside_park()
    organiser = make_user(Role.ORGANISER)
    meeting = make_meeting(process, organiser)
    login(client, organiser)
    response = submit(client, f"{BASE}/{meeting.id}/edit", form_data(kind="online", online_url="ftp://files.example"))
    assert response.status_code == 400 and "starts with https://" in text(response)
    meeting = reload(meeting)
    assert (meeting.kind, meeting.online_url, meeting.sequence) == (MeetingKind.IN_PERSON, None, 0)
    assert outbox_events() == []


def test_hostile_html_in_the_description_is_sanitised(client):
    riverside_park()
    login(client, make_user(Role.ORGANISER))
    hostile = ('<script>alert(1)</script><p onclick="steal()">Bring <b>ideas</b></p>'
               '<a href="javascript:alert(2)">more</a><img src=x onerror="alert(3)">')
    response = submit(client, f"{BASE}/new", form_data(description=hostile))
    assert response.status_code == 302
    meeting = db.session.scalar(sa.select(Meeting))
    for bad in ("<script", "onclick", "javascript:", "onerror", "<img"):
        assert bad not in meeting.description
    assert "<b>ideas</b>" in meeting.description
    page = text(client.get(f"{BASE}/{meeting.id}"))
    assert "alert(1)" not in page and "steal()" not in page and "<b>ideas</b>" in page


def test_database_refuses_meetings_that_break_the_rules():
    process = riverside_park()
    starts = utcnow() + timedelta(days=1)
    good = {"process_id": process.id, "title": "T", "kind": MeetingKind.IN_PERSON, "address": "Hall",
            "starts_at": starts, "ends_at": starts + timedelta(hours=1)}
    for bad in ({"ends_at": starts}, {"capacity": 0}, {"kind": MeetingKind.ONLINE, "online_url": None},
                {"kind": MeetingKind.HYBRID, "online_url": "javascript:alert(1)"}, {"address": None}):
        db.session.add(Meeting(**{**good, **bad}))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
    db.session.add(Meeting(**good))
    db.session.commit()
    assert count(Meeting) == 1


# --- registration -----------------------------------------------------------------------------------------


def test_places_are_confirmed_until_the_meeting_is_full_then_people_wait():
    meeting = make_meeting(riverside_park(), capacity=2)
    first, second, third, fourth = (make_user() for _ in range(4))
    assert services.register(first, meeting).status is RegistrationStatus.CONFIRMED
    assert services.register(second, meeting).status is RegistrationStatus.CONFIRMED
    third_row = services.register(third, meeting)
    fourth_row = services.register(fourth, meeting)
    assert (third_row.status, fourth_row.status) == (RegistrationStatus.WAITING, RegistrationStatus.WAITING)
    assert (services.waiting_position(third_row), services.waiting_position(fourth_row)) == (1, 2)
    meeting = reload(meeting)
    assert (meeting.confirmed_count, meeting.places_left, services.waiting_count(meeting)) == (2, 0, 2)


def test_registering_through_the_page_shows_a_place_then_the_waiting_list(client, app):
    meeting = make_meeting(riverside_park(), capacity=1)
    url = f"{BASE}/{meeting.id}"
    login(client, make_user())
    page = text(client.get(url))
    assert "Register for this meeting" in page
    response = submit(client, f"{url}/register", {}, form_url=url)
    assert response.status_code == 302
    assert "You have a place at this meeting." in text(client.get(url))

    other = app.test_client()
    login(other, make_user())
    assert "Join the waiting list" in text(other.get(url))
    response = submit(other, f"{url}/register", {}, form_url=url, follow_redirects=True)
    assert "You are on the waiting list" in text(response)
    assert "You are number 1 on the waiting list." in text(response)
    assert sorted(s.value for s in statuses(meeting).values()) == ["confirmed", "waiting"]


def test_leaving_gives_the_place_to_the_person_waiting_longest(client):
    meeting = make_meeting(riverside_park(), capacity=1)
    leaver, waited_longest, waited_less = make_user(), make_user(), make_user()
    for person in (leaver, waited_longest, waited_less):
        services.register(person, meeting)
    login(client, leaver)
    url = f"{BASE}/{meeting.id}"
    assert "Give up my place" in text(client.get(url))
    response = submit(client, f"{url}/leave", {}, form_url=url)
    assert response.status_code == 302
    assert statuses(meeting) == {waited_longest.id: RegistrationStatus.CONFIRMED,
                                 waited_less.id: RegistrationStatus.WAITING}
    assert reload(meeting).confirmed_count == 1
    remaining = services.registration_of(waited_less, meeting)
    assert services.waiting_position(remaining) == 1


def test_leaving_the_waiting_list_gives_nobody_a_place():
    meeting = make_meeting(riverside_park(), capacity=1)
    holder, first, second = make_user(), make_user(), make_user()
    for person in (holder, first, second):
        services.register(person, meeting)
    assert services.unregister(first, meeting) == []
    assert statuses(meeting) == {holder.id: RegistrationStatus.CONFIRMED, second.id: RegistrationStatus.WAITING}
    assert reload(meeting).confirmed_count == 1


def test_leaving_without_a_registration_is_refused():
    meeting = make_meeting(riverside_park())
    with pytest.raises(RuleBroken, match="not registered"):
        services.unregister(make_user(), meeting)


def test_double_registration_keeps_one_row_and_says_so(client):
    meeting = make_meeting(riverside_park(), capacity=5)
    url = f"{BASE}/{meeting.id}"
    login(client, make_user())
    assert submit(client, f"{url}/register", {}, form_url=url).status_code == 302
    again = submit(client, f"{url}/register", {}, form_url=url)
    assert again.status_code == 400
    assert "You are already registered for this meeting." in text(again)
    assert count(MeetingRegistration) == 1
    assert reload(meeting).confirmed_count == 1


def test_people_registering_at_the_same_moment_never_overbook(app):
    meeting = make_meeting(riverside_park(), capacity=2)
    people = [make_user().id for _ in range(6)]
    start = threading.Barrier(len(people))
    problems = []

    def register(user_id: int) -> None:
        with app.app_context():
            user, fresh_meeting = db.session.get(User, user_id), db.session.get(Meeting, meeting.id)
            start.wait()
            try:
                services.register(user, fresh_meeting)
            except Exception as error:  # noqa: BLE001 - reported below
                problems.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=register, args=(user_id,)) for user_id in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert problems == []
    assert sorted(status.value for status in statuses(meeting).values()) == ["confirmed"] * 2 + ["waiting"] * 4
    assert reload(meeting).confirmed_count == 2


def test_database_keeps_one_registration_per_person_and_meeting():
    meeting = make_meeting(riverside_park())
    person = make_user()
    for _ in range(2):
        db.session.add(MeetingRegistration(meeting_id=meeting.id, user_id=person.id,
                                           status=RegistrationStatus.WAITING))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_database_refuses_more_confirmed_places_than_the_capacity():
    meeting = make_meeting(riverside_park(), capacity=1)
    services.register(make_user(), meeting)
    with pytest.raises(IntegrityError):
        db.session.execute(sa.update(Meeting).values(confirmed_count=Meeting.confirmed_count + 1))
        db.session.commit()


@pytest.mark.parametrize("kind", [PhaseKind.VOTING, PhaseKind.IMPLEMENTATION])
def test_registering_is_refused_when_the_phase_does_not_enable_meetings(client, kind):
    meeting = make_meeting(riverside_park(kind=kind))
    url = f"{BASE}/{meeting.id}"
    login(client, make_user())
    page = text(client.get(url))
    assert "Registration is not open in the current phase" in page and "Register for this meeting" not in page
    response = submit(client, f"{url}/register", {}, form_url=url)
    assert response.status_code == 403
    assert "not possible in the current phase" in text(response)
    assert count(MeetingRegistration) == 0


def test_registering_is_refused_before_the_consultation_starts():
    meeting = make_meeting(riverside_park(starts_in=timedelta(days=10)))
    with pytest.raises(Forbidden):
        services.register(make_user(), meeting)
    assert count(MeetingRegistration) == 0


def test_registering_for_a_cancelled_meeting_is_refused(client):
    process = riverside_park()
    organiser = make_user(Role.ORGANISER)
    meeting = make_meeting(process, organiser)
    services.cancel_meeting(organiser, meeting)
    url = f"{BASE}/{meeting.id}"
    login(client, make_user())
    response = submit(client, f"{url}/register", {}, form_url=url)
    assert response.status_code == 400 and "This meeting is cancelled." in text(response)
    assert count(MeetingRegistration) == 0


def test_registering_for_a_past_meeting_is_refused():
    meeting = make_meeting(riverside_park())
    now = utcnow()
    db.session.execute(sa.update(Meeting).values(starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1)))
    db.session.commit()
    with pytest.raises(RuleBroken, match="already taken place"):
        services.register(make_user(), meeting)
    assert count(MeetingRegistration) == 0


def test_capacity_cannot_drop_below_the_places_already_given():
    process = riverside_park()
    organiser = make_user(Role.ORGANISER)
    meeting = make_meeting(process, organiser, capacity=3)
    for _ in range(2):
        services.register(make_user(), meeting)
    with pytest.raises(RuleBroken, match="2 people already have a place") as refused:
        services.update_meeting(organiser, meeting, capacity=1)
    assert refused.value.field == "capacity"
    assert reload(meeting).capacity == 3 and outbox_events() == []


def test_more_places_move_the_waiting_list_up():
    process = riverside_park()
    organiser = make_user(Role.ORGANISER)
    meeting = make_meeting(process, organiser, capacity=1)
    people = [make_user() for _ in range(4)]
    for person in people:
        services.register(person, meeting)
    services.update_meeting(organiser, meeting, capacity=3)
    assert [statuses(meeting)[person.id] for person in people] == [
        RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITING]
    assert reload(meeting).confirmed_count == 3


# --- pages and calendar -----------------------------------------------------------------------------------


def test_meeting_list_shows_upcoming_meetings_first_and_says_when_there_are_none(client):
    process = riverside_park()
    empty = client.get(BASE)
    assert empty.status_code == 200 and "No meetings are planned for this consultation yet." in text(empty)
    organiser = make_user(Role.ORGANISER)
    make_meeting(process, organiser, title="Later meeting", starts_at=utcnow() + timedelta(days=9),
                 ends_at=utcnow() + timedelta(days=9, hours=1))
    past = make_meeting(process, organiser, title="Earlier meeting")
    make_meeting(process, organiser, title="Sooner meeting")
    now = utcnow()
    db.session.execute(sa.update(Meeting).where(Meeting.id == past.id)
                       .values(starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=2, hours=-1)))
    db.session.commit()
    page = text(client.get(BASE))
    assert "No meetings are planned" not in page
    assert page.index("Sooner meeting") < page.index("Later meeting") < page.index("Earlier meeting")
    assert page.index("Past meetings") < page.index("Earlier meeting")


def test_unknown_consultation_or_meeting_of_another_consultation_is_404(client):
    meeting = make_meeting(riverside_park())
    riverside_park(slug="other")
    assert client.get("/processes/nowhere/meetings").status_code == 404
    assert client.get(f"/processes/other/meetings/{meeting.id}").status_code == 404
    assert client.get(f"/processes/other/meetings/{meeting.id}.ics").status_code == 404


def unfold(body: str) -> list[str]:
    return body.replace("\r\n ", "").split("\r\n")


def test_calendar_file_is_valid_icalendar(client):
    long_description = "Bring your ideas, questions; and maps.\n\n" + "Café déjà vu and ميدان " * 12
    meeting = make_meeting(riverside_park(), description=long_description, sign_language=True,
                           languages_spoken="en, es")
    response = client.get(f"{BASE}/{meeting.id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar" and response.mimetype_params["charset"] == "utf-8"
    raw = response.get_data()
    body = raw.decode("utf-8")
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "") and "\r" not in body.replace("\r\n", "")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    lines = unfold(body)
    assert any(line.startswith(" ") for line in body.split("\r\n"))  # the long description was folded
    properties = dict(line.split(":", 1) for line in lines if line)
    assert properties["DTSTART"] == meeting.starts_at.strftime("%Y%m%dT%H%M%SZ")
    assert re.fullmatch(r"\d{8}T\d{6}Z", properties["DTEND"]) and re.fullmatch(r"\d{8}T\d{6}Z", properties["DTSTAMP"])
    assert properties["SUMMARY"] == "Town hall\\, east side"
    assert properties["LOCATION"] == "Riverside Library\\; room 2"
    assert properties["UID"] == f"meeting-{meeting.id}@plaza.test"
    assert properties["URL"] == f"http://plaza.test{BASE}/{meeting.id}"
    assert properties["DESCRIPTION"].startswith("Bring your ideas\\, questions\\; and maps.")
    assert "<p>" not in properties["DESCRIPTION"] and "Sign language interpretation" in properties["DESCRIPTION"]
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1


def test_calendar_of_an_online_meeting_links_to_it_and_a_cancelled_one_says_so():
    process = riverside_park()
    organiser = make_user(Role.ORGANISER)
    meeting = make_meeting(process, organiser, kind=MeetingKind.ONLINE, address="ignored",
                           online_url="HTTPS://meet.example.org/town-hall?room=1,2")
    assert meeting.address is None and meeting.online_url == "https://meet.example.org/town-hall?room=1,2"
    services.cancel_meeting(organiser, meeting)
    lines = unfold(ics.meeting_calendar(reload(meeting), "https://plaza.test/m", "plaza.test"))
    assert "URL:https://meet.example.org/town-hall?room=1,2" in lines
    assert "STATUS:CANCELLED" in lines and "SEQUENCE:1" in lines


def test_folding_never_splits_a_character_and_unfolds_to_the_original():
    line = "DESCRIPTION:" + "ميدان\\, café; " * 40
    folded = ics.fold(line)
    parts = folded.encode("utf-8").split(b"\r\n")
    assert len(parts) > 3 and all(len(part) <= 75 for part in parts)
    assert all(part.decode("utf-8") for part in parts)  # each physical line is whole UTF-8
    assert folded.replace("\r\n ", "") == line


def test_text_escaping():
    assert ics.escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


# --- the shared pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "shown"), [(PhaseKind.INFORMATION, True), (PhaseKind.DELIBERATION, True),
                                             (PhaseKind.VOTING, False), (PhaseKind.IMPLEMENTATION, False)])
def test_the_process_page_links_to_the_meetings_while_the_phase_enables_them(client, kind, shown):
    riverside_park(kind=kind)
    assert (f'href="{BASE}"' in text(client.get(f"/processes/{SLUG}"))) is shown


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.COUNCIL_OFFICER, Role.ADMIN])
def test_the_organiser_page_links_to_the_meetings_for_everyone_who_may_open_it(client, role):
    riverside_park(kind=PhaseKind.VOTING)  # the link does not depend on the phase
    login(client, make_user(role))
    page = client.get(f"/processes/{SLUG}/manage")
    assert page.status_code == 200 and f'href="{BASE}"' in text(page)


def test_organiser_pages_of_a_meeting_of_another_consultation_are_404(client):
    meeting = make_meeting(riverside_park())
    riverside_park(slug="other")
    login(client, make_user(Role.ORGANISER))
    for path in ("edit", "cancel"):
        assert client.get(f"/processes/other/meetings/{meeting.id}/{path}").status_code == 404
    response = submit(client, f"/processes/other/meetings/{meeting.id}/cancel", {}, form_url=f"{BASE}/{meeting.id}")
    assert response.status_code == 404 and reload(meeting).cancelled_at is None
