"""The rules of comments: write, reply, edit within a window, upvote, report, and read a thread
(moderation is in `plaza.comments.moderation`).

Everything here works without a request, so the proposal page, the CLI and tests share one set of rules.
"""

import math
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from plaza import outbox, search, submissions
from plaza.clock import utcnow
from plaza.comments.models import (
    EDIT_MINUTES,
    MAX_BODY_LENGTH,
    MAX_DEPTH,
    MAX_DETAILS_LENGTH,
    Comment,
    CommentReport,
    CommentRevision,
    CommentVote,
    ReportReason,
    Stance,
)
from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.permissions import authorize, can
from plaza.proposals.models import Proposal, ProposalState
from plaza.text import clean_html, plain_text

EDIT_WINDOW = timedelta(minutes=EDIT_MINUTES)
PER_PAGE = 20  # top-level comments per page; their replies come with them


# --- writing -------------------------------------------------------------------------------------------


def _clean_body(body: str | None) -> str:
    body = body or ""
    if len(body) > MAX_BODY_LENGTH:
        raise RuleBroken(_("Use at most %(max)d characters.", max=MAX_BODY_LENGTH), field="body")
    cleaned = clean_html(body)
    if not plain_text(cleaned):
        raise RuleBroken(_("Write your comment."), field="body")
    return cleaned


def can_reply_to(comment: Comment) -> bool:
    return comment.depth < MAX_DEPTH and not comment.is_hidden


def add_comment(user, proposal: Proposal, body: str, stance: Stance | str = Stance.NEUTRAL,
                parent: Comment | None = None, submission_key: str | None = None) -> Comment:
    """Publish a comment on a proposal, or a reply to one of its comments.

    Replies go at most three levels deep (depths 0, 1, 2): a reply to a depth-2 comment is refused with a
    message that says to reply to the comment it answers. The same submission key twice (a double click,
    a resent form) gives back the first comment instead of a second one.
    """
    authorize(user, "comment.create", proposal.process)
    submission_key = submission_key or submissions.new_key()
    earlier = submissions.earlier_result(user, "comment", proposal.id, submission_key, Comment)
    if earlier is not None:
        return earlier
    if proposal.state is ProposalState.WITHDRAWN:
        raise RuleBroken(_("This proposal was withdrawn, so it cannot get new comments."), status=409)
    if parent is not None:
        if parent.proposal_id != proposal.id:
            raise RuleBroken(_("You can only reply to a comment on the same proposal."), status=400)
        if parent.is_hidden:
            raise RuleBroken(_("A moderator hid this comment, so it cannot get new replies."), status=409)
        if parent.depth >= MAX_DEPTH:
            raise RuleBroken(_("Replies can go three levels deep and this one is as deep as it gets. "
                               "Reply to the comment it answers instead."), status=409)
    stance = Stance(stance)
    comment = Comment(proposal_id=proposal.id, author_id=user.id, parent_id=parent.id if parent else None,
                      depth=parent.depth + 1 if parent else 0, stance=stance, body=_clean_body(body),
                      submission_key=submission_key)
    db.session.add(comment)
    try:
        db.session.flush()
        submissions.record(user, "comment", proposal.id, submission_key, comment.id)
        db.session.execute(sa.update(Proposal).where(Proposal.id == proposal.id)
                           .values(comments_count=Proposal.comments_count + 1))
        search.index_text(proposal.id, plain_text(comment.body), comment_id=comment.id)
        if parent is not None and parent.author_id is not None and parent.author_id != user.id:
            outbox.record("comment.replied", idempotency_key=f"comment.replied:{comment.id}",
                          comment_id=comment.id, parent_author_id=parent.author_id, proposal_id=proposal.id)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # a second request with the same key won the race: give back its comment
        earlier = submissions.earlier_result(user, "comment", proposal.id, submission_key, Comment)
        if earlier is None:
            raise
        return earlier
    return comment


def edit_window_ends(comment: Comment):
    return comment.created_at + EDIT_WINDOW


def can_edit(user, comment: Comment, now=None, may_comment: bool | None = None) -> bool:
    """Whether `edit_comment` would accept a change now (`may_comment`: can(user, "comment.create"), if known)."""
    if not can(user, "comment.edit", target=comment) or comment.is_hidden:
        return False
    if (now or utcnow()) >= edit_window_ends(comment):
        return False
    return may_comment if may_comment is not None else can(user, "comment.create", comment.proposal.process)


def edit_comment(user, comment: Comment, body: str) -> Comment:
    """The author may change the text for 60 minutes; each earlier text is kept as a revision."""
    if not can(user, "comment.edit", target=comment):
        raise RuleBroken(_("Only the author can edit this comment."), status=403)
    authorize(user, "comment.create", comment.proposal.process)
    if comment.is_hidden:
        raise RuleBroken(_("A moderator hid this comment, so it cannot be edited."), status=409)
    if utcnow() >= edit_window_ends(comment):
        raise RuleBroken(_("Comments can be edited for %(minutes)d minutes after publishing. That time is over.",
                           minutes=EDIT_MINUTES), status=409)
    cleaned = _clean_body(body)
    if cleaned == comment.body:
        return comment
    number = (db.session.scalar(sa.select(sa.func.max(CommentRevision.number))
                                .where(CommentRevision.comment_id == comment.id)) or 0) + 1
    db.session.add(CommentRevision(comment_id=comment.id, number=number, body=comment.body))
    comment.body, comment.edited_at = cleaned, utcnow()
    if comment.hidden_at is None:
        search.index_text(comment.proposal_id, plain_text(cleaned), comment_id=comment.id)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise RuleBroken(_("This comment was changed at the same moment somewhere else. Reload it and try "
                           "again."), status=409) from None
    return comment


def revisions(comment: Comment) -> list[CommentRevision]:
    return db.session.scalars(sa.select(CommentRevision).where(CommentRevision.comment_id == comment.id)
                              .order_by(CommentRevision.number)).all()


# --- upvotes and reports -------------------------------------------------------------------------------


def upvote(user, comment: Comment) -> None:
    """One upvote per person per comment: the primary key of CommentVote decides, even under a race."""
    authorize(user, "comment.vote", comment.proposal.process)
    if comment.author_id == user.id:
        raise RuleBroken(_("You cannot upvote your own comment."), status=409)
    if comment.is_hidden:
        raise RuleBroken(_("A moderator hid this comment, so it cannot be upvoted."), status=409)
    try:
        db.session.execute(sa.insert(CommentVote).values(comment_id=comment.id, user_id=user.id,
                                                         created_at=utcnow()))
        db.session.execute(sa.update(Comment).where(Comment.id == comment.id)
                           .values(upvotes_count=Comment.upvotes_count + 1))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise RuleBroken(_("You already upvoted this comment."), status=409) from None


def report(user, comment: Comment, reason: ReportReason | str, details: str | None = None) -> CommentReport:
    """Tell the moderators about a comment. One report per person per comment (a unique constraint)."""
    authorize(user, "comment.report", comment.proposal.process)
    reason = ReportReason(reason)
    details = (details or "").strip() or None
    if details and len(details) > MAX_DETAILS_LENGTH:
        raise RuleBroken(_("Use at most %(max)d characters.", max=MAX_DETAILS_LENGTH), field="details")
    if reason is ReportReason.OTHER and not details:
        raise RuleBroken(_("Tell the moderators what is wrong with this comment."), field="details")
    if comment.is_hidden:
        raise RuleBroken(_("A moderator has already hidden this comment."), status=409)
    try:
        report_id = db.session.scalar(
            sa.insert(CommentReport).values(comment_id=comment.id, user_id=user.id, reason=reason, details=details,
                                            created_at=utcnow()).returning(CommentReport.id))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise RuleBroken(_("You already reported this comment. A moderator will look at it."), status=409) from None
    return db.session.get(CommentReport, report_id)


# --- reading -------------------------------------------------------------------------------------------


@dataclass
class Node:
    """One comment in a thread, with its replies and what the person looking at it may do with it."""

    comment: Comment
    replies: list["Node"] = field(default_factory=list)
    own: bool = False
    editable: bool = False
    upvoted: bool = False
    can_reply: bool = False


@dataclass
class ThreadPage:
    """One page of a proposal's thread: up to PER_PAGE top-level comments, each with all its replies.
    Iterating over it gives the top-level nodes."""

    proposal: Proposal
    nodes: list[Node]
    page: int
    pages: int
    top_level_total: int
    signed_in: bool = False
    can_vote: bool = False
    can_report: bool = False
    can_moderate: bool = False

    def __iter__(self):
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def thread(proposal: Proposal, page: int = 1, user=None) -> ThreadPage | None:
    """The proposal's comments as a tree, paginated by top-level comments (oldest first, replies too).

    Three statements whatever the number of comments: count the top-level comments; load the page's
    comments and all their replies with their authors (one SELECT with a join); load the person's upvotes
    among them. A page past the end is None (page 1 always exists, even with no comments).
    """
    top_level = sa.and_(Comment.proposal_id == proposal.id, Comment.parent_id.is_(None))
    total = db.session.scalar(sa.select(sa.func.count(Comment.id)).where(top_level))
    pages = max(1, math.ceil(total / PER_PAGE))
    if page < 1 or page > pages:
        return None
    roots = (sa.select(Comment.id).where(top_level).order_by(Comment.created_at, Comment.id)
             .limit(PER_PAGE).offset((page - 1) * PER_PAGE))
    first_replies = sa.select(Comment.id).where(Comment.parent_id.in_(roots))
    comments = db.session.scalars(
        sa.select(Comment)
        # The proposal condition lets the database start from this proposal's comments; without it
        # PostgreSQL scanned every comment of the city to evaluate the OR (bench/proposals.py).
        .where(Comment.proposal_id == proposal.id)
        .where(sa.or_(Comment.id.in_(roots),
                      Comment.parent_id.in_(roots),
                      Comment.parent_id.in_(first_replies)))
        .order_by(Comment.created_at, Comment.id)
        .options(joinedload(Comment.author))
    ).unique().all()
    signed_in = user is not None and user.is_authenticated
    voted: set[int] = set()
    if signed_in and comments:
        voted = set(db.session.scalars(sa.select(CommentVote.comment_id).where(
            CommentVote.user_id == user.id, CommentVote.comment_id.in_([c.id for c in comments]))))
    now = utcnow()
    process = proposal.process
    may_comment = can(user, "comment.create", process)
    nodes = {comment.id: Node(comment=comment, own=signed_in and comment.author_id == user.id,
                              editable=can_edit(user, comment, now, may_comment), upvoted=comment.id in voted,
                              can_reply=can_reply_to(comment))
             for comment in comments}
    top: list[Node] = []
    for node in nodes.values():  # in thread order, so replies stay oldest first under their parent
        if node.comment.parent_id is None:
            top.append(node)
        else:
            nodes[node.comment.parent_id].replies.append(node)
    return ThreadPage(proposal=proposal, nodes=top, page=page, pages=pages, top_level_total=total,
                      signed_in=signed_in, can_vote=can(user, "comment.vote", process),
                      can_report=can(user, "comment.report", process),
                      can_moderate=can(user, "moderation.act", process))


def user_votes(page: ThreadPage) -> set[int]:
    found: set[int] = set()
    stack = list(page.nodes)
    while stack:
        node = stack.pop()
        if node.upvoted:
            found.add(node.comment.id)
        stack.extend(node.replies)
    return found


def thread_context(proposal: Proposal, user, page: int = 1) -> dict | None:
    """What `{% from "comments/_thread.html" import thread %}` needs besides the form (the page adds
    it), or None for a page past the end.

    Keys: proposal, comments (a ThreadPage), user_votes (ids of the comments this person upvoted),
    can_comment.
    """
    comments = thread(proposal, page, user)
    if comments is None:
        return None
    return {
        "proposal": proposal,
        "comments": comments,
        "user_votes": user_votes(comments),
        "can_comment": can(user, "comment.create", proposal.process)
        and proposal.state is not ProposalState.WITHDRAWN,
    }


def page_of(comment: Comment) -> int:
    """The thread page that shows `comment`: the page of its top-level ancestor."""
    root = comment
    while root.parent_id is not None:
        root = root.parent
    before = db.session.scalar(
        sa.select(sa.func.count(Comment.id)).where(
            Comment.proposal_id == root.proposal_id, Comment.parent_id.is_(None),
            sa.or_(Comment.created_at < root.created_at,
                   sa.and_(Comment.created_at == root.created_at, Comment.id < root.id))))
    return before // PER_PAGE + 1
