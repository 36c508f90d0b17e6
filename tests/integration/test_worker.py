"""A real worker process (`python -m workers --burst`) carries out jobs enqueued by web requests."""

import re

import pytest
import redis
import sqlalchemy as sa

from plaza.accounts.models import Role
from plaza.extensions import db
from plaza.outbox import OutboxEvent
from plaza.tasks.models import Task, TaskState
from tests.conftest import login, make_user, submit

pytestmark = pytest.mark.integration


def test_password_reset_email_is_sent_by_a_worker(client, smtp, worker):
    make_user(email="amina@example.org", locale="ar")
    submit(client, "/account/reset", {"email": "amina@example.org"})
    assert smtp.to("amina@example.org") == []  # the web request itself sends nothing
    worker()
    [message] = smtp.to("amina@example.org")
    html = message.get_body(preferencelist=("html",)).get_content()
    assert 'dir="rtl"' in html
    assert re.search(r"http://plaza\.test/account/reset/\S+", message.get_body(("plain",)).get_content())
    event = db.session.scalar(sa.select(OutboxEvent))
    assert event.delivered_at is not None and event.attempts == 1


def test_admin_test_email_runs_as_a_task_with_progress(client, smtp, worker):
    login(client, make_user(Role.ADMIN))
    response = submit(client, "/admin/", {"email": "it@example.org"})
    assert response.status_code == 302
    task_page = response.headers["Location"]
    task_id, state = db.session.execute(sa.select(Task.id, Task.state)).one()
    assert state is TaskState.QUEUED
    assert "Waiting to start" in client.get(task_page).get_data(as_text=True)
    assert 'http-equiv="refresh"' in client.get(task_page + "?refresh=1").get_data(as_text=True)
    worker()
    task = db.session.get(Task, task_id)
    assert (task.state, task.progress) == (TaskState.FINISHED, 100)
    assert len(smtp.to("it@example.org")) == 1
    finished_page = client.get(task_page + "?refresh=1").get_data(as_text=True)
    assert "Finished" in finished_page and 'http-equiv="refresh"' not in finished_page


def test_events_recorded_while_redis_was_down_are_delivered_by_the_sweep(app, client, smtp, worker):
    make_user(email="amina@example.org")
    app.extensions["plaza_redis"] = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    response = submit(client, "/account/reset", {"email": "amina@example.org"})
    assert response.status_code == 302  # the resident sees no error
    del app.extensions["plaza_redis"]
    worker()  # nothing was queued, so a plain worker has nothing to do
    assert smtp.to("amina@example.org") == []
    worker("--sweep", env={"OUTBOX_RETRY_AFTER": "0"})
    assert len(smtp.to("amina@example.org")) == 1


def test_worker_has_help(worker):
    result = worker("--help")
    assert "--burst" in result.stdout and "--queues" in result.stdout
