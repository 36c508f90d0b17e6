"""Transactional outbox.

`record()` adds an OutboxEvent to the current transaction. When that transaction commits, the event
is enqueued for a worker (`workers.notifications.deliver`). If Redis is down at that moment nothing is
lost: the sweeper re-enqueues every event that is due and not delivered. Delivery claims the row first,
so two workers never carry out the same event at once, and a delivered event is never carried out again.

The outbox keeps its own retry schedule (`next_attempt_at`, growing backoff, MAX_ATTEMPTS); its jobs are
enqueued without RQ retries so the two schedules never pile up on each other.
"""

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, Session, mapped_column

from plaza import queues
from plaza.clock import utcnow
from plaza.extensions import db, insert_on_conflict


class OutboxEvent(db.Model):
    """A side effect to carry out, written in the same transaction as the change that causes it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(80), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_until: Mapped[datetime | None]  # a worker holds it until then
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)  # the sweeper waits until then
    delivered_at: Mapped[datetime | None] = mapped_column(index=True)
    gave_up_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(500))


log = logging.getLogger(__name__)

PENDING = "outbox_pending"
CLAIM_SECONDS = 120
MAX_ATTEMPTS = 20
BACKOFF_SECONDS = (30, 60, 120, 300, 600, 1800, 3600)  # then hourly: 20 attempts span about 14 hours
SWEEP_LEASE_SECONDS = 300  # an event the sweeper enqueued is not enqueued again for this long

# kind -> function(event) that carries the event out; filled by @handles.
HANDLERS: dict[str, Callable[[OutboxEvent], None]] = {}

# Kinds recorded now and delivered once notifications (inbox, digests) exist: they stay in the outbox,
# undelivered and not enqueued, until a handler is registered for them.
RECORDED_ONLY = frozenset({
    "process.phase_changed",
    "proposal.created",
    "proposal.answered",
    "proposal.amended",
    "comment.replied",
    "meeting.changed",
})


def handles(kind: str):
    """Decorator: the function carries out events of `kind`."""

    def register(function: Callable[[OutboxEvent], None]):
        if kind in HANDLERS:
            raise RuntimeError(f"two handlers for outbox events of kind {kind!r}")
        HANDLERS[kind] = function
        return function

    return register


def record(kind: str, idempotency_key: str | None = None, **payload) -> int | None:
    """Add an event to the current transaction and return its id, or None if an event with this key
    already exists: a duplicate is suppressed (INSERT … ON CONFLICT DO NOTHING), even under a race,
    without disturbing the caller's transaction."""
    if kind not in HANDLERS and kind not in RECORDED_ONLY:
        raise KeyError(f"unknown outbox event kind {kind!r}")
    event_id = db.session.scalar(
        insert_on_conflict(OutboxEvent)
        .values(kind=kind, payload=payload, idempotency_key=idempotency_key or str(uuid.uuid4()))
        .on_conflict_do_nothing(index_elements=[OutboxEvent.idempotency_key])
        .returning(OutboxEvent.id)
    )
    if event_id is None:
        log.info("outbox event %s suppressed: key %s already recorded", kind, idempotency_key)
        return None
    if kind in HANDLERS:
        db.session.info.setdefault(PENDING, []).append(event_id)  # enqueued after commit
    return event_id


def _enqueue(event_id: int) -> None:
    queues.enqueue("workers.notifications.deliver", event_id, queue_name="notifications",
                   job_id=f"outbox-{event_id}", retry=False)


@sa.event.listens_for(Session, "after_commit")
def _relay_after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    for event_id in pending or ():
        try:
            _enqueue(event_id)
        except Exception:  # the commit stands; the sweeper enqueues it later
            log.warning("outbox event %s not enqueued; the sweeper will retry", event_id, exc_info=True)


@sa.event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1] if attempts else 0)


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
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return db.session.get(OutboxEvent, event_id) if claimed else None


def deliver(event_id: int) -> bool:
    """Carry out one event. Returns True if this call delivered it.

    On failure the claim is released, the error and the next attempt time are recorded, and the error
    propagates so the job shows as failed in RQ.
    """
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
        else:
            event.next_attempt_at = utcnow() + backoff(event.attempts)
        db.session.commit()
        raise
    event.delivered_at = utcnow()
    event.claimed_until = None
    event.last_error = None
    db.session.commit()
    return True


def sweep() -> int:
    """Enqueue events that are due: never enqueued (Redis was down) or waiting for their next attempt.

    Each enqueued event is leased for SWEEP_LEASE_SECONDS, so sweeps by several workers (or a slow
    queue) do not enqueue it again and again. Returns how many were enqueued.
    """
    retry_after = timedelta(seconds=current_app.config["OUTBOX_RETRY_AFTER"])
    now = utcnow()
    due = db.session.scalars(
        sa.select(OutboxEvent.id)
        .where(
            OutboxEvent.kind.in_(HANDLERS),
            OutboxEvent.delivered_at.is_(None),
            OutboxEvent.gave_up_at.is_(None),
            sa.or_(OutboxEvent.claimed_until.is_(None), OutboxEvent.claimed_until < now),
            sa.or_(
                OutboxEvent.next_attempt_at <= now,
                sa.and_(OutboxEvent.next_attempt_at.is_(None), OutboxEvent.created_at <= now - retry_after),
            ),
        )
        .order_by(OutboxEvent.id)
        .limit(1000)
    ).all()
    if not due:
        return 0
    db.session.execute(
        sa.update(OutboxEvent)
        .where(OutboxEvent.id.in_(due))
        .values(next_attempt_at=now + timedelta(seconds=SWEEP_LEASE_SECONDS))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    for event_id in due:
        _enqueue(event_id)
    log.info("outbox sweep enqueued %d events", len(due))
    return len(due)
