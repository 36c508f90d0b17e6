"""Meetings of a consultation, and who registered for them."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plaza.clock import utcnow
from plaza.extensions import db


class MeetingKind(enum.Enum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"

    @property
    def has_place(self) -> bool:
        return self is not MeetingKind.ONLINE

    @property
    def has_link(self) -> bool:
        return self is not MeetingKind.IN_PERSON


class RegistrationStatus(enum.Enum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"


class Meeting(db.Model):
    """A meeting organisers hold during a consultation: in a room, online, or both."""

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")  # sanitised HTML
    kind: Mapped[MeetingKind] = mapped_column(default=MeetingKind.IN_PERSON)
    address: Mapped[str | None] = mapped_column(sa.String(300))  # in-person and hybrid meetings
    online_url: Mapped[str | None] = mapped_column(sa.String(500))  # online and hybrid meetings; http(s) only
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    capacity: Mapped[int | None]  # places; None: no limit
    # Kept in step with the confirmed MeetingRegistration rows by the services, under a lock of this row:
    # the check constraint below is what makes overbooking impossible, whatever the code does.
    confirmed_count: Mapped[int] = mapped_column(default=0)
    # Accessibility, as explicit answers rather than free text, so that a person can rely on them.
    step_free_access: Mapped[bool] = mapped_column(default=False)
    sign_language: Mapped[bool] = mapped_column(default=False)
    hearing_loop: Mapped[bool] = mapped_column(default=False)
    childcare: Mapped[bool] = mapped_column(default=False)
    languages_spoken: Mapped[str] = mapped_column(sa.String(200), default="")  # e.g. "en, es, ar"
    accessibility_notes: Mapped[str] = mapped_column(sa.Text, default="")  # plain text
    sequence: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE: grows with each change
    cancelled_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    process = relationship("Process")

    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_it_starts"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("confirmed_count >= 0", name="confirmed_not_negative"),
        sa.CheckConstraint("capacity IS NULL OR confirmed_count <= capacity", name="not_overbooked"),
        # Enums are stored by name (see extensions.Base).
        sa.CheckConstraint("kind IN ('IN_PERSON', 'ONLINE', 'HYBRID')", name="kind_known"),
        sa.CheckConstraint("kind = 'ONLINE' OR (address IS NOT NULL AND address <> '')", name="place_has_address"),
        sa.CheckConstraint("kind = 'IN_PERSON' OR (online_url IS NOT NULL AND online_url <> '')",
                           name="online_has_link"),
        sa.CheckConstraint("online_url IS NULL OR online_url LIKE 'https://%' OR online_url LIKE 'http://%'",
                           name="link_is_http"),
    )

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def has_started(self, now: datetime | None = None) -> bool:
        return self.starts_at <= (now or utcnow())

    def has_ended(self, now: datetime | None = None) -> bool:
        return self.ends_at <= (now or utcnow())

    @property
    def places_left(self) -> int | None:
        """Free places, or None when there is no limit."""
        return None if self.capacity is None else max(self.capacity - self.confirmed_count, 0)


class MeetingRegistration(db.Model):
    """A resident's place at a meeting, or their place in its waiting list (oldest first)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    user = relationship("User")

    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "user_id", name="uq_meeting_registration_once"),
        sa.CheckConstraint("status IN ('CONFIRMED', 'WAITING')", name="status_known"),
        sa.Index("ix_meeting_registration_queue", "meeting_id", "status", "created_at", "id"),
    )
