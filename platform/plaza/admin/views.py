import redis
import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from rq import Worker

from plaza import queues
from plaza.accounts import services as accounts
from plaza.accounts.models import Role
from plaza.admin import bp
from plaza.admin.forms import InvitationsForm, TestEmailForm
from plaza.extensions import db
from plaza.tasks import services as tasks
from plaza.tasks.models import Task
from plaza.web.access import allowed
from plaza.web.pages import form_page
from plaza.web.responses import no_store


def _queue_status() -> dict | None:
    """Jobs waiting per queue and workers alive, or None if Redis does not answer."""
    try:
        return {
            "queues": {name: queues.queue(name).count for name in queues.QUEUES},
            "workers": Worker.count(connection=queues.connection()),
        }
    except redis.RedisError:
        return None


def _recent_tasks() -> list[Task]:
    return list(db.session.scalars(sa.select(Task).order_by(Task.created_at.desc()).limit(10)))


@bp.route("/", methods=["GET", "POST"])
@allowed("admin.status")
def status():
    form = TestEmailForm()

    def send_test_email():
        try:
            task = tasks.launch("workers.maintenance.send_test_email", _("Test e-mail"), form.email.data,
                                user=current_user, queue_name="notifications", retry=False)
        except redis.RedisError:
            flash(_("The job queue does not answer, so the e-mail was not sent. Check that Redis runs."), "error")
            return render_template("admin/status.html", form=form, status=_queue_status(), tasks=_recent_tasks())
        return redirect(url_for("admin.task", task_id=task.id))

    return form_page("admin/status.html", form, send_test_email, status=_queue_status(), tasks=_recent_tasks())


@bp.route("/tasks/<task_id>")
@allowed("admin.tasks")
def task(task_id: str):
    task = db.session.get(Task, task_id)
    if task is None or (task.user_id != current_user.id and not current_user.has_role(Role.ADMIN)):
        abort(404)
    # Refreshing only when asked: an unrequested refresh moves screen-reader users away (WCAG 2.2.1).
    return render_template("admin/task.html", task=task, auto_refresh=request.args.get("refresh") == "1")


@bp.route("/invitations", methods=["GET", "POST"])
@allowed("admin.invitations")
def invitations():
    form = InvitationsForm()

    def make_codes():
        codes = accounts.create_invitations(form.count.data, current_user, form.note.data or None,
                                            form.valid_days.data)
        # The codes are shown once, here: never from a cache.
        return no_store(make_response(render_template("admin/invitation_codes.html", codes=codes,
                                                      valid_days=form.valid_days.data)))

    return form_page("admin/invitations.html", form, make_codes)
