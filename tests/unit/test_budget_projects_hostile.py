"""The budget project form under hostile input: every refusal is a clear 4xx and nothing is stored."""

import io

import pytest

from plaza.accounts.models import Role
from plaza.extensions import db
from plaza.phases import PhaseKind
from plaza.voting.models import BallotOption
from tests.conftest import login, make_process, make_user, submit
from tests.unit.test_budget_ballot import PNG, budget_ballot, page


def stored(option_id: int) -> tuple:
    db.session.expire_all()
    option = db.session.get(BallotOption, option_id)
    return option.description, option.district_id, option.picture_name, option.picture_alt


@pytest.mark.parametrize("fields", [
    {"district": str(2**63)}, {"district": "\u00b2"}, {"district": ""}, {"district": "999999"},
    {"district": "0", "description": "x" * 1_000_000},
    {"district": "0", "description": "A ramp\x00"},
    {"district": "0", "picture_alt": "y" * 100_000, "picture": (io.BytesIO(PNG), "ramp.png")},
    {"district": "0", "picture_alt": "A ramp", "picture": (io.BytesIO(PNG * 40_000), "ramp.png")},
    {"district": "0", "picture_alt": "A ramp", "picture": (io.BytesIO(b"GIF89a" + b"\x00" * 64), "\u202egnp.exe")},
], ids=["id 2^63", "superscript two", "empty district", "unknown district", "1 MB description", "NUL byte",
        "100 KB alt text", "picture over 2 MB", "GIF named with a right-to-left mark"])
def test_hostile_project_details_are_refused_and_nothing_is_stored(client, fields):
    process = make_process(PhaseKind.VOTING)
    organiser = make_user(Role.ORGANISER)
    ballot = budget_ballot(process, organiser, open_it=False)
    option = ballot.options[0]
    before = stored(option.id)
    login(client, organiser)
    response = submit(client, page(process, ballot, f"/projects/{option.id}"), fields,
                      content_type="multipart/form-data")
    assert 400 <= response.status_code < 500
    assert stored(option.id) == before


def test_a_project_of_another_ballot_is_not_found(client):
    process = make_process(PhaseKind.VOTING)
    organiser = make_user(Role.ORGANISER)
    first, second = budget_ballot(process, organiser, open_it=False), budget_ballot(process, organiser, open_it=False)
    login(client, organiser)
    foreign = second.options[0]
    response = submit(client, page(process, first, f"/projects/{foreign.id}"), {"district": "0"},
                      form_url=page(process, first, f"/projects/{first.options[0].id}"),
                      content_type="multipart/form-data")
    assert response.status_code == 404


def test_residents_cannot_change_a_project(client):
    process = make_process(PhaseKind.VOTING)
    draft = budget_ballot(process, make_user(Role.ORGANISER), open_it=False)
    login(client, make_user())
    assert client.get(page(process, draft, f"/projects/{draft.options[0].id}")).status_code == 403


def test_projects_of_an_open_ballot_stay_as_they_are(client):
    process = make_process(PhaseKind.VOTING)
    organiser = make_user(Role.ORGANISER)
    draft = budget_ballot(process, organiser, open_it=False)
    opened = budget_ballot(process, organiser)
    login(client, organiser)
    before = stored(opened.options[0].id)
    response = submit(client, page(process, opened, f"/projects/{opened.options[0].id}"),
                      {"district": "0", "description": "Changed while voting"}, content_type="multipart/form-data",
                      form_url=page(process, draft, f"/projects/{draft.options[0].id}"))
    assert 400 <= response.status_code < 500 or response.status_code == 302
    assert stored(opened.options[0].id) == before
