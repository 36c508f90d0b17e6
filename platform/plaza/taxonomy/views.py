"""The tag pages (every tag, one tag's consultations), the tagging pages, and the tag panels."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from plaza.errors import RuleBroken
from plaza.permissions import can
from plaza.processes.services import get_by_slug
from plaza.proposals.models import Proposal
from plaza.taxonomy import bp, services
from plaza.taxonomy.data import SCHEME_NAMES, SCHEME_ORDER
from plaza.web.access import get_or_404
from plaza.web.forms import ButtonForm
from plaza.web.pages import form_page


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


def _forbidden(error: RuleBroken) -> None:
    if error.status == 403:
        abort(403)


def _tag_page(target_title: str, current: list, save, back: str):
    """The tagging page for a process or a proposal: checkboxes grouped by scheme, no JavaScript."""
    chosen = (set(request.form.getlist("tags")) if request.method == "POST"
              else {str(tag.id) for tag in current})

    def saved():
        save(request.form.getlist("tags"))
        flash(_("The tags are saved."), "success")
        return redirect(back)

    return form_page("taxonomy/tagging.html", ButtonForm(), saved, refused=_forbidden, title=target_title,
                     tags=services.all_tags(), chosen=chosen, back=back)


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
                     url_for("process.show", slug=slug))


@bp.route("/proposal/<id:proposal_id>", methods=["GET", "POST"])
@login_required
def tag_proposal(proposal_id: int):
    proposal = get_or_404(Proposal, proposal_id)
    if not services.may_tag(current_user, proposal):
        abort(403)
    current = services.tags_for_proposals([proposal.id])[proposal.id]
    return _tag_page(proposal.title, current, lambda ids: services.tag_proposal(current_user, proposal, ids),
                     url_for("process.proposals.show", slug=proposal.process.slug, proposal_id=proposal.id))


def process_panel(process, user) -> dict:
    return {"tags": services.tags_for_processes([process.id])[process.id],
            "can_tag": can(user, "process.manage", process) or can(user, "process.export", process)}


def proposal_panel(proposal: Proposal, user) -> dict:
    """The proposal's tags under its text, and the link to change them for its author and the organisers."""
    return {"proposal": proposal, "tags": services.tags_for_proposals([proposal.id])[proposal.id],
            "can_tag": user is not None and services.may_tag(user, proposal)}
