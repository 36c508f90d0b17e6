"""What is happening in a consultation now: its current phase, what a resident can do in it (from the
components' `now` functions) and until when; its status for tags ("Open now", "Opens 3 January",
"Closed"); and the consultations open now, most urgent first, for the home page."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from plaza.clock import utcnow
from plaza.components import Action, actions_now
from plaza.extensions import db
from plaza.processes.models import Phase, Process


@dataclass(frozen=True)
class Now:
    process: Process
    phase: Phase | None  # the current phase; None before, between and after phases
    actions: list[Action]
    status: str  # "open" (a phase runs now), "upcoming" (opens or continues later) or "closed"
    date: datetime | None  # open: the deadline of the main action or the phase; upcoming: when it opens

    @property
    def main(self) -> Action | None:
        """The one primary button: the first primary action, if any."""
        return next((action for action in self.actions if action.primary), None)

    @property
    def others(self) -> list[Action]:
        return [action for action in self.actions if action is not self.main]


def now_in(process: Process, user, now: datetime | None = None) -> Now:
    now = now or utcnow()
    phase = process.active_phase(now)
    if phase is not None:
        actions = actions_now(process, user, now)
        main = next((action for action in actions if action.primary), None)
        deadline = main.deadline if main is not None and main.deadline else phase.ends_at
        return Now(process, phase, actions, "open", deadline)
    later = [item.starts_at for item in process.phases if item.starts_at > now]
    if later:
        return Now(process, None, [], "upcoming", min(later))
    return Now(process, None, [], "closed", None)


def open_now(user, now: datetime | None = None) -> list[Now]:
    """The consultations with a phase running now, the most urgent deadline first."""
    now = now or utcnow()
    processes = db.session.scalars(
        sa.select(Process).where(Process.opens_at <= now, Process.closes_at > now)
        .where(Process.phases.any(sa.and_(Phase.starts_at <= now, Phase.ends_at > now)))
        .options(selectinload(Process.phases))
    ).all()
    found = [now_in(process, user, now) for process in processes]
    return sorted(found, key=lambda item: (item.main is None, item.date, item.process.id))


def steps(process: Process, now: datetime | None = None) -> list[tuple[Phase, str]]:
    """Each phase with its place in time, for the stepper: "done", "current" or "upcoming"."""
    now = now or utcnow()
    return [(phase, "done" if phase.ends_at <= now else "current" if phase.starts_at <= now else "upcoming")
            for phase in process.phases]
