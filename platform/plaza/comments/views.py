"""Comment pages: every action works as a plain HTML form, without JavaScript."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from plaza.comments import bp, moderation, moderation_bp, services
from plaza.comments.forms import CommentForm, EditForm, HideForm, ReplyForm, ReportForm
from plaza.comments.models import EDIT_MINUTES, REPORT_REASON_NAMES, Comment, ReportReason, Stance
from plaza.errors import RuleBroken
from plaza.processes.scope import current_process
from plaza.proposals.models import Proposal
from plaza.text import editable_source
from plaza.web.access import allowed, get_for, get_or_404
from plaza.web.fields import page_number
from plaza.web.forms import ButtonForm
from plaza.web.pages import form_page

PROPOSAL = "/proposals/<id:proposal_id>"
COMMENT = PROPOSAL + "/comments/<id:comment_id>"


def _proposal(proposal_id: int) -> Proposal:
    return get_or_404(Proposal, proposal_id, process_id=current_process().id)


def _comment(proposal_id: int, comment_id: int) -> tuple[Proposal, Comment]:
    proposal = _proposal(proposal_id)
    return proposal, get_or_404(Comment, comment_id, proposal_id=proposal.id)


def proposal_url(proposal: Proposal, **query) -> str:
    """The proposal page; this area's own discussion page when the proposals area is not installed."""
    try:
        return url_for("process.proposals.show", slug=proposal.process.slug, proposal_id=proposal.id, **query)
    except BuildError:
        return url_for("process.comments.discussion", slug=proposal.process.slug, proposal_id=proposal.id, **query)


def comment_location(comment: Comment) -> str:
    """The comment on the proposal page, on the page of the thread that shows it."""
    page = services.page_of(comment)
    query = {"comments_page": page} if page > 1 else {}
    return f"{proposal_url(comment.proposal, **query)}#comment-{comment.id}"


def _back_to(comment: Comment, message: str):
    flash(message, "success")
    return redirect(comment_location(comment))


def _refused(error: RuleBroken):
    """A button (no form page to go back to) that a rule refused: say why, with the rule's status."""
    return render_template("error.html", status=error.status, title=_("This was not possible"),
                           message=error.message), error.status


def _checked_button() -> None:
    if not ButtonForm().validate_on_submit():
        abort(400)


def _thread(proposal: Proposal) -> dict:
    """The thread macro's arguments for the page of the thread the query string asks for (404 past the end)."""
    context = services.thread_context(proposal, current_user, page_number(request.args, "comments_page"))
    if context is None:
        abort(404)
    return context


def proposal_panel(proposal: Proposal, user) -> dict:
    """The comment thread on the proposal page."""
    return {**_thread(proposal), "form": CommentForm(formdata=None)}


@bp.get(PROPOSAL + "/comments")
def discussion(proposal_id: int):
    """The proposal's comments on a page of their own (the proposal page shows the same thread)."""
    proposal = _proposal(proposal_id)
    return render_template("comments/discussion.html", proposal_url=proposal_url(proposal),
                           form=CommentForm(formdata=None), **_thread(proposal))


@bp.post(PROPOSAL + "/comments")
@login_required
def create(proposal_id: int):
    proposal = _proposal(proposal_id)
    form = CommentForm()

    def save():
        comment = services.add_comment(current_user, proposal, form.body.data, Stance(form.stance.data),
                                       submission_key=form.submission_key.data)
        return _back_to(comment, _("Your comment is published."))

    return form_page("comments/discussion.html", form, save, proposal_url=proposal_url(proposal),
                     **_thread(proposal))


@bp.route(COMMENT + "/reply", methods=["GET", "POST"])
@login_required
def reply(proposal_id: int, comment_id: int):
    proposal, parent = _comment(proposal_id, comment_id)
    form = ReplyForm()

    def save():
        comment = services.add_comment(current_user, proposal, form.body.data, Stance(form.stance.data),
                                       parent=parent, submission_key=form.submission_key.data)
        return _back_to(comment, _("Your reply is published."))

    return form_page("comments/reply.html", form, save, proposal=proposal, parent=parent,
                     grandparent=parent.parent, can_reply=services.can_reply_to(parent),
                     comment_location=comment_location(parent))


@bp.route(COMMENT + "/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int, comment_id: int):
    proposal = _proposal(proposal_id)
    comment = get_for("comment.edit", Comment, comment_id, proposal_id=proposal.id)
    form = EditForm()
    if request.method == "GET":
        form.body.data = editable_source(comment.body)

    def save():
        services.edit_comment(current_user, comment, form.body.data)
        return _back_to(comment, _("Your changes are saved."))

    return form_page("comments/edit.html", form, save, proposal=proposal, comment=comment,
                     can_edit=services.can_edit(current_user, comment),
                     window_ends=services.edit_window_ends(comment), edit_minutes=EDIT_MINUTES,
                     revisions=services.revisions(comment), comment_location=comment_location(comment))


@bp.post(COMMENT + "/upvote")
@login_required
def upvote(proposal_id: int, comment_id: int):
    _proposal_row, comment = _comment(proposal_id, comment_id)
    _checked_button()
    try:
        services.upvote(current_user, comment)
    except RuleBroken as error:
        return _refused(error)
    return _back_to(comment, _("Your upvote is counted."))


@bp.route(COMMENT + "/report", methods=["GET", "POST"])
@login_required
def report(proposal_id: int, comment_id: int):
    proposal, comment = _comment(proposal_id, comment_id)
    form = ReportForm()

    def save():
        services.report(current_user, comment, ReportReason(form.reason.data), form.details.data)
        return _back_to(comment, _("Thank you. A moderator will look at this comment."))

    return form_page("comments/report.html", form, save, proposal=proposal, comment=comment,
                     comment_location=comment_location(comment))


# --- moderation ----------------------------------------------------------------------------------------


@moderation_bp.get("")
@allowed("moderation.act")
def queue():
    return render_template("comments/moderation.html", queue=moderation.moderation_queue(), form=None,
                           reason_names=REPORT_REASON_NAMES, proposal_url=proposal_url)


@moderation_bp.route("/comments/<id:comment_id>/hide", methods=["GET", "POST"])
@allowed("moderation.act")
def hide(comment_id: int):
    comment = get_or_404(Comment, comment_id)
    form = HideForm()

    def save():
        moderation.hide(current_user, comment, form.reason.data)
        flash(_("The comment is hidden. Everyone now sees your reason in its place."), "success")
        return redirect(url_for("moderation.queue"))

    return form_page("comments/hide.html", form, save, comment=comment, comment_location=comment_location(comment))


@moderation_bp.post("/comments/<id:comment_id>/dismiss")
@allowed("moderation.act")
def dismiss(comment_id: int):
    comment = get_or_404(Comment, comment_id)
    _checked_button()
    try:
        moderation.dismiss_reports(current_user, comment)
    except RuleBroken as error:
        return _refused(error)
    flash(_("The reports are closed and the comment stays as it is."), "success")
    return redirect(url_for("moderation.queue"))


@moderation_bp.post("/comments/<id:comment_id>/unhide")
@allowed("moderation.act")
def unhide(comment_id: int):
    comment = get_or_404(Comment, comment_id)
    _checked_button()
    try:
        moderation.unhide(current_user, comment)
    except RuleBroken as error:
        return _refused(error)
    return _back_to(comment, _("The comment is shown again."))
