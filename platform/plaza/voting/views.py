"""Ballot pages: vote (choose → check → cast → receipt), check a receipt, the bulletin board, the result,
and the organiser's pages to prepare, open and close a ballot. Everything works without JavaScript.

Checking and casting follow Post/Redirect/Get: the choices being checked and, after casting, the receipt
code wait in the voter's own session cookie (never on the server), so a reload or a change of language
shows the same page again. Both are forgotten as soon as the voter goes to another page."""

import csv
import io
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
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.permissions import can
from plaza.processes.services import get_by_slug_or_404
from plaza.proposals.listing import districts
from plaza.questionnaires.services import spreadsheet_safe
from plaza.voting import board, casting, explain, mixing, services
from plaza.voting.choices import as_submitted, describe, read_choices, shape
from plaza.voting.forms import BUDGET_INPUT_NAMES, KIND_NAMES, METHOD_NAMES, BallotForm, ConfirmForm, ReceiptForm
from plaza.voting.models import BallotKind, BallotState, BudgetInput
from plaza.web.fields import page_number

bp = Blueprint("voting", __name__, template_folder="templates")
BOARD_PAGE = 100
CHECKING = "voting.checking"  # session keys: {"ballot": id, "choices": …}
RECEIPT = "voting.receipt"  # {"ballot": id, "code": …, "choices": …}
_KEPT_ON = {CHECKING: {"voting.check", "voting.cast", "voting.show"}, RECEIPT: {"voting.your_receipt"}}


@bp.before_app_request
def forget_vote_pages_left_behind() -> None:
    """Drop the pending choices and the receipt code once the voter leaves their page. A language switch,
    static files and unknown URLs (a browser's /favicon.ico) do not count as leaving."""
    endpoint = request.endpoint
    if endpoint in (None, "static", "core.choose_language", "core.save_language"):
        return
    for key, pages in _KEPT_ON.items():
        if key in session and endpoint not in pages:
            session.pop(key)


@bp.context_processor
def voting_helpers() -> dict:
    return {"BallotState": BallotState, "BallotKind": BallotKind, "ballot_shape": shape, "mix_size": mixing.mix_size(),
            "kind_names": KIND_NAMES, "method_names": METHOD_NAMES, "budget_input_names": BUDGET_INPUT_NAMES}


def _ballot_or_404(slug: str, ballot_id: int):
    process = get_by_slug_or_404(slug)
    ballot = services.get_ballot(process, ballot_id)
    if ballot is None or (ballot.state is BallotState.DRAFT and not can(current_user, "ballot.manage", process)):
        abort(404)
    return process, ballot


def _no_store(response):
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def _render_ballot(process, ballot, choices=None, problem: RuleBroken | None = None, status: int = 200):
    refusal = None
    if ballot.is_open and current_user.is_authenticated:
        try:
            casting.check_can_vote(current_user, ballot)
        except RuleBroken as error:
            refusal = error.message
    return _no_store((render_template(
        "voting/ballot.html", process=process, ballot=ballot, form=ConfirmForm(), choices=choices,
        problem=problem, refusal=refusal, voted=casting.has_voted(current_user, ballot),
        can_manage=can(current_user, "ballot.manage", process),
    ), status))


@bp.route("/<slug>/ballots/<id:ballot_id>", methods=["GET", "POST"])
def show(slug: str, ballot_id: int):
    """GET: the ballot. POST (from the check page's "Change my choices"): the ballot filled in as it was."""
    process, ballot = _ballot_or_404(slug, ballot_id)
    choices = None
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        choices = as_submitted(ballot, request.form)
    return _render_ballot(process, ballot, choices)


def _kept(key: str, ballot) -> dict | None:
    kept = session.get(key)
    return kept if isinstance(kept, dict) and kept.get("ballot") == ballot.id else None


@bp.route("/<slug>/ballots/<id:ballot_id>/check", methods=["GET", "POST"])
def check(slug: str, ballot_id: int):
    process, ballot = _ballot_or_404(slug, ballot_id)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        try:
            casting.check_can_vote(current_user, ballot)
            if casting.has_voted(current_user, ballot):
                raise casting.AlreadyVoted()
            choices = read_choices(ballot, request.form)
        except RuleBroken as error:
            return _render_ballot(process, ballot, as_submitted(ballot, request.form), error, error.status)
        session[CHECKING] = {"ballot": ballot.id, "choices": choices}
        return redirect(url_for(".check", slug=slug, ballot_id=ballot.id), 303)
    checking = _kept(CHECKING, ballot)
    if checking is None or not ballot.is_open or casting.has_voted(current_user, ballot):
        return redirect(url_for(".show", slug=slug, ballot_id=ballot.id))
    choices = checking["choices"]
    return _no_store(render_template("voting/check.html", process=process, ballot=ballot, form=ConfirmForm(),
                                     choices=choices, summary=describe(ballot, choices)))


@bp.route("/<slug>/ballots/<id:ballot_id>/cast", methods=["POST"])
def cast(slug: str, ballot_id: int):
    process, ballot = _ballot_or_404(slug, ballot_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        choices = read_choices(ballot, request.form)
        code = casting.cast(current_user, ballot, choices)
    except RuleBroken as error:
        db.session.rollback()
        return _render_ballot(process, ballot, as_submitted(ballot, request.form), error, error.status)
    session.pop(CHECKING, None)
    session[RECEIPT] = {"ballot": ballot.id, "code": code, "choices": choices}
    return redirect(url_for(".your_receipt", slug=slug, ballot_id=ballot.id), 303)


@bp.route("/<slug>/ballots/<id:ballot_id>/your-receipt")
def your_receipt(slug: str, ballot_id: int):
    """The receipt code, shown until the voter leaves this page (reloads and language switches keep it)."""
    process, ballot = _ballot_or_404(slug, ballot_id)
    kept = _kept(RECEIPT, ballot)
    if kept is None:
        flash(_("Your receipt code is shown only once, on the page after you vote."), "info")
        return redirect(url_for(".show", slug=slug, ballot_id=ballot.id))
    return _no_store(render_template("voting/receipt.html", process=process, ballot=ballot, code=kept["code"],
                                     summary=describe(ballot, kept["choices"])))


@bp.route("/<slug>/ballots/<id:ballot_id>/receipt", methods=["GET", "POST"])
def receipt(slug: str, ballot_id: int):
    process, ballot = _ballot_or_404(slug, ballot_id)
    form = ReceiptForm()
    vote, searched = None, False
    if form.validate_on_submit():
        try:
            vote = casting.find_vote(ballot, form.code.data)
            searched = True
        except RuleBroken as error:
            error.show_on(form)
    summary = describe(ballot, json.loads(vote.choices)) if vote else None
    status = 400 if form.errors else 200
    return _no_store((render_template("voting/receipt_check.html", process=process, ballot=ballot, form=form,
                                      vote=vote, searched=searched, summary=summary), status))


@bp.route("/<slug>/ballots/<id:ballot_id>/board")
def bulletin_board(slug: str, ballot_id: int):
    process, ballot = _ballot_or_404(slug, ballot_id)
    page = board.page(ballot, page_number(request.args), BOARD_PAGE)
    if page is None:
        abort(404)
    return render_template("voting/board.html", process=process, ballot=ballot, page=page,
                           describe=lambda choices: describe(ballot, json.loads(choices)))


@bp.route("/<slug>/ballots/<id:ballot_id>/board.json")
def bulletin_board_json(slug: str, ballot_id: int):
    _, ballot = _ballot_or_404(slug, ballot_id)
    response = jsonify(board.export(ballot))
    response.headers["Content-Disposition"] = f'inline; filename="ballot-{ballot.id}-board.json"'
    return response


def _counted_or_404(slug: str, ballot_id: int):
    process, ballot = _ballot_or_404(slug, ballot_id)
    if ballot.state is not BallotState.COUNTED:
        abort(404)
    return process, ballot


@bp.route("/<slug>/ballots/<id:ballot_id>/result")
def result(slug: str, ballot_id: int):
    process, ballot = _counted_or_404(slug, ballot_id)
    return render_template("voting/result.html", process=process, ballot=ballot, rows=board.result_rows(ballot),
                           steps=explain.steps(ballot))


@bp.route("/<slug>/ballots/<id:ballot_id>/result.json")
def result_json(slug: str, ballot_id: int):
    _, ballot = _counted_or_404(slug, ballot_id)
    return jsonify({"ballot": services.spec(ballot), "result": ballot.result})


@bp.route("/<slug>/ballots/<id:ballot_id>/result.csv")
def result_csv(slug: str, ballot_id: int):
    _, ballot = _counted_or_404(slug, ballot_id)
    out = io.StringIO()
    out.write("\ufeff")  # so that spreadsheet programs read UTF-8
    writer = csv.writer(out)
    writer.writerow(["option_id", "option", "cost", "total", "elected"])
    for row in board.result_rows(ballot):
        writer.writerow([row.option_id, spreadsheet_safe(row.label), row.cost or "",
                         "" if row.total is None else row.total, "yes" if row.elected else "no"])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="ballot-{ballot.id}-result.csv"'})


@bp.route("/<slug>/ballots/<id:ballot_id>/votes.<any(pb, soi):fmt>")
def open_data(slug: str, ballot_id: int, fmt: str):
    """The votes of a closed ballot in an open format: Pabulib for budgets, PrefLib for ranked ballots."""
    _, ballot = _ballot_or_404(slug, ballot_id)
    wanted = BallotKind.BUDGET if fmt == "pb" else BallotKind.RANKED
    if (ballot.kind is not wanted or ballot.state not in (BallotState.CLOSED, BallotState.COUNTED)
            or ballot.waiting_count):
        abort(404)
    return Response(board.open_data(ballot), mimetype="text/plain",
                    headers={"Content-Disposition": f'attachment; filename="ballot-{ballot.id}.{fmt}"'})


# --- organisers ---------------------------------------------------------------------------------------------


def _require_manage(process) -> None:
    if not can(current_user, "ballot.manage", process):
        abort(403)


@bp.route("/<slug>/ballots/new", methods=["GET", "POST"])
def new(slug: str):
    process = get_by_slug_or_404(slug)
    _require_manage(process)
    form = BallotForm()
    form.district.choices = [(0, _("Everyone, wherever they live"))] + [(d.id, d.name) for d in districts()]
    if form.validate_on_submit():
        kind = BallotKind(form.kind.data)
        try:
            ballot = services.create_ballot(
                current_user, process, title=form.title.data, description=form.description.data or "",
                kind=kind, method=form.method.data, options=getattr(form, "parsed_options", []),
                seats=form.seats.data, min_choices=form.min_choices.data, max_choices=form.max_choices.data,
                max_score=form.max_score.data, budget=form.budget.data,
                budget_input=BudgetInput(form.budget_input.data), points=form.points.data,
                min_age=form.min_age.data, district_id=form.district.data or None)
        except RuleBroken as error:
            db.session.rollback()
            error.show_on(form)
        else:
            flash(_("The ballot is saved as a draft. Check it, then open it for voting."), "success")
            return redirect(url_for(".show", slug=slug, ballot_id=ballot.id))
    return render_template("voting/form.html", process=process, form=form), 400 if form.errors else 200


@bp.route("/<slug>/ballots/<id:ballot_id>/<any(open, close):step>", methods=["GET", "POST"])
def change_state(slug: str, ballot_id: int, step: str):
    """A confirmation page, then the change: opening starts the vote; closing freezes it and counts."""
    process, ballot = _ballot_or_404(slug, ballot_id)
    _require_manage(process)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            (services.open_ballot if step == "open" else services.close_ballot)(current_user, ballot)
        except RuleBroken as error:
            flash(error.message, "error")
        else:
            flash(_("The ballot is open for voting.") if step == "open"
                  else _("The ballot is closed. The count runs now; the result appears here when it is done."),
                  "success")
        return redirect(url_for(".show", slug=slug, ballot_id=ballot.id))
    return render_template("voting/confirm_state.html", process=process, ballot=ballot, form=form, step=step)
