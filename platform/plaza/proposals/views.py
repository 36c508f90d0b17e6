import random

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from plaza.comments.services import thread_context
from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.i18n import current_language
from plaza.numbers import MAX_ID, whole_number
from plaza.permissions import authorize, can
from plaza.processes.services import get_by_slug_or_404
from plaza.proposals import bp, listing, services
from plaza.proposals.forms import AmendmentForm, AnswerForm, ConfirmForm, FilterForm, MergeForm, ProposalForm
from plaza.proposals.models import Amendment, AmendmentState, AnswerState, Proposal, ProposalRevision
from plaza.proposals.services import ProposalDraft
from plaza.taxonomy.services import all_tags_with_labels, tags_for_proposals
from plaza.text import editable_source
from plaza.web.fields import page_number


def _proposal_or_404(slug: str, proposal_id: int):
    process = get_by_slug_or_404(slug)
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.process_id != process.id:
        abort(404)
    return process, proposal


def _show(proposal: Proposal, anchor: str | None = None):
    url = url_for("proposals.show", slug=proposal.process.slug, proposal_id=proposal.id)
    return redirect(f"{url}#{anchor}" if anchor else url)


def _refuse(error: RuleBroken, proposal: Proposal):
    """A refused POST button: say why on the proposal page (flash), with the status the rule gives."""
    if error.status == 403 and not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.path))
    flash(error.message, "error")
    return _show(proposal), 303


def visitor_seed() -> int:
    if "shuffle_seed" not in session:
        session["shuffle_seed"] = random.randrange(1, 2**31 - 1)
    return session["shuffle_seed"]


def proposals_page(process):
    """The list part of a process page: (filter form, page) or an error response."""
    form = FilterForm(request.args)
    form.set_choices(listing.categories(), listing.districts(), all_tags_with_labels())
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


@bp.route("/<slug>/proposals/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    process = get_by_slug_or_404(slug)
    try:
        authorize(current_user, "proposal.create", process)
    except RuleBroken as error:
        return render_template("error.html", status=error.status, title=_("You cannot make a proposal now"),
                               message=error.message), error.status
    form = ProposalForm(language=current_language())
    form.set_choices(listing.categories(), listing.districts())
    if form.validate_on_submit():
        draft = ProposalDraft(form.title.data, form.body.data, form.category_id.data, form.district_id.data,
                              form.address.data, form.language.data)
        try:
            proposal = services.create_proposal(current_user, process, draft, form.submission_key.data,
                                                request.files.getlist(form.attachments.name))
        except RuleBroken as error:
            error.show_on(form)
        else:
            flash(_("Your proposal is published."), "success")
            return _show(proposal)
    status = 400 if request.method == "POST" else 200
    return render_template("proposals/form.html", form=form, process=process, editing=None), status


@bp.route("/<slug>/proposals/<id:proposal_id>")
def show(slug: str, proposal_id: int):
    process, proposal = _proposal_or_404(slug, proposal_id)
    if proposal.merged_into_id:
        flash(_("This proposal was merged into another one."), "success")
        return redirect(url_for("proposals.show", slug=slug, proposal_id=proposal.merged_into_id))
    user = current_user if current_user.is_authenticated else None
    supported = user is not None and db.session.get(services.Support, (proposal.id, user.id)) is not None
    amendments = db.session.scalars(sa.select(Amendment).where(Amendment.proposal_id == proposal.id)
                                    .order_by(Amendment.id)).all()
    revisions = db.session.scalar(sa.select(sa.func.count()).where(ProposalRevision.proposal_id == proposal.id))
    comments = _comments_context(proposal, user)
    return render_template(
        "proposals/show.html", process=process, proposal=proposal, supported=supported, amendments=amendments,
        revisions=revisions, can_edit=services.can_edit(user, proposal), confirm_form=ConfirmForm(),
        eligible=services.is_eligible_for_vote(proposal), AmendmentState=AmendmentState, comments=comments,
        following=user is not None and services.is_following(user, proposal=proposal),
        tags=tags_for_proposals([proposal.id])[proposal.id],
        can_tag=user is not None and (user.id == proposal.author_id or can(user, "process.manage", process)),
    )


def _comments_context(proposal, user):
    return thread_context(proposal, user, page_number(request.args, "comments_page"))


@bp.route("/<slug>/proposals/<id:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, proposal_id: int):
    process, proposal = _proposal_or_404(slug, proposal_id)
    if proposal.author_id != current_user.id:
        abort(403)
    form = ProposalForm(obj=proposal)
    form.set_choices(listing.categories(), listing.districts())
    del form.language  # the language of a published text stays as it was
    del form.submission_key  # keys guard creation; an edit is the same proposal however often it is sent
    if request.method == "GET":
        form.body.data = editable_source(proposal.body)
    if form.validate_on_submit():
        draft = ProposalDraft(form.title.data, form.body.data, form.category_id.data, form.district_id.data,
                              form.address.data)
        try:
            services.edit_proposal(current_user, proposal, draft)
        except RuleBroken as error:
            error.show_on(form)
        else:
            flash(_("Your changes are saved. The earlier text stays in the history."), "success")
            return _show(proposal)
    status = 400 if request.method == "POST" else 200
    return render_template("proposals/form.html", form=form, process=process, editing=proposal), status


@bp.route("/<slug>/proposals/<id:proposal_id>/history")
def history(slug: str, proposal_id: int):
    process, proposal = _proposal_or_404(slug, proposal_id)
    revisions = db.session.scalars(sa.select(ProposalRevision).where(ProposalRevision.proposal_id == proposal.id)
                                   .order_by(ProposalRevision.number.desc())).all()
    return render_template("proposals/history.html", process=process, proposal=proposal, revisions=revisions)


def _button_action(slug: str, proposal_id: int, action, success: str, confirm_template: str | None = None):
    """POST buttons (support, withdraw, follow …): run `action`, then back to the proposal page."""
    process, proposal = _proposal_or_404(slug, proposal_id)
    form = ConfirmForm()
    if request.method == "GET" and confirm_template:
        return render_template(confirm_template, process=process, proposal=proposal, form=form)
    if not form.validate_on_submit():
        abort(400)
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=url_for("proposals.show", slug=slug, proposal_id=proposal_id)))
    try:
        action(current_user, proposal)
    except RuleBroken as error:
        return _refuse(error, proposal)
    flash(success, "success")
    return _show(proposal)


@bp.route("/<slug>/proposals/<id:proposal_id>/support", methods=["POST"])
def support(slug: str, proposal_id: int):
    return _button_action(slug, proposal_id, services.support, _("You support this proposal."))


@bp.route("/<slug>/proposals/<id:proposal_id>/unsupport", methods=["POST"])
def unsupport(slug: str, proposal_id: int):
    return _button_action(slug, proposal_id, services.withdraw_support, _("You no longer support this proposal."))


@bp.route("/<slug>/proposals/<id:proposal_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(slug: str, proposal_id: int):
    return _button_action(slug, proposal_id, services.withdraw, _("Your proposal is withdrawn."),
                          confirm_template="proposals/withdraw.html")


@bp.route("/<slug>/proposals/<id:proposal_id>/follow", methods=["POST"])
def follow(slug: str, proposal_id: int):
    return _button_action(slug, proposal_id, lambda user, proposal: services.follow(user, proposal=proposal),
                          _("You follow this proposal."))


@bp.route("/<slug>/proposals/<id:proposal_id>/unfollow", methods=["POST"])
def unfollow(slug: str, proposal_id: int):
    return _button_action(slug, proposal_id, lambda user, proposal: services.unfollow(user, proposal=proposal),
                          _("You no longer follow this proposal."))


@bp.route("/<slug>/proposals/<id:proposal_id>/amend", methods=["GET", "POST"])
@login_required
def amend(slug: str, proposal_id: int):
    process, proposal = _proposal_or_404(slug, proposal_id)
    form = AmendmentForm(obj=proposal) if request.method == "GET" else AmendmentForm()
    if request.method == "GET":
        form.body.data = editable_source(proposal.body)
    if form.validate_on_submit():
        try:
            services.propose_amendment(current_user, proposal, ProposalDraft(form.title.data, form.body.data),
                                       form.submission_key.data)
        except RuleBroken as error:
            if error.status in (403, 409):
                return _refuse(error, proposal)
            error.show_on(form)
        else:
            flash(_("Your amendment is sent. The author will accept or reject it."), "success")
            return _show(proposal, "amendments")
    status = 400 if request.method == "POST" else 200
    return render_template("proposals/amend.html", form=form, process=process, proposal=proposal), status


@bp.route("/<slug>/proposals/<id:proposal_id>/amendments/<id:amendment_id>/<any(accept, reject):decision>",
          methods=["POST"])
@login_required
def decide_amendment(slug: str, proposal_id: int, amendment_id: int, decision: str):
    process, proposal = _proposal_or_404(slug, proposal_id)
    amendment = db.session.get(Amendment, amendment_id)
    if amendment is None or amendment.proposal_id != proposal.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.decide_amendment(current_user, amendment, decision == "accept")
    except RuleBroken as error:
        return _refuse(error, proposal)
    flash(_("Amendment accepted: your proposal now reads as amended.") if decision == "accept"
          else _("Amendment rejected."), "success")
    return _show(proposal, "amendments")


@bp.route("/<slug>/proposals/<id:proposal_id>/answer", methods=["GET", "POST"])
@login_required
def answer(slug: str, proposal_id: int):
    process, proposal = _proposal_or_404(slug, proposal_id)
    if not can(current_user, "proposal.answer", process):
        abort(403)
    form = AnswerForm(state=proposal.answer_state.value if proposal.answer_state else None)
    if form.validate_on_submit():
        try:
            services.answer(current_user, proposal, AnswerState(form.state.data), form.text.data)
        except RuleBroken as error:
            error.show_on(form)
        else:
            flash(_("The official answer is published."), "success")
            return _show(proposal, "answer")
    status = 400 if request.method == "POST" else 200
    return render_template("proposals/answer.html", form=form, process=process, proposal=proposal), status


@bp.route("/<slug>/proposals/<id:proposal_id>/merge", methods=["GET", "POST"])
@login_required
def merge(slug: str, proposal_id: int):
    process, proposal = _proposal_or_404(slug, proposal_id)
    if not can(current_user, "proposal.merge", process):
        abort(403)
    form = MergeForm()
    if form.validate_on_submit():
        numbers = [part.strip().lstrip("#") for part in form.duplicates.data.split(",") if part.strip()]
        numbers = [whole_number(number) for number in numbers]
        if None in numbers:
            form.duplicates.errors = [_("Enter proposal numbers separated by commas, for example 12, 15.")]
        else:
            duplicates = [p for p in (db.session.get(Proposal, n) for n in numbers if n <= MAX_ID) if p is not None]
            try:
                if len(duplicates) != len(numbers):
                    raise RuleBroken(_("There is no proposal with one of these numbers."), field="duplicates")
                services.merge(current_user, duplicates, proposal)
            except RuleBroken as error:
                error.show_on(form)
            else:
                flash(_("The proposals are merged into this one."), "success")
                return _show(proposal)
    status = 400 if request.method == "POST" else 200
    return render_template("proposals/merge.html", form=form, process=process, proposal=proposal), status


@bp.route("/<slug>/proposals/<id:proposal_id>/attachments/<id:attachment_id>")
def attachment(slug: str, proposal_id: int, attachment_id: int):
    _process, proposal = _proposal_or_404(slug, proposal_id)
    found = next((a for a in proposal.attachments if a.id == attachment_id), None)
    if found is None:
        abort(404)
    return send_file(services.upload_folder() / found.stored_name, mimetype=found.content_type,
                     as_attachment=found.content_type == "application/pdf", download_name=found.filename)
