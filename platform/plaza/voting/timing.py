"""When voting on a ballot is scheduled to close: the end of the process's voting phase (a ballot has no
closing time of its own; an organiser closes it, early or on time)."""

from datetime import datetime, timedelta

from flask_babel import ngettext

from plaza.clock import utcnow
from plaza.phases import Component
from plaza.voting.models import Ballot

HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def closes_at(ballot: Ballot, now: datetime | None = None) -> datetime | None:
    """The end of the voting phase under way, or else of the next one; None if no voting phase is ahead."""
    now = now or utcnow()
    ahead = [phase for phase in ballot.process.phases if Component.VOTING in phase.components and phase.ends_at > now]
    current = next((phase for phase in ahead if phase.starts_at <= now), None)
    chosen = current or (ahead[0] if ahead else None)
    return chosen.ends_at if chosen else None


def time_left(until: datetime, now: datetime | None = None) -> str:
    """How long until `until`, in whole days, hours or minutes ("20 days", "5 hours", "1 minute")."""
    left = until - (now or utcnow())
    if left >= DAY - HOUR / 2:
        days = round(left / DAY)
        return ngettext("%(num)d day", "%(num)d days", days)
    if left >= HOUR - timedelta(seconds=30):
        return ngettext("%(num)d hour", "%(num)d hours", round(left / HOUR))
    minutes = max(1, round(left / timedelta(minutes=1)))
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)
