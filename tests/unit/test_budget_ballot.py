"""The ballot for real budgets: projects with substance, the running total, the check page, closing early,
the result summary and plain words for the counting method."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from plaza.accounts.models import Role
from plaza.districts import District
from plaza.extensions import db
from plaza.phases import PhaseKind
from plaza.voting import casting, services
from plaza.voting.models import Ballot, BallotKind, BallotOption, BallotState, BudgetInput
from tests.conftest import login, make_process, make_user, submit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PROJECTS = [("Ramp to the river", 42_000), ("Benches on Market Street", 18_000), ("Lit park path", 35_000),
            ("Language cafe", 9_000), ("Playground repair", 27_000)]


def budget_ballot(process, organiser=None, open_it=True) -> Ballot:
    organiser = organiser or make_user(Role.ORGANISER)
    ballot = services.create_ballot(organiser, process, title="Which projects?", kind=BallotKind.BUDGET,
                                    method="mes-add1-greedy", budget=100_000, budget_input=BudgetInput.APPROVAL,
                                    options=[{"label": label, "cost": cost} for label, cost in PROJECTS])
    if open_it:
        services.open_ballot(organiser, ballot)
    return ballot


def page(process, ballot, step: str = "") -> str:
    return f"/processes/{process.slug}/ballots/{ballot.id}{step}"


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_a_picture_without_alt_text_is_refused_with_the_error_on_the_field(client, app):
    process = make_process(PhaseKind.VOTING)
    organiser = make_user(Role.ORGANISER)
    ballot = budget_ballot(process, organiser, open_it=False)
    option = ballot.options[0]
    login(client, organiser)
    url = page(process, ballot, f"/projects/{option.id}")
    refused = submit(client, url, {"description": "A ramp", "district": "0", "picture_alt": "",
                                   "picture": (io.BytesIO(PNG), "ramp.png")}, content_type="multipart/form-data")
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert re.search(r'id="picture_alt-error"[^>]*>\s*<span>Error: Describe what the picture shows', html)
    assert 'aria-describedby="picture_alt-hint picture_alt-error"' in html
    db.session.expire_all()
    assert db.session.get(BallotOption, option.id).picture_name is None

    saved = submit(client, url, {"description": "A ramp", "district": "0", "picture_alt": "A wooden ramp",
                                 "picture": (io.BytesIO(PNG), "ramp.png")}, content_type="multipart/form-data")
    assert saved.status_code == 302
    db.session.expire_all()
    stored = db.session.get(BallotOption, option.id)
    assert stored.picture_name and stored.picture_alt == "A wooden ramp" and stored.picture_type == "image/png"
    picture = client.get(page(process, ballot, f"/projects/{option.id}/picture"))
    assert picture.status_code == 200 and picture.data == PNG


def test_a_picture_that_is_not_an_image_is_refused(client):
    process = make_process(PhaseKind.VOTING)
    organiser = make_user(Role.ORGANISER)
    ballot = budget_ballot(process, organiser, open_it=False)
    login(client, organiser)
    refused = submit(client, page(process, ballot, f"/projects/{ballot.options[0].id}"),
                     {"district": "0", "picture_alt": "A ramp", "picture": (io.BytesIO(b"<html>"), "ramp.png")},
                     content_type="multipart/form-data")
    assert refused.status_code == 400 and "This file is not really a PNG file." in refused.get_data(as_text=True)


def test_the_database_refuses_a_picture_without_alt_text(app):
    process = make_process(PhaseKind.VOTING)
    ballot = budget_ballot(process, open_it=False)
    option = ballot.options[0]
    option.picture_name, option.picture_type, option.picture_alt = "abc", "image/png", ""
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_ballot_shows_cost_district_description_and_closing_time(client):
    process = make_process(PhaseKind.VOTING, starts_in=timedelta(days=-1), lasts=timedelta(days=21))
    organiser = make_user(Role.ORGANISER)
    ballot = budget_ballot(process, organiser, open_it=False)
    hillside = District(name="Hillside")
    db.session.add(hillside)
    db.session.commit()
    services.describe_project(organiser, ballot.options[2], description="Low lamps along the park path.",
                              district_id=hillside.id)
    services.open_ballot(organiser, ballot)
    login(client, make_user())
    response = client.get(page(process, ballot))
    words = text(response)
    assert "€35,000" in words and "District: Hillside" in words and "Low lamps along the park path." in words
    assert "€0 of €100,000 used" in words
    closes = process.phases[0].ends_at
    assert f"Voting closes {closes:%B} {closes.day}, {closes.year}" in words
    html = response.get_data(as_text=True)
    assert 'class="project-card"' in html and 'data-cost="35000"' in html
    assert re.search(r'<script src="/static/ballot\.js[^"]*" defer></script>', html)
    assert "How are votes counted?" in words and "Each voter gets an equal share of the budget" in words
    assert "Method of Equal Shares with Add1, then greedy" not in words.split("For experts:")[0]


def test_the_check_page_shows_each_cost_the_total_and_the_budget_used(client):
    process = make_process(PhaseKind.VOTING)
    ballot = budget_ballot(process)
    ids = [option.id for option in ballot.options]
    login(client, make_user())
    chosen = submit(client, page(process, ballot, "/check"), {"option": [ids[0], ids[4]]},
                    form_url=page(process, ballot))
    assert chosen.status_code == 303
    words = text(client.get(page(process, ballot, "/check")))
    assert "Ramp to the river €42,000" in words and "Playground repair €27,000" in words
    assert "Total €69,000" in words and "€69,000 of €100,000 used" in words
    assert "class=\"button-group\"" in client.get(page(process, ballot, "/check")).get_data(as_text=True)

    back = submit(client, page(process, ballot), {"option": [ids[0], ids[4]]})
    assert "€69,000 of €100,000 used" in text(back), "coming back shows the total of the choices kept"


def test_a_ballot_over_the_budget_is_refused_by_the_server(client):
    process = make_process(PhaseKind.VOTING)
    ballot = budget_ballot(process)
    ids = [option.id for option in ballot.options]
    login(client, make_user())
    for step in ("/check", "/cast"):  # what a browser without the script sends: all boxes it ticked
        refused = submit(client, page(process, ballot, step), {"option": ids[:4]}, form_url=page(process, ballot))
        assert refused.status_code == 400, step
        words = text(refused)
        assert "The projects you chose cost €104,000, more than the budget of €100,000." in words
        assert "€104,000 of €100,000 used" in words and "That is more than the budget" in words
        assert 'class="budget-over warning-text" hidden' not in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Ballot, ballot.id).vote_count == 0


def test_closing_early_warns_with_the_time_left_and_closes_only_when_confirmed(client):
    process = make_process(PhaseKind.VOTING, starts_in=timedelta(days=-1), lasts=timedelta(days=21))
    organiser = make_user(Role.ORGANISER)
    ballot = budget_ballot(process, organiser)
    login(client, organiser)
    warning = client.get(page(process, ballot, "/close"))
    words = text(warning)
    assert warning.status_code == 200
    closes = process.phases[0].ends_at
    assert re.search(rf"Voting is scheduled to close on {closes:%B} {closes.day}, {closes.year}, [\d:]+\s?[AP]M "
                     r"— 20 days from now\. Close it now anyway\?", words), words
    db.session.expire_all()
    assert db.session.get(Ballot, ballot.id).state is BallotState.OPEN
    submit(client, page(process, ballot, "/close"), {})
    db.session.expire_all()
    assert db.session.get(Ballot, ballot.id).state in (BallotState.CLOSED, BallotState.COUNTED)


def test_closing_after_the_voting_phase_gives_no_early_warning(client):
    process = make_process(PhaseKind.VOTING, starts_in=timedelta(days=-3), lasts=timedelta(days=1))
    organiser = make_user(Role.ORGANISER)
    ballot = budget_ballot(process, organiser)
    login(client, organiser)
    assert "scheduled to close" not in text(client.get(page(process, ballot, "/close")))


def test_the_result_says_how_many_projects_are_funded_and_lists_them_first(client):
    process = make_process(PhaseKind.VOTING)
    organiser = make_user(Role.ORGANISER)
    ballot = budget_ballot(process, organiser)
    ids = [option.id for option in ballot.options]
    for picks in ([0, 1], [1, 3], [1, 3, 4], [3, 4]):  # the ramp: 1 vote; benches 3; cafe 3; playground 2
        casting.cast(make_user(), ballot, sorted(ids[i] for i in picks))
    services.close_ballot(organiser, ballot)
    assert services.count_ballot(ballot.id)
    db.session.expire_all()
    ballot = db.session.get(Ballot, ballot.id)
    winners = set(map(str, ballot.result["winners"]))
    used = sum(option.cost for option in ballot.options if str(option.id) in winners)
    words = text(client.get(page(process, ballot, "/result")))
    funded = len(winners)
    assert f"{funded} projects funded, €{used:,} of €100,000 used" in words
    html = client.get(page(process, ballot, "/result")).get_data(as_text=True)
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = [(re.sub(r"<[^>]+>", "", label), outcome) for label, outcome in
            re.findall(r'<tr>.*?<th scope="row"[^>]*>(.*?)</th>.*?class="tag tag-\w+">([^<]+)<', body, re.S)]
    assert len(rows) == len(PROJECTS)
    assert [outcome for _label, outcome in rows] == ["Funded"] * funded + ["Not funded"] * (len(rows) - funded)
    assert rows[0][0] in ("Benches on Market Street", "Language cafe"), "the most voted funded project first"
    assert "3 of 4" in words, "votes say '3 of 4', not '3 / 4'"
    assert not re.search(r"<t[dh][^>]*dir=", html), "no dir on table cells: it moves their padding"
