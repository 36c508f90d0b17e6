"""Redis connection and RQ queues, named by purpose so a slow translation never delays a receipt.

Jobs are enqueued by dotted name with ids, never objects, and always with explicit limits.
"""

from dataclasses import dataclass

import redis
from flask import current_app
from rq import Queue, Retry
from rq.job import Job

from plaza import embedded_redis


@dataclass(frozen=True)
class QueuePolicy:
    job_timeout: int  # seconds a job may run before the worker kills it
    result_ttl: int  # seconds a finished job's result is kept
    failure_ttl: int  # seconds a failed job is kept for inspection
    retry_intervals: tuple[int, ...]  # backoff between retries, one entry per retry


QUEUES: dict[str, QueuePolicy] = {
    "notifications": QueuePolicy(60, 3600, 7 * 86400, (10, 60, 300, 900, 3600)),
    "translations": QueuePolicy(600, 3600, 7 * 86400, (30, 300, 1800)),
    "imports": QueuePolicy(1800, 86400, 14 * 86400, (60, 600)),
    "default": QueuePolicy(300, 3600, 7 * 86400, (10, 60, 300)),
}


def redis_url(app) -> str:
    """The configured REDIS_URL, or the embedded server's, started on first use."""
    url = app.config.get("REDIS_URL")
    if not url:
        url = embedded_redis.ensure_running(app.instance_path)
        app.config["REDIS_URL"] = url
    return url


def connection() -> redis.Redis:
    app = current_app._get_current_object()
    conn = app.extensions.get("plaza_redis")
    if conn is None:
        conn = redis.Redis.from_url(redis_url(app), socket_timeout=5, socket_connect_timeout=5)
        app.extensions["plaza_redis"] = conn
    return conn


def queue(name: str) -> Queue:
    if name not in QUEUES:
        raise KeyError(f"no queue named {name!r}; the queues are {', '.join(QUEUES)}")
    return Queue(name, connection=connection())


def enqueue(function: str, *args, queue_name: str = "default", job_id: str | None = None,
            description: str | None = None, retry: bool = True) -> Job:
    """Enqueue `function` (a dotted name under workers.) on a queue with that queue's limits.

    `retry=False` for jobs that keep their own retry schedule (the outbox) or must not repeat.
    """
    if not function.startswith("workers."):
        raise ValueError(f"jobs live in the workers package, not {function!r}")
    policy = QUEUES[queue_name]
    return queue(queue_name).enqueue(
        function,
        *args,
        job_id=job_id,
        description=description,
        job_timeout=policy.job_timeout,
        result_ttl=policy.result_ttl,
        failure_ttl=policy.failure_ttl,
        retry=Retry(max=len(policy.retry_intervals), interval=list(policy.retry_intervals)) if retry else None,
    )
