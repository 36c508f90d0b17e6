"""Comments on proposals: threaded three levels deep, upvoted, reported and moderated.

A comment at depth 0 answers the proposal; depth 1 answers a depth-0 comment; depth 2 answers a depth-1
comment. Replies to a depth-2 comment are refused (`services.add_comment`), and the thread offers no reply
link there: the conversation continues by replying to the comment that the depth-2 comment answers.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plaza.clock import utcnow
from plaza.extensions import db

MAX_DEPTH = 2  # depths 0, 1 and 2: three levels
EDIT_MINUTES = 60  # an author may change a comment for this long after publishing it
MAX_BODY_LENGTH = 5000  # characters as typed, before sanitising
MAX_DETAILS_LENGTH = 1000
MAX_HIDDEN_REASON_LENGTH = 500


class Stance(enum.Enum):
    FOR = "for"
    AGAINST = "against"
    NEUTRAL = "neutral"


class ReportReason(enum.Enum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"
    OTHER = "other"


STANCE_NAMES = {
    Stance.FOR: _l("In favour"),
    Stance.AGAINST: _l("Against"),
    Stance.NEUTRAL: _l("Neutral"),
}

REPORT_REASON_NAMES = {
    ReportReason.SPAM: _l("Spam or advertising"),
    ReportReason.OFFENSIVE: _l("Offensive, hateful or threatening"),
    ReportReason.OFF_TOPIC: _l("Not about this proposal"),
    ReportReason.PERSONAL_DATA: _l("Shares someone's personal data"),
    ReportReason.OTHER: _l("Something else"),
}


class Comment(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    depth: Mapped[int] = mapped_column(default=0)
    stance: Mapped[Stance] = mapped_column(default=Stance.NEUTRAL)
    body: Mapped[str] = mapped_column(sa.Text)  # sanitised HTML (plaza.text.clean_html)
    upvotes_count: Mapped[int] = mapped_column(default=0)  # kept in step with CommentVote rows
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(sa.String(500))  # shown publicly in place of the body
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    submission_key: Mapped[str] = mapped_column(sa.String(64), unique=True)  # makes a double submit harmless
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]

    proposal = relationship("Proposal")
    author = relationship("User", foreign_keys=[author_id])
    parent: Mapped["Comment | None"] = relationship(remote_side=[id])
    reports: Mapped[list["CommentReport"]] = relationship(back_populates="comment", passive_deletes=True,
                                                          order_by="CommentReport.created_at")

    __table_args__ = (
        sa.CheckConstraint(f"depth BETWEEN 0 AND {MAX_DEPTH}", name="depth_in_range"),
        sa.CheckConstraint("(parent_id IS NULL AND depth = 0) OR (parent_id IS NOT NULL AND depth > 0)",
                           name="replies_have_a_parent"),
        sa.CheckConstraint("upvotes_count >= 0", name="upvotes_not_negative"),
        sa.CheckConstraint("hidden_at IS NULL OR hidden_reason IS NOT NULL", name="hidden_with_a_reason"),
        sa.Index("ix_comment_thread_order", "proposal_id", "parent_id", "created_at"),
    )

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class CommentRevision(db.Model):
    """The body of a comment before each edit: its edit history."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("comment_id", "number", name="uq_comment_revision_number"),)


class CommentVote(db.Model):
    """One upvote per person per comment: the primary key says so."""

    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommentReport(db.Model):
    """A person tells the moderators that a comment breaks the rules; one report per person per comment."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    reason: Mapped[ReportReason]
    details: Mapped[str | None] = mapped_column(sa.Text)  # plain text, escaped when shown
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(index=True)  # hidden or dismissed by a moderator

    comment: Mapped[Comment] = relationship(back_populates="reports")

    __table_args__ = (sa.UniqueConstraint("comment_id", "user_id", name="uq_comment_report_once"),)
