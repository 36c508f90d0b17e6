import random

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from plaza import components
from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.i18n import current_language
from plaza.notifications import services as notifications
from plaza.numbers import MAX_ID, whole_number
from plaza.permissions import authorize
from plaza.phases import Component
from plaza.processes.scope import current_process
from plaza.proposals import bp, exports, listing, now, services
from plaza.proposals.forms import AmendmentForm, AnswerForm, FilterForm, MergeForm, ProposalForm
from plaza.proposals.models import Amendment, AmendmentState, AnswerState, Proposal, ProposalRevision
from plaza.proposals.services import ProposalDraft
from plaza.text import editable_source
from plaza.web import responses
from plaza.web.access import allowed, get_for, get_or_404
from plaza.web.forms import ButtonForm
from plaza.web.pages import button, form_page


def _proposal(proposal_id: int) -> Proposal:
    return get_or_404(Proposal, proposal_id, process_id=current_process().id)


def _show_url(proposal: Proposal, anchor: str | None = None) -> str:
    url = url_for("process.proposals.show", proposal_id=proposal.id)
    return f"{url}#{anchor}" if anchor else url


def _show(proposal: Proposal, message: str, anchor: str | None = None):
    flash(message, "success")
    return redirect(_show_url(proposal, anchor))


def visitor_seed() -> int:
    if "shuffle_seed" not in session:
        session["shuffle_seed"] = random.randrange(1, 2**31 - 1)
    return session["shuffle_seed"]


def proposals_page(process):
    """The list part of a process page: (filter form, page), or (form, None) for a refused filter."""
    form = FilterForm(request.args)
    form.set_choices(listing.categories(), listing.districts(), listing.tags())
    if not form.validate():
        return form, None
    sort = listing.Sort(form.sort.data or listing.Sort.RECENT.value)
    filters = listing.Filters(
        query=(form.q.data or "").strip(), category_id=form.category.data, district_id=form.district.data,
        status=listing.Status(form.status.data) if form.status.data else None, tag_id=form.tag.data,
        sort=sort, seed=visitor_seed() if sort is listing.Sort.RANDOM else 0,
    )
    try:
        page = listing.page_of_proposals(process.id, filters, form.page.data or 1)
    except listing.PageOutOfRange:
        abort(404)
    return form, page


@bp.route("/proposals/new", methods=["GET", "POST"])
@login_required
def new():
    process = current_process()
    try:
        authorize(current_user, "proposal.create", process)
    except RuleBroken as error:
        return render_template("error.html", status=error.status, title=_("You cannot make a proposal now"),
                               message=error.message), error.status
    form = ProposalForm(language=current_language())
    form.set_choices(listing.categories(), listing.districts())

    def save():
        draft = ProposalDraft(form.title.data, form.body.data, form.category_id.data, form.district_id.data,
                              form.address.data, form.language.data)
        proposal = services.create_proposal(current_user, process, draft, form.submission_key.data,
                                            request.files.getlist(form.attachments.name))
        return _show(proposal, _("Your proposal is published."))

    return form_page("proposals/form.html", form, save, process=process, editing=None)


@bp.route("/proposals/<id:proposal_id>")
def show(proposal_id: int):
    process = current_process()
    proposal = _proposal(proposal_id)
    if proposal.merged_into_id:
        flash(_("This proposal was merged into another one."), "success")
        return redirect(url_for("process.proposals.show", proposal_id=proposal.merged_into_id))
    user = current_user if current_user.is_authenticated else None
    supported = user is not None and db.session.get(services.Support, (proposal.id, user.id)) is not None
    amendments = db.session.scalars(sa.select(Amendment).where(Amendment.proposal_id == proposal.id)
                                    .order_by(Amendment.id)).all()
    revisions = db.session.scalar(sa.select(sa.func.count()).where(ProposalRevision.proposal_id == proposal.id))
    panels, status = components.render_panels("proposal", proposal, user)
    return render_template(
        "proposals/show.html", process=process, proposal=proposal, supported=supported, amendments=amendments,
        revisions=revisions, can_edit=services.can_edit(user, proposal), confirm_form=ButtonForm(),
        eligible=services.is_eligible_for_vote(proposal), AmendmentState=AmendmentState, panels=panels,
        following=notifications.is_following(user, proposal=proposal),
    ), status


@bp.route("/proposals/<id:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int):
    process = current_process()
    proposal = get_for("proposal.revise", Proposal, proposal_id, process_id=process.id)
    form = ProposalForm(obj=proposal)
    form.set_choices(listing.categories(), listing.districts())
    del form.language  # the language of a published text stays as it was
    del form.submission_key  # keys guard creation; an edit is the same proposal however often it is sent
    if request.method == "GET":
        form.body.data = editable_source(proposal.body)

    def save():
        draft = ProposalDraft(form.title.data, form.body.data, form.category_id.data, form.district_id.data,
                              form.address.data)
        services.edit_proposal(current_user, proposal, draft)
        return _show(proposal, _("Your changes are saved. The earlier text stays in the history."))

    return form_page("proposals/form.html", form, save, process=process, editing=proposal)


@bp.route("/proposals/<id:proposal_id>/history")
def history(proposal_id: int):
    proposal = _proposal(proposal_id)
    revisions = db.session.scalars(sa.select(ProposalRevision).where(ProposalRevision.proposal_id == proposal.id)
                                   .order_by(ProposalRevision.number.desc())).all()
    return render_template("proposals/history.html", process=current_process(), proposal=proposal,
                           revisions=revisions)


def _button(proposal_id: int, action, success: str, **confirm):
    """A POST button on the proposal page (support, withdraw, follow …): `action(user, proposal)`."""
    proposal = _proposal(proposal_id)
    return button(lambda: action(current_user, proposal), success, _show_url(proposal), process=current_process(),
                  proposal=proposal, **confirm)


@bp.route("/proposals/<id:proposal_id>/support", methods=["POST"])
def support(proposal_id: int):
    return _button(proposal_id, services.support, _("You support this proposal."))


@bp.route("/proposals/<id:proposal_id>/unsupport", methods=["POST"])
def unsupport(proposal_id: int):
    return _button(proposal_id, services.withdraw_support, _("You no longer support this proposal."))


@bp.route("/proposals/<id:proposal_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(proposal_id: int):
    return _button(proposal_id, services.withdraw, _("Your proposal is withdrawn."),
                   confirm="proposals/withdraw.html")


@bp.route("/proposals/<id:proposal_id>/follow", methods=["POST"])
def follow(proposal_id: int):
    return _button(proposal_id, lambda user, proposal: notifications.follow(user, proposal=proposal),
                   _("You follow this proposal."))


@bp.route("/proposals/<id:proposal_id>/unfollow", methods=["POST"])
def unfollow(proposal_id: int):
    return _button(proposal_id, lambda user, proposal: notifications.unfollow(user, proposal=proposal),
                   _("You no longer follow this proposal."))


def _flashed_back(error: RuleBroken, proposal: Proposal):
    """A refusal that no change to the form can mend: say why on the proposal page, with a 303."""
    flash(error.message, "error")
    return redirect(_show_url(proposal)), 303


@bp.route("/proposals/<id:proposal_id>/amend", methods=["GET", "POST"])
@login_required
def amend(proposal_id: int):
    proposal = _proposal(proposal_id)
    form = AmendmentForm(obj=proposal) if request.method == "GET" else AmendmentForm()
    if request.method == "GET":
        form.body.data = editable_source(proposal.body)

    def save():
        services.propose_amendment(current_user, proposal, ProposalDraft(form.title.data, form.body.data),
                                   form.submission_key.data)
        return _show(proposal, _("Your amendment is sent. The author will accept or reject it."), "amendments")

    def refused(error: RuleBroken):
        return _flashed_back(error, proposal) if error.status in (403, 409) else None

    return form_page("proposals/amend.html", form, save, refused=refused, process=current_process(),
                     proposal=proposal)


@bp.route("/proposals/<id:proposal_id>/amendments/<id:amendment_id>/<any(accept, reject):decision>",
          methods=["POST"])
@login_required
def decide_amendment(proposal_id: int, amendment_id: int, decision: str):
    proposal = _proposal(proposal_id)
    amendment = get_or_404(Amendment, amendment_id, proposal_id=proposal.id)
    accept = decision == "accept"
    return button(lambda: services.decide_amendment(current_user, amendment, accept),
                  _("Amendment accepted: your proposal now reads as amended.") if accept
                  else _("Amendment rejected."), _show_url(proposal, "amendments"))


@bp.route("/proposals/<id:proposal_id>/answer", methods=["GET", "POST"])
@allowed("proposal.answer")
def answer(proposal_id: int):
    proposal = _proposal(proposal_id)
    form = AnswerForm(state=proposal.answer_state.value if proposal.answer_state else None)

    def save():
        services.answer(current_user, proposal, AnswerState(form.state.data), form.text.data)
        return _show(proposal, _("The official answer is published."), "answer")

    return form_page("proposals/answer.html", form, save, process=current_process(), proposal=proposal)


def _proposals_numbered(text: str) -> list[Proposal]:
    """The proposals "12, #15" names; a RuleBroken on the field for anything that is not one."""
    numbers = [whole_number(part.strip().lstrip("#")) for part in text.split(",") if part.strip()]
    if None in numbers:
        raise RuleBroken(_("Enter proposal numbers separated by commas, for example 12, 15."), field="duplicates")
    found = [p for p in (db.session.get(Proposal, n) for n in numbers if n <= MAX_ID) if p is not None]
    if len(found) != len(numbers):
        raise RuleBroken(_("There is no proposal with one of these numbers."), field="duplicates")
    return found


@bp.route("/proposals/<id:proposal_id>/merge", methods=["GET", "POST"])
@allowed("proposal.merge")
def merge(proposal_id: int):
    proposal = _proposal(proposal_id)
    form = MergeForm()

    def save():
        services.merge(current_user, _proposals_numbered(form.duplicates.data), proposal)
        return _show(proposal, _("The proposals are merged into this one."))

    return form_page("proposals/merge.html", form, save, process=current_process(), proposal=proposal)


@bp.route("/proposals/<id:proposal_id>/attachments/<id:attachment_id>")
def attachment(proposal_id: int, attachment_id: int):
    proposal = _proposal(proposal_id)
    found = next((a for a in proposal.attachments if a.id == attachment_id), None)
    if found is None:
        abort(404)
    return send_file(services.upload_folder() / found.stored_name, mimetype=found.content_type,
                     as_attachment=found.content_type == "application/pdf", download_name=found.filename)


def process_panel(process, user) -> dict | None:
    """The proposals part of the process page: the button to propose (or sign in to) while proposals are
    open, the filters once there are proposals to filter, the page of proposals. Nothing for a
    consultation that never takes proposals and has none."""
    form, page = proposals_page(process)
    exists = now.has_proposals(process, published_only=False)
    takes_proposals = any(Component.PROPOSALS in phase.components for phase in process.phases)
    if page is not None and not exists and not takes_proposals:
        return None
    propose = now.propose(process, process.active_phase(), user)
    return {"filters": form, "page": page, "per_page": listing.PER_PAGE, "any_proposals": exists,
            "propose": propose[0] if propose else None, "status": 400 if page is None else 200}


def _absolute(path: str) -> str:
    return current_app.config["PLAZA_BASE_URL"].rstrip("/") + path


def _export_rows(process) -> list[dict]:
    def proposal_url(proposal) -> str:
        return _absolute(url_for("process.proposals.show", proposal_id=proposal.id))

    return exports.proposal_rows(exports.proposals_for_export(process), proposal_url)


@bp.route("/export.csv")
@allowed("process.export")
def export_csv():
    process = current_process()
    return responses.attachment(exports.csv_document(_export_rows(process)), "text/csv; charset=utf-8",
                      f"{process.slug}-proposals.csv")


@bp.route("/export.json")
@allowed("process.export")
def export_json():
    process = current_process()
    record = exports.process_record(process, _absolute(url_for("process.show")))
    return responses.attachment(exports.json_document(record, _export_rows(process)), "application/json; charset=utf-8",
                      f"{process.slug}-proposals.json")
