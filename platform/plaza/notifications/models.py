from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from plaza.clock import utcnow
from plaza.extensions import db


class Follow(db.Model):
    """A resident follows a process or a proposal, to hear about what happens to it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    process_id: Mapped[int | None] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("(process_id IS NULL) <> (proposal_id IS NULL)", name="follows_one_thing"),
        sa.UniqueConstraint("user_id", "process_id", name="uq_follow_process"),
        sa.UniqueConstraint("user_id", "proposal_id", name="uq_follow_proposal"),
    )
