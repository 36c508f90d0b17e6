import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plaza.clock import utcnow
from plaza.districts import District  # noqa: F401  (the relationship below names it)
from plaza.extensions import db


class ProposalState(enum.Enum):
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"


class AnswerState(enum.Enum):
    EVALUATING = "evaluating"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class AmendmentState(enum.Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Category(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)


class Proposal(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)  # sanitised HTML
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("category.id", ondelete="SET NULL"), index=True)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("district.id", ondelete="SET NULL"), index=True)
    address: Mapped[str | None] = mapped_column(sa.String(200))
    state: Mapped[ProposalState] = mapped_column(default=ProposalState.PUBLISHED, index=True)
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposal.id", ondelete="SET NULL"))
    supports_count: Mapped[int] = mapped_column(default=0, index=True)  # kept in step with Support rows
    comments_count: Mapped[int] = mapped_column(default=0)
    answer_state: Mapped[AnswerState | None] = mapped_column(index=True)
    answer_text: Mapped[str | None] = mapped_column(sa.Text)
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    submission_key: Mapped[str] = mapped_column(sa.String(64), unique=True)  # makes a double submit harmless
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    edited_at: Mapped[datetime | None]

    process = relationship("Process")
    author = relationship("User", foreign_keys=[author_id])
    category: Mapped[Category | None] = relationship()
    district: Mapped["District | None"] = relationship()
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="proposal", cascade="all, delete-orphan")

    __table_args__ = (
        # The list pages filter by process and state and sort by date or supports: these keep them flat
        # from a thousand to tens of thousands of proposals (see bench/proposals.py).
        sa.Index("ix_proposal_listing_recent", "process_id", "state", "created_at", "id"),
        sa.Index("ix_proposal_listing_supported", "process_id", "state", "supports_count", "id"),
        sa.CheckConstraint("supports_count >= 0", name="supports_not_negative"),
        sa.CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_into_itself"),
    )


class ProposalRevision(db.Model):
    """The text of a proposal before each edit: the public edit history."""

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    edited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("proposal_id", "number", name="uq_revision_number"),)


class Support(db.Model):
    """One resident supports one proposal at most once: the primary key says so."""

    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupportQuota(db.Model):
    """How many supports a resident has given in a process, where the process limits them."""

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"), primary_key=True)
    used: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.CheckConstraint("used >= 0", name="used_not_negative"),)


class Amendment(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[AmendmentState] = mapped_column(default=AmendmentState.PENDING)
    submission_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    author = relationship("User")


class Attachment(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))  # as the resident named it, cleaned
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)  # random name under instance/uploads
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="attachments")
