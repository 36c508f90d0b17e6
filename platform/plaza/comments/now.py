"""What a resident can do with comments now: comment on the consultation's proposals, while the phase
enables comments and there are proposals to comment on."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from plaza.extensions import db
from plaza.permissions import offer
from plaza.phases import Component
from plaza.proposals.models import Proposal, ProposalState


def actions(process, phase, user) -> list:
    if Component.COMMENTS not in phase.components:
        return []
    if not db.session.scalar(sa.select(sa.exists().where(
            Proposal.process_id == process.id, Proposal.state == ProposalState.PUBLISHED))):
        return []
    return offer(user, "comment.create", process, _l("Comment on proposals"),
                 url_for("process.show", slug=process.slug) + "#proposals", signed_out=_l("Sign in to comment"),
                 deadline=phase.ends_at, priority=70)
