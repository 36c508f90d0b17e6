"""What a resident can do with proposals now: make one while the phase takes proposals, support them
while it takes supports. A signed-out visitor is offered the same, through the sign-in page."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from plaza.extensions import db
from plaza.permissions import offer
from plaza.phases import Component
from plaza.proposals.models import Proposal, ProposalState


def has_proposals(process, published_only: bool = True) -> bool:
    """Whether the consultation has (published) proposals."""
    return db.session.scalar(sa.select(sa.exists().where(
        Proposal.process_id == process.id, Proposal.state == ProposalState.PUBLISHED if published_only else sa.true())))


def propose(process, phase, user) -> list:
    """"Make a proposal" while the phase takes proposals ("Sign in to propose" for visitors)."""
    if phase is None or Component.PROPOSALS not in phase.components:
        return []
    return offer(user, "proposal.create", process, _l("Make a proposal"),
                 url_for("process.proposals.new", slug=process.slug), signed_out=_l("Sign in to propose"),
                 deadline=phase.ends_at, primary=True, priority=30)


def actions(process, phase, user) -> list:
    found = propose(process, phase, user)
    if Component.SUPPORTS in phase.components and has_proposals(process):
        found += offer(user, "proposal.support", process, _l("Support proposals"),
                       url_for("process.show", slug=process.slug) + "#proposals",
                       signed_out=_l("Sign in to support proposals"), deadline=phase.ends_at, primary=True,
                       priority=40)
    return found
