import redis
import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from rq import Worker

from plaza import queues
from plaza.accounts import services as accounts
from plaza.accounts.models import Role
from plaza.accounts.permissions import require_role
from plaza.admin import bp
from plaza.admin.forms import InvitationsForm, TestEmailForm
from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.tasks import services as tasks
from plaza.tasks.models import Task


def _queue_status() -> dict | None:
    """Jobs waiting per queue and workers alive, or None if Redis does not answer."""
    try:
        return {
            "queues": {name: queues.queue(name).count for name in queues.QUEUES},
            "workers": Worker.count(connection=queues.connection()),
        }
    except redis.RedisError:
        return None


@bp.route("/", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def status():
    form = TestEmailForm()
    if form.validate_on_submit():
        try:
            task = tasks.launch("workers.maintenance.send_test_email", _("Test e-mail"), form.email.data,
                                user=current_user, queue_name="notifications", retry=False)
        except redis.RedisError:
            flash(_("The job queue does not answer, so the e-mail was not sent. Check that Redis runs."), "error")
        else:
            return redirect(url_for("admin.task", task_id=task.id))
    recent = db.session.scalars(sa.select(Task).order_by(Task.created_at.desc()).limit(10)).all()
    page = render_template("admin/status.html", form=form, status=_queue_status(), tasks=recent)
    return page, 400 if form.errors else 200


@bp.route("/tasks/<task_id>")
@require_role(Role.ADMIN, Role.ORGANISER, Role.COUNCIL_OFFICER)
def task(task_id: str):
    task = db.session.get(Task, task_id)
    if task is None or (task.user_id != current_user.id and not current_user.has_role(Role.ADMIN)):
        abort(404)
    # Refreshing only when asked: an unrequested refresh moves screen-reader users away (WCAG 2.2.1).
    return render_template("admin/task.html", task=task, auto_refresh=request.args.get("refresh") == "1")


@bp.route("/invitations", methods=["GET", "POST"])
@require_role(Role.ORGANISER, Role.COUNCIL_OFFICER)
def invitations():
    form = InvitationsForm()
    if form.validate_on_submit():
        try:
            codes = accounts.create_invitations(form.count.data, current_user, form.note.data or None,
                                                form.valid_days.data)
        except RuleBroken as error:
            form.form_errors.append(error.message)
        else:
            page = make_response(render_template("admin/invitation_codes.html", codes=codes,
                                                 valid_days=form.valid_days.data))
            page.headers["Cache-Control"] = "no-store"  # the codes are shown once and must not be cached
            return page
    return render_template("admin/invitations.html", form=form), 400 if form.errors else 200
