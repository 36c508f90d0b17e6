"""What a resident can do with proposals now: make one while the phase takes proposals, support them
while it takes supports. A signed-out visitor is offered the same, through the sign-in page."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from plaza.extensions import db
from plaza.permissions import offer
from plaza.phases import Component
from plaza.proposals.models import Proposal, ProposalState


def has_proposals(process) -> bool:
    """Whether the consultation has published proposals (to support or comment on)."""
    return db.session.scalar(sa.select(sa.exists().where(
        Proposal.process_id == process.id, Proposal.state == ProposalState.PUBLISHED)))


def actions(process, phase, user) -> list:
    found = []
    if Component.PROPOSALS in phase.components:
        found += offer(user, "proposal.create", process, _l("Make a proposal"),
                       url_for("process.proposals.new", slug=process.slug), signed_out=_l("Sign in to propose"),
                       deadline=phase.ends_at, primary=True, priority=30)
    if Component.SUPPORTS in phase.components and has_proposals(process):
        found += offer(user, "proposal.support", process, _l("Support proposals"),
                       url_for("process.show", slug=process.slug) + "#proposals",
                       signed_out=_l("Sign in to support proposals"), deadline=phase.ends_at, primary=True,
                       priority=40)
    return found
