"""Closing a ballot hands the count to a real worker; a count is never lost when Redis is down."""

import pytest
import redis

from plaza.accounts.models import Role
from plaza.extensions import db
from plaza.phases import PhaseKind
from plaza.voting import board, casting, services
from plaza.voting.models import Ballot, BallotKind, BallotState
from tests.conftest import login, make_process, make_user, submit
from tests.unit.test_voting import open_ballot, option_ids, url

pytestmark = pytest.mark.integration


def ballot_with_votes():
    ballot = open_ballot(make_process(PhaseKind.VOTING, title="Vote"), kind=BallotKind.SINGLE)
    park, library, _ = option_ids(ballot)
    for choice in (park, library, park):
        casting.cast(make_user(), db.session.get(Ballot, ballot.id), [choice])
    return ballot, park


def test_closing_queues_the_count_and_a_worker_publishes_it(client, worker):
    ballot, park = ballot_with_votes()
    login(client, make_user(Role.ORGANISER))
    assert submit(client, url(ballot, "/close"), {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Ballot, ballot.id).state is BallotState.CLOSED
    worker()
    db.session.expire_all()
    counted = db.session.get(Ballot, ballot.id)
    assert counted.state is BallotState.COUNTED and counted.result["winners"] == [str(park)]
    assert board.verify(board.export(counted)).ok
    assert client.get(url(ballot, "/result")).status_code == 200


def test_a_ballot_closed_while_redis_was_down_is_counted_by_the_sweep(app, client, worker):
    ballot, park = ballot_with_votes()
    login(client, make_user(Role.ORGANISER))
    app.extensions["plaza_redis"] = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    response = submit(client, url(ballot, "/close"), {})
    del app.extensions["plaza_redis"]
    assert response.status_code == 302  # the organiser sees no error
    worker()  # nothing was queued
    db.session.expire_all()
    assert db.session.get(Ballot, ballot.id).state is BallotState.CLOSED
    worker("--sweep")
    db.session.expire_all()
    assert db.session.get(Ballot, ballot.id).result["winners"] == [str(park)]


def cast_twenty(ballot_id: int) -> None:
    for index in range(20):
        ballot = db.session.get(Ballot, ballot_id)
        casting.cast(make_user(), ballot, [ballot.options[index % 3].id])


def test_a_worker_publishes_a_shuffled_batch_once_enough_votes_wait(app, worker):
    ballot = open_ballot(make_process(PhaseKind.VOTING, title="Vote"), kind=BallotKind.SINGLE)
    ballot_id = ballot.id
    cast_twenty(ballot_id)
    assert db.session.get(Ballot, ballot_id).published_count == 0
    worker()
    db.session.expire_all()
    published = db.session.get(Ballot, ballot_id)
    assert (published.published_count, published.waiting_count) == (10, 10)
    assert board.verify(board.export(published)).chain_valid


def test_votes_cast_while_redis_was_down_are_published_by_the_sweep_and_counted(app, worker):
    ballot = open_ballot(make_process(PhaseKind.VOTING, title="Vote"), kind=BallotKind.SINGLE)
    ballot_id = ballot.id
    app.extensions["plaza_redis"] = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    cast_twenty(ballot_id)  # no vote is refused: the pool keeps them
    del app.extensions["plaza_redis"]
    worker()  # nothing was queued
    db.session.expire_all()
    assert db.session.get(Ballot, ballot_id).published_count == 0
    worker("--sweep")
    db.session.expire_all()
    assert db.session.get(Ballot, ballot_id).published_count == 10
    services.close_ballot(make_user(Role.ORGANISER), db.session.get(Ballot, ballot_id))
    worker()
    db.session.expire_all()
    counted = db.session.get(Ballot, ballot_id)
    assert counted.state is BallotState.COUNTED and counted.result["votes"] == 20
    assert board.verify(board.export(counted)).ok
