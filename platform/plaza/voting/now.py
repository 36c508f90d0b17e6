"""What a resident can do with ballots now: vote on each open ballot they have not voted on yet, until the
ballot closes (`timing.closes_at`: the end of the voting phase). Signed-out
visitors are led to the ballot itself, which says when it closes and asks them to sign in to vote.
Also the organiser's panel: the ballots with their state and closing time."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from plaza.components import Action
from plaza.extensions import db
from plaza.permissions import can
from plaza.phases import Component
from plaza.voting import timing
from plaza.voting.casting import has_voted
from plaza.voting.models import Ballot, BallotState


def actions(process, phase, user) -> list[Action]:
    if Component.VOTING not in phase.components:
        return []
    ballots = db.session.scalars(sa.select(Ballot).where(Ballot.process_id == process.id,
                                                         Ballot.state == BallotState.OPEN)
                                 .order_by(Ballot.id)).all()
    signed_in = user is not None and user.is_authenticated
    if signed_in and not can(user, "ballot.cast", process):
        return []
    found = []
    for ballot in ballots:
        if signed_in and has_voted(user, ballot):
            continue
        label = _("Vote: %(ballot)s", ballot=ballot.title) if len(ballots) > 1 else _l("Vote")
        found.append(Action(label, url_for("process.voting.show", slug=process.slug, ballot_id=ballot.id),
                            button=_l("Vote now"), needs_sign_in=not signed_in,
                            deadline=timing.closes_at(ballot) or phase.ends_at, primary=True, priority=10))
    return found


def organiser_panel(process, user) -> dict | None:
    """The organiser's page: every ballot of the consultation, its state, and when it closes or closed."""
    if not can(user, "ballot.manage", process):
        return None
    ballots = db.session.scalars(sa.select(Ballot).where(Ballot.process_id == process.id).order_by(Ballot.id)).all()
    return {"ballots": [(ballot, timing.closes_at(ballot)) for ballot in ballots]}
