"""Counting closed ballots. Both jobs are safe to repeat: a ballot is counted and published once."""

import logging

from plaza.voting import services

log = logging.getLogger(__name__)


def count_ballot(ballot_id: int) -> bool:
    published = services.count_ballot(ballot_id)
    log.info("ballot %s %s", ballot_id, "counted and published" if published else "needed no count")
    return published


def count_closed_ballots() -> int:
    """Periodic: count every ballot that was closed but not counted (e.g. the queue was down at closing)."""
    return sum(count_ballot(ballot_id) for ballot_id in services.closed_uncounted())
