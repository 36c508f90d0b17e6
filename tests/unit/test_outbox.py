import pytest
import redis
import sqlalchemy as sa
from rq import Queue

from plaza import outbox, queues
from plaza.accounts import services as accounts
from plaza.extensions import db
from plaza.outbox import OutboxEvent
from tests.conftest import count, make_user


def only_event() -> OutboxEvent:
    return db.session.scalar(sa.select(OutboxEvent))


def test_an_event_is_enqueued_once_its_transaction_commits(app):
    user = make_user()
    accounts.request_password_reset(user.email)
    event = only_event()
    job_ids = Queue("notifications", connection=queues.connection()).job_ids
    assert job_ids == [f"outbox-{event.id}"]


def test_a_rolled_back_event_is_neither_stored_nor_enqueued(app):
    user = make_user()
    outbox.record("account.password_reset", user_id=user.id)
    db.session.rollback()
    assert only_event() is None
    db.session.commit()
    assert Queue("notifications", connection=queues.connection()).count == 0


def test_redis_down_at_commit_loses_nothing(app, monkeypatch):
    user = make_user()
    app.extensions["plaza_redis"] = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    accounts.request_password_reset(user.email)  # commits although Redis is down
    event = only_event()
    assert event.delivered_at is None
    del app.extensions["plaza_redis"]
    app.config["OUTBOX_RETRY_AFTER"] = 0
    assert outbox.sweep() == 1
    assert Queue("notifications", connection=queues.connection()).job_ids == [f"outbox-{event.id}"]


def test_delivering_twice_sends_one_email(app, smtp):
    user = make_user()
    accounts.request_password_reset(user.email)
    event = only_event()
    assert outbox.deliver(event.id) is True
    assert outbox.deliver(event.id) is False
    assert len(smtp.to(user.email)) == 1
    db.session.refresh(event)
    assert event.delivered_at is not None and event.attempts == 1


def test_a_failed_delivery_is_recorded_and_released_for_a_retry(app, smtp):
    user = make_user()
    accounts.request_password_reset(user.email)
    event = only_event()
    app.config["MAIL_PORT"] = 1  # nothing listens there
    app.extensions["mail"].port = 1
    with pytest.raises(ConnectionRefusedError):
        outbox.deliver(event.id)
    db.session.refresh(event)
    assert event.delivered_at is None and event.claimed_until is None
    assert event.attempts == 1 and "ConnectionRefusedError" in event.last_error
    app.extensions["mail"].port = smtp.port
    assert outbox.deliver(event.id) is True


def test_an_event_held_by_another_worker_is_not_delivered_twice(app):
    user = make_user()
    accounts.request_password_reset(user.email)
    event = only_event()
    assert outbox.claim(event.id) is not None
    assert outbox.deliver(event.id) is False


def test_unknown_event_kinds_are_refused_when_recorded(app):
    with pytest.raises(KeyError):
        outbox.record("no.such.kind")


def test_idempotency_key_suppresses_a_duplicate_without_undoing_the_transaction(app):
    user = make_user()
    assert outbox.record("account.password_reset", idempotency_key="reset-1", user_id=user.id) is not None
    db.session.commit()
    user.display_name = "Renamed in the same transaction"
    assert outbox.record("account.password_reset", idempotency_key="reset-1", user_id=user.id) is None
    db.session.commit()
    assert count(OutboxEvent) == 1
    db.session.expire_all()
    assert user.display_name == "Renamed in the same transaction"


def test_a_failed_event_waits_for_its_backoff_before_the_sweep_retries_it(app, smtp):
    user = make_user()
    accounts.request_password_reset(user.email)
    event = only_event()
    app.config["OUTBOX_RETRY_AFTER"] = 0
    app.extensions["mail"].port = 1
    with pytest.raises(ConnectionRefusedError):
        outbox.deliver(event.id)
    assert outbox.sweep() == 0  # not due yet: the first backoff is 30 seconds
    db.session.refresh(event)
    assert event.next_attempt_at > event.created_at


def test_a_swept_event_is_not_enqueued_again_by_the_next_sweep(app):
    user = make_user()
    app.extensions["plaza_redis"] = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    accounts.request_password_reset(user.email)
    del app.extensions["plaza_redis"]
    app.config["OUTBOX_RETRY_AFTER"] = 0
    assert outbox.sweep() == 1
    assert outbox.sweep() == 0
