import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from plaza.clock import utcnow
from plaza.extensions import db


class TaskState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


class Task(db.Model):
    """What a person sees of a job: its state and progress live here, in the database, not only in Redis."""

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    name: Mapped[str] = mapped_column(sa.String(120))  # the dotted job function
    description: Mapped[str] = mapped_column(sa.String(200))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    state: Mapped[TaskState] = mapped_column(default=TaskState.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    __table_args__ = (sa.CheckConstraint("progress BETWEEN 0 AND 100", name="progress_is_percent"),)

    @property
    def done(self) -> bool:
        return self.state in (TaskState.FINISHED, TaskState.FAILED)
