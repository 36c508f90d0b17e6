import csv
import io
import json
import os
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from plaza.accounts.models import Role
from plaza.clock import utcnow
from plaza.districts import District
from plaza.extensions import db
from plaza.outbox import OutboxEvent
from plaza.phases import DEFAULT_COMPONENTS, Component, PhaseKind
from plaza.processes import services
from plaza.processes.models import Phase, Process
from plaza.processes.services import PhasePlan
from plaza.proposals import exports
from plaza.proposals.models import AnswerState, Category, Proposal
from tests.conftest import count, login, make_process, make_user, statements_run, submit

FORMAT = "%Y-%m-%dT%H:%M"


def phase_fields(kind: PhaseKind, starts: str, ends: str, components=(), title: str | None = None) -> dict:
    prefix = f"phase_{kind.value}-"
    return {
        f"{prefix}include": "y",
        f"{prefix}title": title if title is not None else kind.value.title(),
        f"{prefix}starts_at": starts,
        f"{prefix}ends_at": ends,
        f"{prefix}components": [component.value for component in components],
    }


def process_fields(*phases: dict, **fields) -> dict:
    data = {"title": "River park", "summary": "What should the new park have?", "body": "The council bought the land.",
            "language": "en", "slug": "", "support_threshold": "", "supports_per_resident": "",
            "edit_window_minutes": "60"}
    for phase in phases:
        data.update(phase)
    data.update(fields)
    return data


def as_local(moment: datetime, zone: str = "UTC") -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime(FORMAT)


def add_proposal(process, author, title="More benches", body="<p>Along the river.</p>", **fields) -> Proposal:
    proposal = Proposal(process_id=process.id, author_id=author.id, title=title, body=body,
                        submission_key=os.urandom(8).hex(), **fields)
    db.session.add(proposal)
    db.session.commit()
    return proposal


@pytest.fixture
def organiser(client):
    user = make_user(Role.ORGANISER)
    login(client, user)
    return user


# Creating a consultation


@pytest.mark.app_config(BABEL_DEFAULT_TIMEZONE="Europe/Madrid")
def test_organiser_creates_a_consultation_with_two_phases(client, organiser):
    data = process_fields(
        # Typed in Madrid time: winter is UTC+1, summer UTC+2.
        phase_fields(PhaseKind.VOTING, "2030-06-01T09:00", "2030-06-15T18:30", [Component.VOTING, Component.MEETINGS],
                     title="Vote"),
        phase_fields(PhaseKind.INFORMATION, "2030-03-01T10:00", "2030-03-10T10:00", [Component.COMMENTS],
                     title="Learn about the park"),
        support_threshold="25", supports_per_resident="3", edit_window_minutes="0",
    )
    response = submit(client, "/processes/new", data)

    assert response.status_code == 302, response.get_data(as_text=True)
    process = db.session.scalar(sa.select(Process))
    assert response.headers["Location"] == f"/processes/{process.slug}"
    assert (process.slug, process.title, process.language) == ("river-park", "River park", "en")
    assert (process.support_threshold, process.supports_per_resident, process.edit_window_minutes) == (25, 3, 0)
    assert process.created_by_id == organiser.id
    phases = process.phases
    assert [(p.position, p.kind, p.title) for p in phases] == [
        (1, PhaseKind.INFORMATION, "Learn about the park"), (2, PhaseKind.VOTING, "Vote")]
    assert phases[0].components == {Component.COMMENTS}
    assert phases[1].components == {Component.VOTING, Component.MEETINGS}
    assert phases[0].starts_at == datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
    assert phases[0].ends_at == datetime(2030, 3, 10, 9, 0, tzinfo=UTC)
    assert phases[1].starts_at == datetime(2030, 6, 1, 7, 0, tzinfo=UTC)
    assert phases[1].ends_at == datetime(2030, 6, 15, 16, 30, tzinfo=UTC)
    assert (process.opens_at, process.closes_at) == (phases[0].starts_at, phases[1].ends_at)


def test_a_phase_with_no_component_ticked_has_none(client, organiser):
    response = submit(client, "/processes/new",
                      process_fields(phase_fields(PhaseKind.INFORMATION, "2030-03-01T10:00", "2030-03-10T10:00")))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Phase)).components == frozenset()


def test_new_consultation_form_has_a_row_per_phase_kind_without_javascript(client, organiser):
    response = client.get("/processes/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<fieldset id=\"phase_") == 2 * len(PhaseKind)  # the phase, and its components
    assert page.count('type="datetime-local"') == 2 * len(PhaseKind)
    assert "<script" not in page and "style=" not in page
    assert "Create the consultation" in page
    # Each row ticks its kind's default components.
    ticked = set(re.findall(r'<input checked id="phase_proposals-components-\d" name="phase_proposals-components" '
                            r'type="checkbox" value="(\w+)"', page))
    assert ticked == {component.value for component in DEFAULT_COMPONENTS[PhaseKind.PROPOSALS]}
    assert 'name="phase_proposals-title" type="text" value="Proposals"' in page


@pytest.mark.parametrize("data, message", [
    pytest.param(process_fields(), "A consultation needs at least one phase.", id="no phase"),
    pytest.param(process_fields(phase_fields(PhaseKind.INFORMATION, "2030-03-01T10:00", "2030-03-10T10:00"),
                                phase_fields(PhaseKind.PROPOSALS, "2030-03-09T10:00", "2030-04-01T10:00")),
                 "Phases must not overlap", id="overlapping phases"),
    pytest.param(process_fields(phase_fields(PhaseKind.INFORMATION, "2030-03-10T10:00", "2030-03-01T10:00")),
                 "The phase must end after it starts.", id="end before start"),
    pytest.param(process_fields(phase_fields(PhaseKind.INFORMATION, "", "2030-03-01T10:00")),
                 "Enter the date and time this phase starts.", id="no start"),
    pytest.param(process_fields(phase_fields(PhaseKind.INFORMATION, "tomorrow", "2030-03-01T10:00")),
                 "Enter a date and a time", id="unreadable start"),
    pytest.param(process_fields(phase_fields(PhaseKind.INFORMATION, "2030-03-01T10:00", "2030-03-10T10:00"),
                                support_threshold="0"),
                 "Enter a whole number from 1 to 10000000", id="threshold zero"),
    pytest.param(process_fields(phase_fields(PhaseKind.INFORMATION, "2030-03-01T10:00", "2030-03-10T10:00"),
                                supports_per_resident="many"),
                 "Enter a whole number from 1 to 10000", id="limit not a number"),
    pytest.param(process_fields(phase_fields(PhaseKind.INFORMATION, "2030-03-01T10:00", "2030-03-10T10:00"),
                                edit_window_minutes="10081"),
                 "Enter a number of minutes from 0 to 10080.", id="edit window too long"),
    pytest.param(process_fields(phase_fields(PhaseKind.INFORMATION, "2030-03-01T10:00", "2030-03-10T10:00"),
                                title=""),
                 "Enter a title.", id="no title"),
    pytest.param(process_fields(phase_fields(PhaseKind.INFORMATION, "2030-03-01T10:00", "2030-03-10T10:00"),
                                slug="new"),
                 "Plaza uses this address for one of its own pages.", id="reserved slug"),
    pytest.param(process_fields(phase_fields(PhaseKind.INFORMATION, "2030-03-01T10:00", "2030-03-10T10:00"),
                                slug="River Park!"),
                 "Use only small letters, digits and single dashes", id="malformed slug"),
])
def test_a_consultation_that_breaks_a_rule_is_not_created(client, organiser, data, message):
    response = submit(client, "/processes/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert message in page
    assert (count(Process), count(Phase)) == (0, 0)


def test_phases_left_out_are_not_checked(client, organiser):
    data = process_fields(phase_fields(PhaseKind.INFORMATION, "2030-03-01T10:00", "2030-03-10T10:00"),
                          **{"phase_voting-starts_at": "not a date", "phase_voting-title": ""})
    response = submit(client, "/processes/new", data)
    assert response.status_code == 302
    assert [phase.kind for phase in db.session.scalar(sa.select(Process)).phases] == [PhaseKind.INFORMATION]


@pytest.mark.parametrize("slug", ["", "safer-streets"], ids=["made from the title", "typed"])
def test_a_web_address_already_in_use_is_refused(client, organiser, slug):
    make_process(title="Safer streets")
    data = process_fields(phase_fields(PhaseKind.INFORMATION, "2030-03-01T10:00", "2030-03-10T10:00"),
                          title="Safer streets", slug=slug)
    response = submit(client, "/processes/new", data)
    assert response.status_code == 400
    assert "Another consultation already uses this web address" in response.get_data(as_text=True)
    assert (count(Process), count(Phase)) == (1, 1)


# Who may open the organiser pages

ORGANISER_PAGES = ["/processes/new", "/processes/safer-streets/edit", "/processes/safer-streets/manage",
                   "/processes/safer-streets/export.csv", "/processes/safer-streets/export.json"]


@pytest.mark.parametrize("url", ORGANISER_PAGES)
def test_residents_cannot_open_organiser_pages(client, url):
    make_process(title="Safer streets")
    login(client, make_user(Role.RESIDENT))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ORGANISER_PAGES)
def test_anonymous_visitors_are_asked_to_sign_in(client, url):
    make_process(title="Safer streets")
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login")


def test_residents_cannot_create_a_consultation(client):
    resident = make_user(Role.RESIDENT)
    login(client, resident)
    form_page = client.get("/account/")  # any page with a CSRF token
    assert form_page.status_code == 200
    data = process_fields(phase_fields(PhaseKind.INFORMATION, "2030-03-01T10:00", "2030-03-10T10:00"))
    response = submit(client, "/processes/new", data, form_url="/account/")
    assert response.status_code == 403
    assert count(Process) == 0


def test_council_officers_export_but_do_not_edit(client):
    make_process(title="Safer streets")
    login(client, make_user(Role.COUNCIL_OFFICER))
    assert client.get("/processes/safer-streets/export.csv").status_code == 200
    assert client.get("/processes/safer-streets/export.json").status_code == 200
    manage = client.get("/processes/safer-streets/manage")
    assert manage.status_code == 200
    assert "/processes/safer-streets/export.csv" in manage.get_data(as_text=True)
    assert "/processes/safer-streets/edit" not in manage.get_data(as_text=True)
    assert client.get("/processes/safer-streets/edit").status_code == 403
    assert client.get("/processes/new").status_code == 403
    refused = submit(client, "/processes/safer-streets/edit", process_fields(title="Taken over"), form_url="/account/")
    assert refused.status_code == 403
    assert db.session.scalar(sa.select(Process.title)) == "Safer streets"


def test_manage_page_links_to_edit_and_exports(client, organiser):
    make_process(title="Safer streets")
    page = client.get("/processes/safer-streets/manage").get_data(as_text=True)
    for path in ("/processes/safer-streets/edit", "/processes/safer-streets/export.csv",
                 "/processes/safer-streets/export.json"):
        assert f'href="{path}"' in page
    # The moderation queue is linked when some part of Plaza serves it.
    has_moderation = any(rule.rule == "/processes/moderation" for rule in client.application.url_map.iter_rules())
    assert ('href="/processes/moderation"' in page) == has_moderation


def test_unknown_consultation_is_not_found(client, organiser):
    assert client.get("/processes/nowhere/edit").status_code == 404
    assert client.get("/processes/nowhere/export.csv").status_code == 404


# Editing a consultation


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _two_phase_process(organiser, now: datetime) -> Process:
    """Information runs now; proposals come next."""
    return services.create_process(organiser, "River park", "What should the park have?", "Body.", [
        PhasePlan(PhaseKind.INFORMATION, "Learn", now - timedelta(days=2), now + timedelta(days=1)),
        PhasePlan(PhaseKind.PROPOSALS, "Propose", now + timedelta(days=1), now + timedelta(days=10)),
    ])


def _edit_fields(process, *phases, **fields) -> dict:
    current = {"title": process.title, "summary": process.summary, "body": process.body, "slug": process.slug}
    return process_fields(*phases, **{**current, **fields})


def test_edit_form_shows_the_consultation_as_it_is(client, organiser):
    now = _minute(utcnow())
    process = _two_phase_process(organiser, now)
    page = client.get(f"/processes/{process.slug}/edit").get_data(as_text=True)
    assert 'value="River park"' in page
    assert f'value="{as_local(now - timedelta(days=2))}"' in page
    assert 'name="phase_information-title" type="text" value="Learn"' in page
    assert "Save changes" in page


def test_changing_the_running_phase_tells_followers(client, organiser):
    now = _minute(utcnow())
    process = _two_phase_process(organiser, now)
    assert process.active_phase().kind is PhaseKind.INFORMATION
    data = _edit_fields(
        process,
        phase_fields(PhaseKind.INFORMATION, as_local(now - timedelta(days=5)), as_local(now - timedelta(hours=1)),
                     [Component.COMMENTS], title="Learn"),
        phase_fields(PhaseKind.PROPOSALS, as_local(now - timedelta(hours=1)), as_local(now + timedelta(days=10)),
                     [Component.PROPOSALS, Component.SUPPORTS], title="Propose"),
        support_threshold="10",
    )
    response = submit(client, f"/processes/{process.slug}/edit", data)

    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == f"/processes/{process.slug}/manage"
    db.session.expire_all()
    process = db.session.get(Process, process.id)
    assert process.support_threshold == 10
    assert [(p.kind, p.starts_at, p.ends_at) for p in process.phases] == [
        (PhaseKind.INFORMATION, now - timedelta(days=5), now - timedelta(hours=1)),
        (PhaseKind.PROPOSALS, now - timedelta(hours=1), now + timedelta(days=10)),
    ]
    assert process.phases[1].components == {Component.PROPOSALS, Component.SUPPORTS}
    assert process.opens_at == now - timedelta(days=5)
    events = db.session.scalars(sa.select(OutboxEvent)).all()
    assert [(event.kind, event.payload) for event in events] == [
        ("process.phase_changed", {"process_id": process.id, "phase": "proposals"})]


def test_changing_only_the_title_keeps_the_phases(client, organiser):
    now = _minute(utcnow())
    process = _two_phase_process(organiser, now)
    phase_ids = [phase.id for phase in process.phases]
    data = _edit_fields(
        process,
        phase_fields(PhaseKind.INFORMATION, as_local(now - timedelta(days=2)), as_local(now + timedelta(days=1)),
                     [Component.COMMENTS, Component.MEETINGS], title="Learn"),
        phase_fields(PhaseKind.PROPOSALS, as_local(now + timedelta(days=1)), as_local(now + timedelta(days=10)),
                     [Component.PROPOSALS, Component.SUPPORTS, Component.COMMENTS, Component.MEETINGS],
                     title="Propose"),
        title="A park by the river",
    )
    response = submit(client, f"/processes/{process.slug}/edit", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    process = db.session.get(Process, process.id)
    assert process.title == "A park by the river"
    assert [phase.id for phase in process.phases] == phase_ids
    assert count(OutboxEvent) == 0


def test_an_edit_that_breaks_a_rule_changes_nothing(client, organiser):
    now = _minute(utcnow())
    process = _two_phase_process(organiser, now)
    before = [(p.kind, p.starts_at, p.ends_at) for p in process.phases]
    data = _edit_fields(
        process,
        phase_fields(PhaseKind.INFORMATION, as_local(now - timedelta(days=5)), as_local(now + timedelta(days=3))),
        phase_fields(PhaseKind.PROPOSALS, as_local(now + timedelta(days=1)), as_local(now + timedelta(days=10))),
        title="A park by the river",
    )
    response = submit(client, f"/processes/{process.slug}/edit", data)
    assert response.status_code == 400
    assert "Phases must not overlap" in response.get_data(as_text=True)
    db.session.expire_all()
    process = db.session.get(Process, process.id)
    assert process.title == "River park"
    assert [(p.kind, p.starts_at, p.ends_at) for p in process.phases] == before
    assert count(OutboxEvent) == 0


def test_edit_refuses_the_web_address_of_another_consultation(client, organiser):
    make_process(title="Safer streets")
    now = _minute(utcnow())
    process = _two_phase_process(organiser, now)
    data = _edit_fields(
        process,
        phase_fields(PhaseKind.INFORMATION, as_local(now - timedelta(days=2)), as_local(now + timedelta(days=1))),
        slug="safer-streets",
    )
    response = submit(client, f"/processes/{process.slug}/edit", data)
    assert response.status_code == 400
    assert "Another consultation already uses this web address" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Process, process.id).slug == "river-park"


def test_edit_warns_about_phases_it_cannot_show(client, organiser):
    now = _minute(utcnow())
    process = services.create_process(organiser, "River park", "What should the park have?", "Body.", [
        PhasePlan(PhaseKind.INFORMATION, "First talk", now - timedelta(days=2), now - timedelta(days=1)),
        PhasePlan(PhaseKind.INFORMATION, "Second talk", now - timedelta(days=1), now + timedelta(days=1)),
    ])
    page = client.get(f"/processes/{process.slug}/edit").get_data(as_text=True)
    assert "This consultation has 1 more phase of a kind it already has." in page
    assert "<li>Second talk</li>" in page


# Exports


@pytest.fixture
def exported_process():
    process = make_process(title="Safer streets")
    author = make_user(Role.RESIDENT, email="secret-author@example.org", name="Secret Author")
    category = Category(name="@Parks")
    district = District(name="Centre")
    db.session.add_all([category, district])
    db.session.commit()
    add_proposal(process, author, title='=HYPERLINK("http://evil.example","click")', body="<p>-1+2 &amp; more</p>",
                 category_id=category.id, district_id=district.id, supports_count=4, comments_count=2,
                 answer_state=AnswerState.ACCEPTED, answer_text="<p>We <strong>will</strong> do it.</p>")
    add_proposal(process, author, title="Más árboles en la plaza", body="<p>Sombra para todos.</p>")
    return process


def test_csv_export_is_open_data_safe_for_spreadsheets(client, organiser, exported_process):
    response = client.get("/processes/safer-streets/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="safer-streets-proposals.csv"'
    assert response.data.startswith(b"\xef\xbb\xbf")
    text = response.data.decode("utf-8-sig")
    assert "secret-author" not in text and "Secret Author" not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(exports.COLUMNS)
    first, second = (dict(zip(rows[0], row, strict=True)) for row in rows[1:])
    assert first["title"] == '\'=HYPERLINK("http://evil.example","click")'
    assert first["body"] == "'-1+2 & more"
    assert first["category"] == "'@Parks"
    assert (first["district"], first["state"], first["answer_state"]) == ("Centre", "published", "accepted")
    assert first["answer"] == "We will do it."
    assert (first["supports_count"], first["comments_count"]) == ("4", "2")
    assert first["created_at"].endswith("+00:00")
    proposals = db.session.scalars(sa.select(Proposal).order_by(Proposal.id)).all()
    assert first["url"] == f"http://plaza.test/processes/safer-streets/proposals/{proposals[0].id}"
    assert (second["title"], second["category"], second["answer"]) == ("Más árboles en la plaza", "", "")


def test_json_export_has_the_process_and_its_proposals(client, organiser, exported_process):
    response = client.get("/processes/safer-streets/export.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="safer-streets-proposals.json"'
    assert "Más árboles".encode() in response.data  # not \u escapes
    assert b"secret-author" not in response.data and b"Secret Author" not in response.data
    document = json.loads(response.data)
    assert document["process"]["slug"] == "safer-streets"
    assert document["process"]["url"] == "http://plaza.test/processes/safer-streets"
    assert [row["title"] for row in document["proposals"]] == [
        '=HYPERLINK("http://evil.example","click")', "Más árboles en la plaza"]
    first = document["proposals"][0]
    assert set(first) == set(exports.COLUMNS)
    assert (first["category"], first["supports_count"], first["answer_state"]) == ("@Parks", 4, "accepted")
    assert document["proposals"][1]["answer_state"] is None


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_export_takes_the_same_number_of_queries_for_3_or_30_proposals(client, organiser, suffix):
    process = make_process(title="Safer streets")
    author = make_user(Role.RESIDENT)

    def add(number: int) -> None:
        for index in range(number):
            category = Category(name=f"Category {os.urandom(4).hex()}")
            district = District(name=f"District {os.urandom(4).hex()}")
            db.session.add_all([category, district])
            db.session.flush()
            db.session.add(Proposal(process_id=process.id, author_id=author.id, title=f"Proposal {index}",
                                    body="<p>Text</p>", category_id=category.id, district_id=district.id,
                                    submission_key=os.urandom(8).hex()))
        db.session.commit()

    def statements_for_export() -> int:
        with statements_run() as statements:
            response = client.get(f"/processes/safer-streets/export.{suffix}")
        assert response.status_code == 200
        return len(statements)

    add(3)
    few = statements_for_export()
    add(27)
    many = statements_for_export()
    assert few == many


@pytest.mark.pure
def test_csv_without_proposals_is_a_header_only():
    assert exports.csv_document([]) == "\ufeff" + ",".join(exports.COLUMNS) + "\r\n"

