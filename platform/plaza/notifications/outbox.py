"""Transactional outbox.

`record()` adds an OutboxEvent to the current transaction. When that transaction commits, the event
is enqueued for a worker (`workers.notifications.deliver`). If Redis is down at that moment nothing is
lost: the sweeper re-enqueues every event not delivered in time. Delivery claims the row first, so two
workers never carry out the same event at once, and a delivered event is never carried out again.
"""

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta

import redis
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from plaza import queues
from plaza.clock import utcnow
from plaza.extensions import db
from plaza.notifications.models import OutboxEvent

log = logging.getLogger(__name__)

PENDING = "outbox_pending"
CLAIM_SECONDS = 120
MAX_ATTEMPTS = 20

# kind -> function(event) that carries the event out; filled by register().
HANDLERS: dict[str, Callable[[OutboxEvent], None]] = {}


def handles(kind: str):
    """Decorator: the function carries out events of `kind`."""

    def register(function: Callable[[OutboxEvent], None]):
        if kind in HANDLERS:
            raise RuntimeError(f"two handlers for outbox events of kind {kind!r}")
        HANDLERS[kind] = function
        return function

    return register


def record(kind: str, idempotency_key: str | None = None, **payload) -> OutboxEvent:
    if kind not in HANDLERS:
        raise KeyError(f"no handler for outbox events of kind {kind!r}")
    event = OutboxEvent(kind=kind, payload=payload, idempotency_key=idempotency_key or str(uuid.uuid4()))
    db.session.add(event)
    db.session.flush()  # gives the event its id, needed after commit when SQL is no longer allowed
    db.session.info.setdefault(PENDING, []).append(event.id)
    return event


def _enqueue(event_id: int) -> None:
    queues.enqueue(
        "workers.notifications.deliver", event_id, queue_name="notifications", job_id=f"outbox-{event_id}"
    )


@sa.event.listens_for(Session, "after_commit")
def _relay_after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    for event_id in pending:
        try:
            _enqueue(event_id)
        except redis.RedisError as error:
            log.warning("outbox event %s not enqueued (%s); the sweeper will retry", event_id, error)


@sa.event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


def claim(event_id: int) -> OutboxEvent | None:
    """Take the event for delivery, or None if it is delivered, given up, or held by another worker."""
    now = utcnow()
    claimed = db.session.execute(
        sa.update(OutboxEvent)
        .where(
            OutboxEvent.id == event_id,
            OutboxEvent.delivered_at.is_(None),
            OutboxEvent.gave_up_at.is_(None),
            sa.or_(OutboxEvent.claimed_until.is_(None), OutboxEvent.claimed_until < now),
        )
        .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS), attempts=OutboxEvent.attempts + 1)
    ).rowcount
    db.session.commit()
    return db.session.get(OutboxEvent, event_id) if claimed else None


def deliver(event_id: int) -> bool:
    """Carry out one event. Returns True if this call delivered it. Errors propagate so RQ retries."""
    event = claim(event_id)
    if event is None:
        return False
    try:
        HANDLERS[event.kind](event)
    except Exception as error:
        db.session.rollback()
        event = db.session.get(OutboxEvent, event_id)
        event.claimed_until = None
        event.last_error = f"{type(error).__name__}: {error}"[:500]
        if event.attempts >= MAX_ATTEMPTS:
            event.gave_up_at = utcnow()
            log.error("outbox event %s given up after %s attempts: %s", event_id, event.attempts, error)
        db.session.commit()
        raise
    event.delivered_at = utcnow()
    event.claimed_until = None
    event.last_error = None
    db.session.commit()
    return True


def sweep() -> int:
    """Re-enqueue events that should have been delivered by now. Returns how many."""
    retry_after = timedelta(seconds=current_app.config["OUTBOX_RETRY_AFTER"])
    now = utcnow()
    overdue = db.session.scalars(
        sa.select(OutboxEvent.id)
        .where(
            OutboxEvent.delivered_at.is_(None),
            OutboxEvent.gave_up_at.is_(None),
            OutboxEvent.created_at < now - retry_after,
            sa.or_(OutboxEvent.claimed_until.is_(None), OutboxEvent.claimed_until < now),
        )
        .order_by(OutboxEvent.id)
        .limit(1000)
    ).all()
    for event_id in overdue:
        _enqueue(event_id)
    if overdue:
        log.info("outbox sweep re-enqueued %d events", len(overdue))
    return len(overdue)
