"""The comments part of the organiser's page: how many reported comments of the consultation wait for a
moderator."""

import sqlalchemy as sa

from plaza.comments.models import Comment, CommentReport
from plaza.extensions import db
from plaza.permissions import can
from plaza.proposals.models import Proposal


def reported_comments(process) -> int:
    """Comments of the consultation's proposals that have open reports and are not hidden."""
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Comment.id)))
        .join(CommentReport, CommentReport.comment_id == Comment.id)
        .join(Proposal, Proposal.id == Comment.proposal_id)
        .where(Proposal.process_id == process.id, CommentReport.resolved_at.is_(None), Comment.hidden_at.is_(None)))


def organiser_panel(process, user) -> dict | None:
    if not can(user, "moderation.act", process):
        return None
    return {"reported": reported_comments(process)}
