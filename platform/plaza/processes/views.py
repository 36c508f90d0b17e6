import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.permissions import can
from plaza.phases import COMPONENT_NAMES, PHASE_NAMES, Component
from plaza.processes import bp
from plaza.processes.models import Process
from plaza.processes.services import get_by_slug
from plaza.proposals import services as proposal_services
from plaza.proposals.forms import ConfirmForm
from plaza.proposals.listing import PER_PAGE
from plaza.proposals.views import proposals_page
from plaza.taxonomy.services import tags_for_processes
from plaza.voting.services import ballots_visible_to


@bp.route("/")
def index():
    processes = db.session.scalars(sa.select(Process).order_by(Process.closes_at.desc())).all()
    user = current_user if current_user.is_authenticated else None
    return render_template("processes/index.html", processes=processes,
                           can_create=can(user, "process.manage", None))


@bp.route("/<slug>")
def show(slug: str):
    process = get_by_slug(slug)
    if process is None:
        abort(404)
    form, page = proposals_page(process)
    user = current_user if current_user.is_authenticated else None
    response = render_template(
        "processes/show.html", process=process, phase=process.active_phase(), filters=form, page=page,
        per_page=PER_PAGE, PHASE_NAMES=PHASE_NAMES, COMPONENT_NAMES=COMPONENT_NAMES, Component=Component,
        confirm_form=ConfirmForm(), can_propose=can(user, "proposal.create", process),
        can_manage=can(user, "process.manage", process) or can(user, "process.export", process),
        following=user is not None and proposal_services.is_following(user, process=process),
        tags=tags_for_processes([process.id])[process.id],
        ballots=ballots_visible_to(user, process), can_manage_ballots=can(user, "ballot.manage", process),
    )
    return response, 400 if page is None else 200


@bp.route("/<slug>/<any(follow, unfollow):choice>", methods=["POST"])
@login_required
def follow(slug: str, choice: str):
    process = get_by_slug(slug)
    if process is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        if choice == "follow":
            proposal_services.follow(current_user, process=process)
            flash(_("You follow this consultation."), "success")
        else:
            proposal_services.unfollow(current_user, process=process)
            flash(_("You no longer follow this consultation."), "success")
    except RuleBroken as error:
        flash(error.message, "error")
    return redirect(url_for("processes.show", slug=slug))
