"""Who may open the organisers' ballot pages, and what the buttons answer."""

import sqlalchemy as sa

from plaza.accounts.models import Role
from plaza.extensions import db
from plaza.phases import PhaseKind
from plaza.voting import services
from plaza.voting.models import Ballot, BallotKind, BallotState
from tests.conftest import login, make_process, make_user, submit


def draft_ballot(process) -> Ballot:
    return services.create_ballot(make_user(Role.ORGANISER), process, title="Which first?", kind=BallotKind.SINGLE,
                                  options=[{"label": "Park"}, {"label": "Library"}])


def state(ballot_id: int) -> BallotState:
    db.session.expire_all()
    return db.session.get(Ballot, ballot_id).state


def test_only_those_who_prepare_ballots_reach_the_organiser_pages(client):
    process = make_process(PhaseKind.VOTING)
    ballot = draft_ballot(process)
    base = f"/processes/{process.slug}/ballots"
    for path in (f"{base}/new", f"{base}/{ballot.id}/open", f"{base}/{ballot.id}/close"):
        visitor = client.get(path)
        assert visitor.status_code == 302 and "/account/login" in visitor.headers["Location"], path
    login(client, make_user())
    for path in (f"{base}/new", f"{base}/{ballot.id}/open", f"{base}/424242/open"):
        assert client.get(path).status_code == 403, path
    assert client.get(f"{base}/{ballot.id}").status_code == 404, "a draft is not shown to residents"
    assert state(ballot.id) is BallotState.DRAFT


def test_a_ballot_of_another_process_is_not_found(client):
    process, other = make_process(PhaseKind.VOTING), make_process(PhaseKind.VOTING, title="Elsewhere")
    ballot = draft_ballot(process)
    login(client, make_user(Role.ORGANISER))
    assert client.get(f"/processes/{other.slug}/ballots/{ballot.id}").status_code == 404
    assert client.get(f"/processes/{other.slug}/ballots/{ballot.id}/open").status_code == 404
    assert client.get(f"/processes/{process.slug}/ballots/{ballot.id}/open").status_code == 200


def test_opening_asks_first_then_opens_once(client):
    process = make_process(PhaseKind.VOTING)
    ballot = draft_ballot(process)
    page = f"/processes/{process.slug}/ballots/{ballot.id}"
    login(client, make_user(Role.ORGANISER))
    confirm = client.get(f"{page}/open")
    assert confirm.status_code == 200 and "Open this ballot?" in confirm.get_data(as_text=True)
    assert state(ballot.id) is BallotState.DRAFT, "the confirmation page changes nothing"

    forged = client.post(f"{page}/open", data={})
    assert forged.status_code == 400 and "This form has expired" in forged.get_data(as_text=True)
    assert state(ballot.id) is BallotState.DRAFT

    opened = submit(client, f"{page}/open", {})
    assert opened.status_code == 302 and opened.headers["Location"].endswith(page)
    assert "The ballot is open for voting." in client.get(page).get_data(as_text=True)
    assert state(ballot.id) is BallotState.OPEN
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 1
