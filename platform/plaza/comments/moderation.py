"""Moderation of comments: hide a comment behind a public reason, show it again, dismiss its reports,
and the queue of reported comments."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from plaza import search
from plaza.audit import services as audit
from plaza.clock import utcnow
from plaza.comments.models import MAX_HIDDEN_REASON_LENGTH, Comment, CommentReport
from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.permissions import authorize
from plaza.proposals.models import Proposal
from plaza.text import plain_text


def _resolve_reports(comment: Comment) -> int:
    return db.session.execute(
        sa.update(CommentReport)
        .where(CommentReport.comment_id == comment.id, CommentReport.resolved_at.is_(None))
        .values(resolved_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount


def hide(moderator, comment: Comment, public_reason: str) -> None:
    """Hide a comment's text. Its place in the thread stays, with the reason, so replies keep their context."""
    authorize(moderator, "moderation.act", comment.proposal.process)
    reason = " ".join((public_reason or "").split())
    if not reason:
        raise RuleBroken(_("Write the reason that everyone will see in place of the comment."), field="reason")
    if len(reason) > MAX_HIDDEN_REASON_LENGTH:
        raise RuleBroken(_("Use at most %(max)d characters.", max=MAX_HIDDEN_REASON_LENGTH), field="reason")
    hidden = db.session.execute(
        sa.update(Comment).where(Comment.id == comment.id, Comment.hidden_at.is_(None))
        .values(hidden_at=utcnow(), hidden_reason=reason, hidden_by_id=moderator.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if hidden != 1:
        db.session.rollback()
        raise RuleBroken(_("This comment is already hidden."), status=409)
    resolved = _resolve_reports(comment)
    search.remove_comment(comment.id)  # a hidden comment is not found by search
    audit.record("comment.hidden", moderator, comment_id=comment.id, reason=reason, reports_resolved=resolved)
    db.session.commit()
    db.session.expire(comment)


def unhide(moderator, comment: Comment) -> None:
    authorize(moderator, "moderation.act", comment.proposal.process)
    shown = db.session.execute(
        sa.update(Comment).where(Comment.id == comment.id, Comment.hidden_at.is_not(None))
        .values(hidden_at=None, hidden_reason=None, hidden_by_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if shown != 1:
        db.session.rollback()
        raise RuleBroken(_("This comment is not hidden."), status=409)
    search.index_text(comment.proposal_id, plain_text(comment.body), comment_id=comment.id)
    audit.record("comment.shown_again", moderator, comment_id=comment.id)
    db.session.commit()
    db.session.expire(comment)


def dismiss_reports(moderator, comment: Comment) -> int:
    """The comment keeps to the rules: close its open reports and leave it as it is."""
    authorize(moderator, "moderation.act", comment.proposal.process)
    resolved = _resolve_reports(comment)
    if not resolved:
        db.session.rollback()
        raise RuleBroken(_("This comment has no open reports."), status=409)
    audit.record("comment.reports_dismissed", moderator, comment_id=comment.id, reports_resolved=resolved)
    db.session.commit()
    db.session.expire(comment)
    return resolved


@dataclass
class QueueItem:
    comment: Comment
    open_reports: int
    reports: list[CommentReport]  # the open ones, oldest first


def moderation_queue(limit: int = 200) -> list[QueueItem]:
    """Reported comments that are not hidden: most open reports first, then the longest waiting.

    Five statements whatever the length: the comments with their counts, then (selectin) their authors,
    proposals, processes and open reports.
    """
    counts = (sa.select(CommentReport.comment_id, sa.func.count().label("open_reports"),
                        sa.func.min(CommentReport.created_at).label("first_report"))
              .where(CommentReport.resolved_at.is_(None)).group_by(CommentReport.comment_id).subquery())
    rows = db.session.execute(
        sa.select(Comment, counts.c.open_reports)
        .join(counts, counts.c.comment_id == Comment.id)
        .where(Comment.hidden_at.is_(None))
        .order_by(counts.c.open_reports.desc(), counts.c.first_report, Comment.id)
        .limit(limit)
        .options(selectinload(Comment.author),
                 selectinload(Comment.proposal).selectinload(Proposal.process),
                 selectinload(Comment.reports.and_(CommentReport.resolved_at.is_(None))))
    ).all()
    return [QueueItem(comment=comment, open_reports=count, reports=list(comment.reports)) for comment, count in rows]
