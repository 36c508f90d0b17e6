"""Casting a secret vote: one eligible person, one vote, a receipt, and nothing that links the two.
Who is eligible (residence and age) is the eligibility area's rule (`plaza.eligibility.services.refusal`).

One transaction per vote:
1. `UPDATE ballot SET vote_count = vote_count + 1 … WHERE state = 'open' RETURNING …` takes the ballot's
   row lock (PostgreSQL) or the write lock (SQLite), so a vote after closing finds no open row;
2. the `participation` row (primary key ballot + voter) is what refuses a second vote: of two attempts by
   one person, the later insert fails on the key and the whole transaction is rolled back;
3. the vote goes into the mixing pool sealed (`plaza.voting.mixing`): nothing readable is written beside
   the participation. It reaches the bulletin board later, shuffled into a batch of at least k votes.
Nothing is written unless all of it is. After the commit, a worker is asked to publish when enough votes
wait; if Redis is down, the periodic job does it.
"""

import logging

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from plaza import queues
from plaza.eligibility import services as eligibility
from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.permissions import authorize
from plaza.voting import mixing, receipts
from plaza.voting.models import Ballot, BallotState, Participation, SealedVote, Vote

log = logging.getLogger(__name__)


class AlreadyVoted(RuleBroken):
    def __init__(self):
        super().__init__(_("You have already voted on this ballot. Each person votes once."), status=409)


def has_voted(user, ballot: Ballot) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return db.session.get(Participation, (ballot.id, user.id)) is not None


def check_can_vote(user, ballot: Ballot) -> None:
    if ballot.state is not BallotState.OPEN:
        raise RuleBroken(_("This ballot is not open for voting."), status=409)
    authorize(user, "ballot.cast", ballot.process)
    problem = eligibility.refusal(user, min_age=ballot.min_age, district=ballot.district)
    if problem:
        raise RuleBroken(problem, status=403)


def cast(user, ballot: Ballot, choices) -> str:
    """Record `choices` (already read by `plaza.voting.choices.read_choices`) and return the receipt code,
    which is shown once and never stored."""
    check_can_vote(user, ballot)
    ballot_id, voter_id = ballot.id, user.id
    encoded = receipts.canonical(choices)
    code = receipts.new_receipt_code()
    receipt = receipts.receipt_hash(ballot_id, code)
    sealed = mixing.seal(ballot, receipt, encoded)
    try:
        counted = db.session.execute(
            sa.update(Ballot)
            .where(Ballot.id == ballot_id, Ballot.state == BallotState.OPEN)
            .values(vote_count=Ballot.vote_count + 1)
            .returning(Ballot.vote_count, Ballot.published_count)
            .execution_options(synchronize_session=False)
        ).one_or_none()
        if counted is None:
            db.session.rollback()
            raise RuleBroken(_("This ballot closed before your vote arrived. Your vote was not recorded."),
                             status=409)
        cast_count, published_count = counted
        db.session.add(Participation(ballot_id=ballot_id, user_id=voter_id))
        db.session.flush()
        db.session.add(SealedVote(ballot_id=ballot_id, sealed=sealed))
        _commit_keeping_loaded_objects()
    except IntegrityError:
        db.session.rollback()
        raise AlreadyVoted() from None
    if cast_count - published_count >= 2 * mixing.mix_size():
        _ask_to_publish(ballot_id)
    return code


def _ask_to_publish(ballot_id: int) -> None:
    try:
        queues.enqueue("workers.voting.publish_votes", ballot_id, queue_name="default",
                       job_id=f"publish-votes-{ballot_id}")
    except Exception:  # the vote is safe in the pool; the periodic job will publish it
        log.warning("could not queue publishing ballot %s; the periodic job will", ballot_id, exc_info=True)


def _commit_keeping_loaded_objects() -> None:
    """Commit without expiring what the request already loaded (ballot, options, process, user): the
    pages after the vote show only what did not change, and reloading it all cost a third of each vote's time
    under load (bench/voting_load.py)."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def find_vote(ballot: Ballot, code_text: str) -> Vote | None:
    code = receipts.normalise_code(code_text)
    if code is None:
        raise RuleBroken(_("A receipt code has 20 letters and digits, like 7K2D-QX9M-4TPA-HV3C-8NWE."),
                         field="code")
    return db.session.scalar(sa.select(Vote).where(Vote.ballot_id == ballot.id,
                                                   Vote.receipt_hash == receipts.receipt_hash(ballot.id, code)))
