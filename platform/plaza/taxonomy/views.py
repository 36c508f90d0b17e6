from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.permissions import can
from plaza.processes.services import get_by_slug
from plaza.proposals.forms import ConfirmForm
from plaza.proposals.models import Proposal
from plaza.taxonomy import bp, services
from plaza.taxonomy.data import SCHEME_NAMES, SCHEME_ORDER


@bp.route("/")
def index():
    tags = services.all_tags()
    schemes = [(scheme, SCHEME_NAMES[scheme], [tag for tag in tags if tag.scheme is scheme])
               for scheme in SCHEME_ORDER]
    return render_template("taxonomy/index.html", schemes=schemes)


@bp.route("/<scheme>/<code>")
def show(scheme: str, code: str):
    tag = services.get_tag(scheme, code)
    if tag is None:
        abort(404)
    return render_template("taxonomy/show.html", tag=tag, processes=services.processes_with_tag(tag))


def _tag_page(target_title: str, current: list, save, back: str):
    """The tagging page for a process or a proposal: checkboxes grouped by scheme, no JavaScript."""
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            save(request.form.getlist("tags"))
        except RuleBroken as error:
            if error.status == 403:
                abort(403)
            form.form_errors.append(error.message)
            return render_template("taxonomy/tagging.html", form=form, title=target_title, tags=services.all_tags(),
                                   chosen={str(t) for t in request.form.getlist("tags")}, back=back), 400
        flash(_("The tags are saved."), "success")
        return redirect(back)
    return render_template("taxonomy/tagging.html", form=form, title=target_title, tags=services.all_tags(),
                           chosen={str(tag.id) for tag in current}, back=back)


@bp.route("/process/<slug>", methods=["GET", "POST"])
@login_required
def tag_process(slug: str):
    process = get_by_slug(slug)
    if process is None:
        abort(404)
    if not can(current_user, "process.manage", process):
        abort(403)
    current = services.tags_for_processes([process.id])[process.id]
    return _tag_page(process.title, current, lambda ids: services.tag_process(current_user, process, ids),
                     url_for("processes.show", slug=slug))


@bp.route("/proposal/<id:proposal_id>", methods=["GET", "POST"])
@login_required
def tag_proposal(proposal_id: int):
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    if proposal.author_id != current_user.id and not can(current_user, "process.manage", proposal.process):
        abort(403)
    current = services.tags_for_proposals([proposal.id])[proposal.id]
    return _tag_page(proposal.title, current, lambda ids: services.tag_proposal(current_user, proposal, ids),
                     url_for("proposals.show", slug=proposal.process.slug, proposal_id=proposal.id))
