"""Resident pages of consultations: the list and the process page, which the components fill with panels."""

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user
from sqlalchemy.orm import selectinload

from plaza import components
from plaza.extensions import db
from plaza.permissions import can
from plaza.phases import what_you_can_do
from plaza.processes import manage as _organiser_pages  # noqa: F401  (its routes hang on scope.bp)
from plaza.processes.models import Process
from plaza.processes.now import now_in, steps
from plaza.processes.scope import bp as process_bp
from plaza.processes.scope import current_process
from plaza.processes.scope import processes_bp as bp


def _visitor():
    return current_user if current_user.is_authenticated else None


@bp.route("/")
def index():
    user = _visitor()
    processes = db.session.scalars(sa.select(Process).order_by(Process.closes_at.desc())
                                   .options(selectinload(Process.phases))).all()
    listed = [(process, now_in(process, user)) for process in processes]
    return render_template("processes/index.html", processes=listed, can_create=can(user, "process.manage", None))


@process_bp.route("")
def show():
    process, user = current_process(), _visitor()
    panels, status = components.render_panels("process", process, user)
    page = render_template(
        "processes/show.html", process=process, now=now_in(process, user), steps=steps(process), panels=panels,
        what_you_can_do=what_you_can_do,
        can_manage=can(user, "process.manage", process) or can(user, "process.export", process),
    )
    return page, status
