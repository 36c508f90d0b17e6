"""Where a person lives and when they were born, apart from their account."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plaza.clock import utcnow
from plaza.extensions import db


class EligibilitySource(enum.Enum):
    SELF = "self"  # the resident said so on their account page
    DESK = "desk"  # checked by an officer at a participation desk
    ROLL = "roll"  # from a roll the council imported


class Eligibility(db.Model):
    """Where a person lives and when they were born: what decides whether they may vote (never citizenship).
    Kept apart from the account, as personal data with its own source."""

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("district.id", ondelete="SET NULL"))
    birth_date: Mapped[date | None]
    source: Mapped[EligibilitySource] = mapped_column(default=EligibilitySource.SELF)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    district = relationship("District")
