"""Following a consultation or a proposal: who hears about what happens to it."""

import sqlalchemy as sa

from plaza.extensions import db, insert_on_conflict
from plaza.notifications.models import Follow
from plaza.permissions import authorize


def _target(process, proposal) -> dict:
    if (process is None) == (proposal is None):
        raise ValueError("follow exactly one thing: a process or a proposal")
    return {"process_id": process.id if process else None, "proposal_id": proposal.id if proposal else None}


def _matching(process, proposal):
    _target(process, proposal)
    return Follow.process_id == process.id if process is not None else Follow.proposal_id == proposal.id


def follow_quietly(user_id: int, *, process_id: int | None = None, proposal_id: int | None = None) -> None:
    """Add a follow inside the caller's transaction (an author follows their new proposal)."""
    db.session.execute(insert_on_conflict(Follow).values(user_id=user_id, process_id=process_id,
                                                         proposal_id=proposal_id).on_conflict_do_nothing())


def follow(user, *, process=None, proposal=None) -> None:
    authorize(user, "process.follow", process or proposal.process)
    follow_quietly(user.id, **_target(process, proposal))
    db.session.commit()


def unfollow(user, *, process=None, proposal=None) -> None:
    db.session.execute(sa.delete(Follow).where(Follow.user_id == user.id, _matching(process, proposal)))
    db.session.commit()


def is_following(user, *, process=None, proposal=None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    found = sa.select(Follow.id).where(Follow.user_id == user.id, _matching(process, proposal))
    return db.session.scalar(found) is not None
