"""Casting a secret vote: one eligible person, one vote, a receipt, and nothing that links the two.

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
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from plaza import queues
from plaza.clock import utcnow
from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.permissions import authorize
from plaza.voting import mixing, receipts
from plaza.voting.models import (
    Ballot,
    BallotState,
    Eligibility,
    EligibilitySource,
    Participation,
    SealedVote,
    Vote,
)

log = logging.getLogger(__name__)


class AlreadyVoted(RuleBroken):
    def __init__(self):
        super().__init__(_("You have already voted on this ballot. Each person votes once."), status=409)


def has_voted(user, ballot: Ballot) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return db.session.get(Participation, (ballot.id, user.id)) is not None


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def eligibility_of(user) -> Eligibility | None:
    return db.session.get(Eligibility, user.id)


def declare_eligibility(user, district_id: int | None, birth_date: date | None) -> Eligibility:
    """A resident says where they live and when they were born. What a desk or a council roll recorded
    is not overwritten by the resident's own word."""
    record = eligibility_of(user)
    if record is not None and record.source is not EligibilitySource.SELF:
        raise RuleBroken(_("A participation desk or the council's roll recorded these details. Ask a "
                           "participation desk to change them."), status=409)
    if record is None:
        record = Eligibility(user_id=user.id, source=EligibilitySource.SELF)
        db.session.add(record)
    record.district_id, record.birth_date = district_id, birth_date
    db.session.commit()
    return record


def eligibility_problem(user, ballot: Ballot, today: date | None = None) -> str | None:
    """Why `user` may not vote on `ballot` (residence and age, never citizenship), or None."""
    if not ballot.min_age and ballot.district_id is None:
        return None
    today = today or utcnow().date()
    record = eligibility_of(user)
    birth_date = record.birth_date if record else None
    district_id = record.district_id if record else None
    if ballot.min_age:
        if birth_date is None:
            return _("This vote is open to residents aged %(age)d or over. Add your date of birth on your "
                     "account page, or ask at a participation desk.", age=ballot.min_age)
        if age_on(birth_date, today) < ballot.min_age:
            return ngettext("This vote is open to residents aged %(num)d or over.",
                            "This vote is open to residents aged %(num)d or over.", ballot.min_age)
    if ballot.district_id is not None and district_id != ballot.district_id:
        if district_id is None:
            return _("This vote is open to residents of %(district)s. Add where you live on your account "
                     "page, or ask at a participation desk.", district=ballot.district.name)
        return _("This vote is open to residents of %(district)s.", district=ballot.district.name)
    return None


def check_can_vote(user, ballot: Ballot) -> None:
    if ballot.state is not BallotState.OPEN:
        raise RuleBroken(_("This ballot is not open for voting."), status=409)
    authorize(user, "ballot.cast", ballot.process)
    problem = eligibility_problem(user, ballot)
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
