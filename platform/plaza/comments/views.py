"""Comment pages: every action works as a plain HTML form, without JavaScript."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from plaza.comments import bp, services
from plaza.comments.forms import ActionForm, CommentForm, EditForm, HideForm, ReplyForm, ReportForm
from plaza.comments.models import REPORT_REASON_NAMES, Comment, ReportReason, Stance
from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.permissions import can
from plaza.processes.models import Process
from plaza.proposals.models import Proposal
from plaza.text import editable_source
from plaza.web.fields import page_number

PROPOSAL = "/<slug>/proposals/<id:proposal_id>"
COMMENT = PROPOSAL + "/comments/<id:comment_id>"


def _proposal(slug: str, proposal_id: int) -> Proposal:
    return db.first_or_404(sa.select(Proposal).join(Process, Process.id == Proposal.process_id)
                           .where(Proposal.id == proposal_id, Process.slug == slug))


def _comment(slug: str, proposal_id: int, comment_id: int) -> tuple[Proposal, Comment]:
    proposal = _proposal(slug, proposal_id)
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.proposal_id != proposal.id:
        abort(404)
    return proposal, comment


def proposal_url(proposal: Proposal, **query) -> str:
    """The proposal page; this area's own discussion page until the proposals area has one."""
    try:
        return url_for("proposals.show", slug=proposal.process.slug, proposal_id=proposal.id, **query)
    except BuildError:
        return url_for("comments.discussion", slug=proposal.process.slug, proposal_id=proposal.id, **query)


def comment_location(comment: Comment) -> str:
    """The comment on the proposal page, on the page of the thread that shows it."""
    page = services.page_of(comment)
    query = {"comments_page": page} if page > 1 else {}
    return f"{proposal_url(comment.proposal, **query)}#comment-{comment.id}"


def _back_to(comment: Comment):
    return redirect(comment_location(comment))


def _status(form, error: RuleBroken | None = None) -> int:
    """A form that was sent and refused answers 400 (or the rule's own status); a form just shown, 200."""
    if error is not None:
        return error.status
    return 400 if request.method == "POST" else 200


def _refused(error: RuleBroken):
    """A button (no form page to go back to) that a rule refused: say why, with the rule's status."""
    return render_template("error.html", status=error.status, title=_("This was not possible"),
                           message=error.message), error.status


def _discussion_page(proposal: Proposal, form, status: int):
    page = page_number(request.args, "comments_page")
    context = services.thread_context(proposal, current_user, page)
    context["form"] = form
    return render_template("comments/discussion.html", proposal_url=proposal_url(proposal), **context), status


@bp.get(PROPOSAL + "/comments")
def discussion(slug: str, proposal_id: int):
    """The proposal's comments on a page of their own (the proposal page shows the same thread)."""
    proposal = _proposal(slug, proposal_id)
    return _discussion_page(proposal, CommentForm(formdata=None), 200)


@bp.post(PROPOSAL + "/comments")
@login_required
def create(slug: str, proposal_id: int):
    proposal = _proposal(slug, proposal_id)
    form = CommentForm()
    error = None
    if form.validate_on_submit():
        try:
            comment = services.add_comment(current_user, proposal, form.body.data, Stance(form.stance.data),
                                           submission_key=form.submission_key.data)
        except RuleBroken as refusal:
            error = refusal
            refusal.show_on(form)
        else:
            flash(_("Your comment is published."), "success")
            return _back_to(comment)
    return _discussion_page(proposal, form, _status(form, error))


@bp.route(COMMENT + "/reply", methods=["GET", "POST"])
@login_required
def reply(slug: str, proposal_id: int, comment_id: int):
    proposal, parent = _comment(slug, proposal_id, comment_id)
    form = ReplyForm()
    error = None
    if form.validate_on_submit():
        try:
            comment = services.add_comment(current_user, proposal, form.body.data, Stance(form.stance.data),
                                           parent=parent, submission_key=form.submission_key.data)
        except RuleBroken as refusal:
            error = refusal
            refusal.show_on(form)
        else:
            flash(_("Your reply is published."), "success")
            return _back_to(comment)
    return render_template("comments/reply.html", form=form, proposal=proposal, parent=parent,
                           grandparent=parent.parent, can_reply=services.can_reply_to(parent),
                           comment_location=comment_location(parent)), _status(form, error)


@bp.route(COMMENT + "/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, proposal_id: int, comment_id: int):
    proposal, comment = _comment(slug, proposal_id, comment_id)
    if comment.author_id != current_user.id:
        abort(403)
    form = EditForm()
    error = None
    if form.validate_on_submit():
        try:
            services.edit_comment(current_user, comment, form.body.data)
        except RuleBroken as refusal:
            error = refusal
            refusal.show_on(form)
        else:
            flash(_("Your changes are saved."), "success")
            return _back_to(comment)
    elif request.method == "GET":
        form.body.data = editable_source(comment.body)
    return render_template("comments/edit.html", form=form, proposal=proposal, comment=comment,
                           can_edit=services.can_edit(current_user, comment),
                           window_ends=services.edit_window_ends(comment), edit_minutes=services.EDIT_MINUTES,
                           revisions=services.revisions(comment),
                           comment_location=comment_location(comment)), _status(form, error)


@bp.post(COMMENT + "/upvote")
@login_required
def upvote(slug: str, proposal_id: int, comment_id: int):
    _proposal_row, comment = _comment(slug, proposal_id, comment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.upvote(current_user, comment)
    except RuleBroken as error:
        return _refused(error)
    flash(_("Your upvote is counted."), "success")
    return _back_to(comment)


@bp.route(COMMENT + "/report", methods=["GET", "POST"])
@login_required
def report(slug: str, proposal_id: int, comment_id: int):
    proposal, comment = _comment(slug, proposal_id, comment_id)
    form = ReportForm()
    error = None
    if form.validate_on_submit():
        try:
            services.report(current_user, comment, ReportReason(form.reason.data), form.details.data)
        except RuleBroken as refusal:
            error = refusal
            refusal.show_on(form)
        else:
            flash(_("Thank you. A moderator will look at this comment."), "success")
            return _back_to(comment)
    return render_template("comments/report.html", form=form, proposal=proposal, comment=comment,
                           comment_location=comment_location(comment)), _status(form, error)


# --- moderation ----------------------------------------------------------------------------------------


def _moderator_only() -> None:
    if not can(current_user, "moderation.act", None):
        abort(403)


@bp.get("/moderation")
@login_required
def moderation():
    _moderator_only()
    return render_template("comments/moderation.html", queue=services.moderation_queue(), form=None,
                           reason_names=REPORT_REASON_NAMES, proposal_url=proposal_url)


@bp.route("/moderation/comments/<id:comment_id>/hide", methods=["GET", "POST"])
@login_required
def hide(comment_id: int):
    _moderator_only()
    comment = db.get_or_404(Comment, comment_id)
    form = HideForm()
    error = None
    if form.validate_on_submit():
        try:
            services.hide(current_user, comment, form.reason.data)
        except RuleBroken as refusal:
            error = refusal
            refusal.show_on(form)
        else:
            flash(_("The comment is hidden. Everyone now sees your reason in its place."), "success")
            return redirect(url_for("comments.moderation"))
    return render_template("comments/hide.html", form=form, comment=comment,
                           comment_location=comment_location(comment)), _status(form, error)


@bp.post("/moderation/comments/<id:comment_id>/dismiss")
@login_required
def dismiss(comment_id: int):
    _moderator_only()
    comment = db.get_or_404(Comment, comment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.dismiss_reports(current_user, comment)
    except RuleBroken as error:
        return _refused(error)
    flash(_("The reports are closed and the comment stays as it is."), "success")
    return redirect(url_for("comments.moderation"))


@bp.post("/moderation/comments/<id:comment_id>/unhide")
@login_required
def unhide(comment_id: int):
    _moderator_only()
    comment = db.get_or_404(Comment, comment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.unhide(current_user, comment)
    except RuleBroken as error:
        return _refused(error)
    flash(_("The comment is shown again."), "success")
    return _back_to(comment)
