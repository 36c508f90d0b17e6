"""Publishing sealed votes to the bulletin board and counting closed ballots. Every job is safe to repeat:
a vote is published once and a ballot is counted once."""

import logging

from plaza.voting import mixing, services

log = logging.getLogger(__name__)


def count_ballot(ballot_id: int) -> bool:
    published = services.count_ballot(ballot_id)
    log.info("ballot %s %s", ballot_id, "counted and published" if published else "needed no count")
    return published


def count_closed_ballots() -> int:
    """Periodic: count every ballot that was closed but not counted (e.g. the queue was down at closing)."""
    return sum(count_ballot(ballot_id) for ballot_id in services.closed_uncounted())


def publish_votes(ballot_id: int) -> int:
    """Move a shuffled batch from the ballot's mixing pool to its bulletin board, if one is due."""
    return mixing.publish(ballot_id)


def publish_waiting_votes() -> int:
    """Periodic: publish every batch that is due (e.g. the queue was down when the votes were cast)."""
    published = 0
    for ballot_id in mixing.waiting_ballots():
        try:
            published += mixing.publish(ballot_id)
        except mixing.SealBroken:  # logged; the other ballots go on
            log.exception("ballot %s: sealed votes cannot be opened with the configured keys", ballot_id)
    return published
