from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plaza.clock import utcnow
from plaza.extensions import db
from plaza.phases import Component, PhaseKind


class Process(db.Model):
    """A consultation (participatory process): ordered phases, each with the components it enables."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(500))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    language: Mapped[str] = mapped_column(sa.String(8), default="en")  # the language it was written in
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    # Rules organisers set for proposals in this process.
    support_threshold: Mapped[int | None]  # supports that make a proposal eligible for the vote
    supports_per_resident: Mapped[int | None]  # None: no limit
    edit_window_minutes: Mapped[int] = mapped_column(default=60)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    phases: Mapped[list["Phase"]] = relationship(
        back_populates="process", order_by="Phase.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint("closes_at > opens_at", name="closes_after_it_opens"),
        sa.CheckConstraint("support_threshold IS NULL OR support_threshold > 0", name="threshold_positive"),
        sa.CheckConstraint("supports_per_resident IS NULL OR supports_per_resident > 0", name="limit_positive"),
        sa.CheckConstraint("edit_window_minutes >= 0", name="edit_window_not_negative"),
    )

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.opens_at <= now < self.closes_at

    def active_phase(self, now: datetime | None = None) -> "Phase | None":
        now = now or utcnow()
        return next((phase for phase in self.phases if phase.starts_at <= now < phase.ends_at), None)


class Phase(db.Model):
    """One step of a process. Phases of a process never overlap (checked by the service that saves them),
    so at most one is active at any moment."""

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    kind: Mapped[PhaseKind]
    title: Mapped[str] = mapped_column(sa.String(120))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]

    process: Mapped[Process] = relationship(back_populates="phases")
    enabled: Mapped[list["PhaseComponent"]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (
        sa.UniqueConstraint("process_id", "position", name="uq_phase_position"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_it_starts"),
    )

    @property
    def components(self) -> frozenset[Component]:
        return frozenset(row.component for row in self.enabled)


class PhaseComponent(db.Model):
    phase_id: Mapped[int] = mapped_column(sa.ForeignKey("phase.id", ondelete="CASCADE"), primary_key=True)
    component: Mapped[Component] = mapped_column(primary_key=True)
