import re
import subprocess
import sys
from pathlib import Path

import pytest
from rq.utils import import_attribute

from plaza import queues
from tests.conftest import REPOSITORY_ROOT
from workers.schedule import PERIODIC_JOBS

JOB_NAME = re.compile(r"""["'](workers\.[a-z_]+\.[a-z_]+)["']""")


def job_names_in_source() -> set[str]:
    names = set()
    for folder in ("platform", "workers"):
        for path in Path(REPOSITORY_ROOT, folder).rglob("*.py"):
            names.update(JOB_NAME.findall(path.read_text()))
    return names


@pytest.mark.pure
def test_every_job_named_in_the_code_is_a_real_function():
    names = job_names_in_source() | {job.function for job in PERIODIC_JOBS}
    assert "workers.notifications.deliver" in names
    for name in names:
        assert callable(import_attribute(name)), name


@pytest.mark.pure
def test_every_job_imports_in_a_fresh_interpreter():
    """Worker processes (and the cron child, started by spawn) import a job before anything else; an import
    cycle that the web app's import order hides would make them fail there."""
    for name in sorted(job_names_in_source() | {job.function for job in PERIODIC_JOBS}):
        result = subprocess.run([sys.executable, "-c", f"from rq.utils import import_attribute; "
                                 f"assert callable(import_attribute({name!r}))"],
                                cwd=REPOSITORY_ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"{name}: {result.stderr[-600:]}"


@pytest.mark.pure
def test_periodic_jobs_have_unique_names_and_known_queues():
    assert len({job.name for job in PERIODIC_JOBS}) == len(PERIODIC_JOBS)
    assert all(job.queue in queues.QUEUES for job in PERIODIC_JOBS)


def test_enqueue_uses_the_queue_policy(app):
    job = queues.enqueue("workers.sweeper.sweep_outbox", queue_name="imports")
    policy = queues.QUEUES["imports"]
    assert (job.timeout, job.result_ttl, job.failure_ttl) == (policy.job_timeout, policy.result_ttl,
                                                               policy.failure_ttl)
    assert job.retries_left == len(policy.retry_intervals)


def test_only_worker_functions_can_be_enqueued(app):
    with pytest.raises(ValueError):
        queues.enqueue("os.system", "true")
    with pytest.raises(KeyError):
        queues.queue("everything")
