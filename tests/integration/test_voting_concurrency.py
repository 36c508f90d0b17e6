"""One person, one vote under concurrency: fifty attempts at once by one voter, and by fifty voters.

The database decides (the participation primary key and the ballot's row lock), not checks in Python. On
PostgreSQL (make test-services, CI) the requests really overlap; on SQLite they queue for the write lock.
"""

import threading

import pytest
import sqlalchemy as sa

from plaza.accounts.models import Role
from plaza.extensions import db
from plaza.phases import PhaseKind
from plaza.voting import board, services
from plaza.voting.models import Ballot, Participation, SealedVote, Vote
from tests.conftest import count, csrf_token, login, make_process, make_user
from tests.unit.test_voting import counts, open_ballot, option_ids, url

pytestmark = pytest.mark.integration
ATTEMPTS = 50


def fire_at_once(app, clients_and_data, ballot_url):
    """POST every (client, data) at the same moment; return the responses' (status, text)."""
    barrier = threading.Barrier(len(clients_and_data))
    results: list[tuple[int, str] | None] = [None] * len(clients_and_data)

    def attempt(index, client, data):
        barrier.wait()
        response = client.post(ballot_url, data=data)
        results[index] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=attempt, args=(i, client, data))
               for i, (client, data) in enumerate(clients_and_data)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(result is not None for result in results), "a request did not finish"
    return results


def signed_in_client(app, user, ballot):
    client = app.test_client()
    login(client, user)
    return client, csrf_token(client, url(ballot))


def test_fifty_attempts_by_one_voter_make_one_vote(app):
    ballot = open_ballot(make_process(PhaseKind.VOTING, title="Concurrent"))
    voter = make_user()
    choice = str(option_ids(ballot)[0])
    attempts = []
    for _ in range(ATTEMPTS):  # fifty browser sessions of the same person
        client, token = signed_in_client(app, voter, ballot)
        attempts.append((client, {"csrf_token": token, "option": choice}))
    results = fire_at_once(app, attempts, url(ballot, "/cast"))

    statuses = sorted(status for status, _ in results)
    assert statuses == [303] + [409] * (ATTEMPTS - 1), statuses
    assert all("already voted" in text for status, text in results if status == 409)
    assert counts() == (1, 1)
    db.session.expire_all()
    assert db.session.get(Ballot, ballot.id).vote_count == 1


def test_fifty_voters_at_once_make_fifty_votes_in_one_unbroken_chain(app):
    ballot = open_ballot(make_process(PhaseKind.VOTING, title="Concurrent"))
    options = option_ids(ballot)
    attempts = []
    for index in range(ATTEMPTS):
        client, token = signed_in_client(app, make_user(), ballot)
        attempts.append((client, {"csrf_token": token, "option": str(options[index % len(options)])}))
    results = fire_at_once(app, attempts, url(ballot, "/cast"))

    assert [status for status, _ in results] == [303] * ATTEMPTS
    db.session.expire_all()
    assert db.session.get(Ballot, ballot.id).vote_count == ATTEMPTS
    assert count(Participation) == ATTEMPTS
    services.close_ballot(make_user(Role.ORGANISER), db.session.get(Ballot, ballot.id))
    db.session.expire_all()
    counted = db.session.get(Ballot, ballot.id)
    assert counted.published_count == ATTEMPTS
    assert count(SealedVote) == 0
    positions = db.session.scalars(sa.select(Vote.position).order_by(Vote.position)).all()
    assert positions == list(range(1, ATTEMPTS + 1))
    assert board.verify(board.export(counted)).chain_valid
