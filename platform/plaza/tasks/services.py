"""Start a Task and report its progress, from a request or from inside a job."""

import logging

from rq import get_current_job

from plaza import queues
from plaza.clock import utcnow
from plaza.extensions import db
from plaza.tasks.models import Task, TaskState

log = logging.getLogger(__name__)


def launch(function: str, description: str, *args, user=None, queue_name: str = "default",
           retry: bool = True) -> Task:
    """Record a Task, commit it, then enqueue its job with the task's id as the job id.

    If Redis is down the Task stays QUEUED and the error propagates: the caller tells the person.
    """
    task = Task(name=function, description=description, user_id=user.id if user else None)
    db.session.add(task)
    db.session.commit()
    queues.enqueue(function, task.id, *args, queue_name=queue_name, job_id=task.id, description=description,
                   retry=retry)
    return task


def report(task_id: str, progress: int, message: str | None = None) -> None:
    """Called by a job: store progress in the Task row and in the RQ job's meta."""
    task = db.session.get(Task, task_id)
    if task is None:
        log.warning("task %s vanished while its job ran", task_id)
        return
    task.state = TaskState.RUNNING
    task.progress = max(0, min(100, progress))
    if message is not None:
        task.message = message
    db.session.commit()
    job = get_current_job()
    if job is not None:
        job.meta["progress"] = task.progress
        job.save_meta()


def finish(task_id: str, message: str | None = None, failed: bool = False) -> None:
    task = db.session.get(Task, task_id)
    if task is None:
        return
    task.state = TaskState.FAILED if failed else TaskState.FINISHED
    if not failed:
        task.progress = 100
    task.message = message
    task.finished_at = utcnow()
    db.session.commit()
