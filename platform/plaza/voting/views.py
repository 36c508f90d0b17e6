"""Ballot pages: vote (choose → check → cast → receipt), check a receipt, the bulletin board, the result,
and the organiser's pages to prepare, open and close a ballot. Everything works without JavaScript.

Checking and casting follow Post/Redirect/Get: the choices being checked and, after casting, the receipt
code wait in the voter's own session cookie (never on the server), so a reload or a change of language
shows the same page again. Both are forgotten as soon as the voter goes to another page."""

import json

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from plaza import uploads
from plaza.districts import all_districts
from plaza.errors import RuleBroken
from plaza.permissions import can
from plaza.processes.scope import current_process
from plaza.voting import board, casting, explain, mixing, services, timing, wording
from plaza.voting.choices import as_submitted, budget_used, describe, read_choices, shape
from plaza.voting.forms import BUDGET_INPUT_NAMES, KIND_NAMES, METHOD_NAMES, BallotForm, ProjectForm, ReceiptForm
from plaza.voting.models import Ballot, BallotKind, BallotState, BudgetInput
from plaza.web.access import allowed, get_or_404
from plaza.web.fields import page_number
from plaza.web.forms import ButtonForm
from plaza.web.pages import button, form_page
from plaza.web.responses import attachment, no_store

bp = Blueprint("voting", __name__, template_folder="templates")
BOARD_PAGE = 100
CHECKING = "voting.checking"  # session keys: {"ballot": id, "choices": …}
RECEIPT = "voting.receipt"  # {"ballot": id, "code": …, "choices": …}
_KEPT_ON = {CHECKING: {"process.voting.check", "process.voting.cast", "process.voting.show"},
            RECEIPT: {"process.voting.your_receipt"}}


@bp.before_app_request
def forget_vote_pages_left_behind() -> None:
    """Drop the pending choices and the receipt code once the voter leaves their page. A language switch,
    static files, the favicon, a project's picture and unknown URLs do not count as leaving: a browser fetches
    them on its own while the page is shown."""
    endpoint = request.endpoint
    if endpoint in (None, "static", "favicon", "process.voting.project_picture", "core.choose_language",
                    "core.save_language"):
        return
    for key, pages in _KEPT_ON.items():
        if key in session and endpoint not in pages:
            session.pop(key)


@bp.context_processor
def voting_helpers() -> dict:
    return {"BallotState": BallotState, "BallotKind": BallotKind, "ballot_shape": shape, "mix_size": mixing.mix_size(),
            "kind_names": KIND_NAMES, "method_names": METHOD_NAMES, "budget_input_names": BUDGET_INPUT_NAMES,
            "wording": wording, "closes_at": timing.closes_at, "time_left": timing.time_left,
            "budget_used": budget_used}


def _ballot_or_404(ballot_id: int) -> Ballot:
    """The page's ballot; a draft only for those who prepare ballots (to others it does not exist yet)."""
    process = current_process()
    ballot = get_or_404(Ballot, ballot_id, process_id=process.id)
    if ballot.state is BallotState.DRAFT and not can(current_user, "ballot.manage", process):
        abort(404)
    return ballot


def _page(template: str, **context) -> str:
    return render_template(template, process=current_process(), **context)


def _private(page) -> Response:
    """Pages with what a voter chose or their receipt code stay out of every cache."""
    return no_store(make_response(page))


def _require_button() -> None:
    """The ballot's own fields are read by `plaza.voting.choices`; the form only carries the CSRF token."""
    if not ButtonForm().validate_on_submit():
        abort(400)


def _ballot_page(ballot: Ballot, choices=None, problem: RuleBroken | None = None) -> Response:
    refusal = None
    if ballot.is_open and current_user.is_authenticated:
        try:
            casting.check_can_vote(current_user, ballot)
        except RuleBroken as error:
            refusal = error.message
    return _private((_page(
        "voting/ballot.html", ballot=ballot, form=ButtonForm(), choices=choices, problem=problem, refusal=refusal,
        voted=casting.has_voted(current_user, ballot), can_manage=can(current_user, "ballot.manage", current_process()),
    ), problem.status if problem else 200))


@bp.route("/ballots/<id:ballot_id>", methods=["GET", "POST"])
def show(ballot_id: int):
    """GET: the ballot. POST (from the check page's "Change my choices"): the ballot filled in as it was."""
    ballot = _ballot_or_404(ballot_id)
    choices = None
    if request.method == "POST":
        _require_button()
        choices = as_submitted(ballot, request.form)
    return _ballot_page(ballot, choices)


def _kept(key: str, ballot) -> dict | None:
    kept = session.get(key)
    return kept if isinstance(kept, dict) and kept.get("ballot") == ballot.id else None


@bp.route("/ballots/<id:ballot_id>/check", methods=["GET", "POST"])
def check(ballot_id: int):
    ballot = _ballot_or_404(ballot_id)
    if request.method == "POST":
        _require_button()
        try:
            casting.check_can_vote(current_user, ballot)
            if casting.has_voted(current_user, ballot):
                raise casting.AlreadyVoted()
            choices = read_choices(ballot, request.form)
        except RuleBroken as error:
            return _ballot_page(ballot, as_submitted(ballot, request.form), error)
        session[CHECKING] = {"ballot": ballot.id, "choices": choices}
        return redirect(url_for(".check", ballot_id=ballot.id), 303)
    checking = _kept(CHECKING, ballot)
    if checking is None or not ballot.is_open or casting.has_voted(current_user, ballot):
        return redirect(url_for(".show", ballot_id=ballot.id))
    choices = checking["choices"]
    return _private(_page("voting/check.html", ballot=ballot, form=ButtonForm(), choices=choices,
                          summary=describe(ballot, choices)))


@bp.route("/ballots/<id:ballot_id>/cast", methods=["POST"])
def cast(ballot_id: int):
    ballot = _ballot_or_404(ballot_id)
    _require_button()
    try:
        choices = read_choices(ballot, request.form)
        code = casting.cast(current_user, ballot, choices)
    except RuleBroken as error:
        return _ballot_page(ballot, as_submitted(ballot, request.form), error)
    session.pop(CHECKING, None)
    session[RECEIPT] = {"ballot": ballot.id, "code": code, "choices": choices}
    return redirect(url_for(".your_receipt", ballot_id=ballot.id), 303)


@bp.route("/ballots/<id:ballot_id>/your-receipt")
def your_receipt(ballot_id: int):
    """The receipt code, shown until the voter leaves this page (reloads and language switches keep it)."""
    ballot = _ballot_or_404(ballot_id)
    kept = _kept(RECEIPT, ballot)
    if kept is None:
        flash(_("Your receipt code is shown only once, on the page after you vote."), "info")
        return redirect(url_for(".show", ballot_id=ballot.id))
    return _private(_page("voting/receipt.html", ballot=ballot, code=kept["code"],
                          summary=describe(ballot, kept["choices"])))


@bp.route("/ballots/<id:ballot_id>/receipt", methods=["GET", "POST"])
def receipt(ballot_id: int):
    ballot = _ballot_or_404(ballot_id)
    form = ReceiptForm()

    def look_up():
        vote = casting.find_vote(ballot, form.code.data)
        return _page("voting/receipt_check.html", ballot=ballot, form=form, vote=vote, searched=True,
                     summary=describe(ballot, json.loads(vote.choices)) if vote else None)

    return _private(form_page("voting/receipt_check.html", form, look_up, process=current_process(),
                              ballot=ballot))


@bp.route("/ballots/<id:ballot_id>/board")
def bulletin_board(ballot_id: int):
    ballot = _ballot_or_404(ballot_id)
    page = board.page(ballot, page_number(request.args), BOARD_PAGE)
    if page is None:
        abort(404)
    return _page("voting/board.html", ballot=ballot, page=page,
                 describe=lambda choices: describe(ballot, json.loads(choices)))


@bp.route("/ballots/<id:ballot_id>/board.json")
def bulletin_board_json(ballot_id: int):
    ballot = _ballot_or_404(ballot_id)
    response = jsonify(board.export(ballot))
    response.headers["Content-Disposition"] = f'inline; filename="ballot-{ballot.id}-board.json"'
    return response


def _counted_or_404(ballot_id: int) -> Ballot:
    ballot = _ballot_or_404(ballot_id)
    if ballot.state is not BallotState.COUNTED:
        abort(404)
    return ballot


@bp.route("/ballots/<id:ballot_id>/result")
def result(ballot_id: int):
    ballot = _counted_or_404(ballot_id)
    rows = board.ranked(board.result_rows(ballot))
    winners = [row for row in rows if row.elected]
    return _page("voting/result.html", ballot=ballot, rows=rows, winners=winners, steps=explain.steps(ballot),
                 money_used=sum(row.cost or 0 for row in winners), voters=(ballot.result or {}).get("votes"))


@bp.route("/ballots/<id:ballot_id>/result.json")
def result_json(ballot_id: int):
    ballot = _counted_or_404(ballot_id)
    return jsonify({"ballot": services.spec(ballot), "result": ballot.result})


@bp.route("/ballots/<id:ballot_id>/result.csv")
def result_csv(ballot_id: int):
    ballot = _counted_or_404(ballot_id)
    return attachment(board.result_csv(ballot), "text/csv; charset=utf-8", f"ballot-{ballot.id}-result.csv")


@bp.route("/ballots/<id:ballot_id>/votes.<any(pb, soi):fmt>")
def open_data(ballot_id: int, fmt: str):
    """The votes of a closed ballot in an open format: Pabulib for budgets, PrefLib for ranked ballots."""
    ballot = _ballot_or_404(ballot_id)
    wanted = BallotKind.BUDGET if fmt == "pb" else BallotKind.RANKED
    if (ballot.kind is not wanted or ballot.state not in (BallotState.CLOSED, BallotState.COUNTED)
            or ballot.waiting_count):
        abort(404)
    return attachment(board.open_data(ballot), "text/plain; charset=utf-8", f"ballot-{ballot.id}.{fmt}")


# --- organisers ---------------------------------------------------------------------------------------------


@bp.route("/ballots/new", methods=["GET", "POST"])
@allowed("ballot.manage")
def new():
    process = current_process()
    form = BallotForm()
    form.district.choices = [(0, _("Everyone, wherever they live"))] + [(d.id, d.name) for d in all_districts()]

    def save():
        ballot = services.create_ballot(
            current_user, process, title=form.title.data, description=form.description.data or "",
            kind=BallotKind(form.kind.data), method=form.method.data, options=getattr(form, "parsed_options", []),
            seats=form.seats.data, min_choices=form.min_choices.data, max_choices=form.max_choices.data,
            max_score=form.max_score.data, budget=form.budget.data,
            budget_input=BudgetInput(form.budget_input.data), points=form.points.data,
            min_age=form.min_age.data, district_id=form.district.data or None)
        flash(_("The ballot is saved as a draft. Add each project's description, district and picture, then "
                "open it for voting.") if ballot.kind is BallotKind.BUDGET
              else _("The ballot is saved as a draft. Check it, then open it for voting."), "success")
        return redirect(url_for(".show", ballot_id=ballot.id))

    return form_page("voting/form.html", form, save, process=process)


@bp.route("/ballots/<id:ballot_id>/projects/<id:option_id>", methods=["GET", "POST"])
@allowed("ballot.manage")
def edit_project(ballot_id: int, option_id: int):
    """A budget project's description, district and picture, while the ballot is in preparation."""
    ballot = _ballot_or_404(ballot_id)
    option = ballot.option(option_id)
    if option is None or ballot.kind is not BallotKind.BUDGET or ballot.state is not BallotState.DRAFT:
        abort(404)
    form = ProjectForm(obj=None if request.method == "POST" else option)
    form.district.choices = [(0, _("No district: the whole city"))] + [(d.id, d.name) for d in all_districts()]
    if request.method == "GET":
        form.district.data = option.district_id or 0

    def save():
        services.describe_project(current_user, option, description=form.description.data or "",
                                  district_id=form.district.data or None, picture=form.picture.data,
                                  picture_alt=form.picture_alt.data or "", remove_picture=form.remove_picture.data)
        flash(_("The project is saved."), "success")
        return redirect(url_for(".show", ballot_id=ballot.id))

    return form_page("voting/project_form.html", form, save, process=current_process(), ballot=ballot,
                     option=option)


@bp.route("/ballots/<id:ballot_id>/projects/<id:option_id>/picture")
def project_picture(ballot_id: int, option_id: int):
    option = _ballot_or_404(ballot_id).option(option_id)
    if option is None or not option.picture_name:
        abort(404)
    path = uploads.upload_folder() / option.picture_name
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=option.picture_type, max_age=3600)


@bp.route("/ballots/<id:ballot_id>/<any(open, close):step>", methods=["GET", "POST"])
@allowed("ballot.manage")
def change_state(ballot_id: int, step: str):
    """A confirmation page, then the change: opening starts the vote; closing freezes it and counts."""
    ballot = _ballot_or_404(ballot_id)
    if step == "open":
        change, done = services.open_ballot, _("The ballot is open for voting.")
    else:
        change = services.close_ballot
        done = _("The ballot is closed. The count runs now; the result appears here when it is done.")
    return button(lambda: change(current_user, ballot), done, url_for(".show", ballot_id=ballot.id),
                  confirm="voting/confirm_state.html", process=current_process(), ballot=ballot, step=step)


def process_panel(process, user) -> dict | None:
    """The process page's list of votes (drafts only for those who prepare them)."""
    ballots, can_manage = services.ballots_visible_to(user, process), can(user, "ballot.manage", process)
    if not (ballots or can_manage):
        return None
    closes = {ballot.id: timing.closes_at(ballot) for ballot in ballots if ballot.is_open}
    return {"ballots": ballots, "can_manage_ballots": can_manage, "closes": closes}
