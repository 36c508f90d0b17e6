from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from plaza.clock import utcnow
from plaza.extensions import db


class Process(db.Model):
    """A consultation (participatory process). Phases and components come with the processes work."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(500))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    language: Mapped[str] = mapped_column(sa.String(8), default="en")  # the language it was written in
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.CheckConstraint("closes_at > opens_at", name="closes_after_it_opens"),)

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.opens_at <= now < self.closes_at
