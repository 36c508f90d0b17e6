"""Periodic work, declared as data: each entry has a stable name and is registered at worker start."""

from dataclasses import dataclass

import redis
from rq.cron import CronScheduler
from rq.utils import import_attribute


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    function: str
    queue: str
    every_seconds: int
    timeout: int
    failure_ttl: int = 86400


PERIODIC_JOBS = (
    PeriodicJob("outbox-sweep", "workers.sweeper.sweep_outbox", "default", every_seconds=60, timeout=120),
    PeriodicJob("publish-waiting-votes", "workers.voting.publish_waiting_votes", "default", every_seconds=60,
                timeout=600),
    PeriodicJob("count-closed-ballots", "workers.voting.count_closed_ballots", "default", every_seconds=60,
                timeout=600),
)


def run_cron(redis_url: str, log_level: str = "INFO") -> None:
    """Run RQ's cron scheduler for PERIODIC_JOBS until stopped (the worker runs it in a child process)."""
    scheduler = CronScheduler(connection=redis.Redis.from_url(redis_url), logging_level=log_level)
    for job in PERIODIC_JOBS:
        scheduler.register(import_attribute(job.function), job.queue, interval=job.every_seconds,
                           job_timeout=job.timeout, failure_ttl=job.failure_ttl, name=job.name)
    scheduler.start()
