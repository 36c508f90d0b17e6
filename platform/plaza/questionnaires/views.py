"""Answering a questionnaire (answer, check your answers, send), creating one, exporting the answers."""

import re

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from plaza.errors import RuleBroken
from plaza.permissions import Forbidden, authorize, can
from plaza.processes.services import get_by_slug_or_404
from plaza.questionnaires import bp, services
from plaza.questionnaires.forms import AnswersForm, QuestionnaireForm
from plaza.questionnaires.models import Questionnaire

OPTION_ID = re.compile(r"[0-9]{1,18}")


def _questionnaire_or_404(slug: str) -> Questionnaire:
    process = get_by_slug_or_404(slug)
    questionnaire = services.for_process(process)
    if questionnaire is None:
        abort(404)
    return questionnaire


def _input_name(question) -> str:
    return f"q-{question.id}"


def _answers_from(values, questionnaire: Questionnaire) -> dict[int, list[int] | str]:
    """The answers in a posted form. A value that is not a number can match no option: the service refuses it."""
    answers: dict[int, list[int] | str] = {}
    for question in questionnaire.questions:
        if question.is_choice:
            answers[question.id] = [int(value) if OPTION_ID.fullmatch(value) else 0
                                    for value in values.getlist(_input_name(question))]
        else:
            answers[question.id] = values.get(_input_name(question), "")
    return answers


def _page(template: str, questionnaire: Questionnaire, status: int = 200, **context):
    return render_template(template, questionnaire=questionnaire, process=questionnaire.process,
                           input_name=_input_name, **context), status


def _answer_form(questionnaire: Questionnaire, form, answers=None, problems=None, status: int = 200):
    return _page("questionnaires/answer.html", questionnaire, status, form=form, answers=answers or {},
                 problems=problems or {}, max_text=services.MAX_TEXT_ANSWER)


def _unavailable(questionnaire: Questionnaire, error: RuleBroken):
    return _page("questionnaires/unavailable.html", questionnaire, error.status, message=error.message,
                 can_manage=can(current_user, "process.manage", questionnaire.process))


@bp.route("/<slug>/questionnaire", methods=["GET", "POST"])
@login_required
def answer(slug: str):
    questionnaire = _questionnaire_or_404(slug)
    if services.has_answered(current_user, questionnaire):
        return _page("questionnaires/already_answered.html", questionnaire,
                     409 if request.method == "POST" else 200)
    try:
        authorize(current_user, "questionnaire.answer", questionnaire.process)
    except Forbidden as error:
        return _unavailable(questionnaire, error)
    form = AnswersForm()
    if request.method == "GET":
        return _answer_form(questionnaire, form)
    if not form.validate_on_submit():
        abort(400)
    answers = _answers_from(request.form, questionnaire)
    step = request.form.get("step")
    if request.form.get("change"):  # "Change my answers" on the check page: back to the form, filled in
        return _answer_form(questionnaire, form, answers)
    if step == "confirm":
        try:
            services.submit_response(current_user, questionnaire, answers)
        except services.AnswersRefused as error:
            return _answer_form(questionnaire, form, answers, error.problems, 400)
        except RuleBroken as error:
            if error.status == 409:
                return _page("questionnaires/already_answered.html", questionnaire, 409)
            return _unavailable(questionnaire, error)
        return redirect(url_for("questionnaires.thanks", slug=slug))
    problems = services.answer_problems(questionnaire, answers)
    if problems:
        return _answer_form(questionnaire, form, answers, problems, 400)
    return _page("questionnaires/check.html", questionnaire, form=form, answers=answers)


@bp.route("/<slug>/questionnaire/thanks")
@login_required
def thanks(slug: str):
    questionnaire = _questionnaire_or_404(slug)
    if not services.has_answered(current_user, questionnaire):
        return redirect(url_for("questionnaires.answer", slug=slug))
    return _page("questionnaires/thanks.html", questionnaire)


@bp.route("/<slug>/questionnaire/new", methods=["GET", "POST"])
@login_required
def create(slug: str):
    process = get_by_slug_or_404(slug)
    if not can(current_user, "process.manage", process):
        abort(403)
    if services.for_process(process) is not None:
        flash(_("This consultation already has a questionnaire."), "error")
        return redirect(url_for("questionnaires.manage", slug=slug))
    form = QuestionnaireForm()
    if form.validate_on_submit():
        try:
            services.create_questionnaire(current_user, process, form.title.data, form.intro.data, form.plans)
        except RuleBroken as error:
            target = getattr(form, error.field, None) if error.field else None
            if target is not None:
                target.errors = [*target.errors, error.message]
            else:
                form.form_errors.append(error.message)
        else:
            flash(_("The questionnaire is ready."), "success")
            return redirect(url_for("questionnaires.manage", slug=slug))
    page = render_template("questionnaires/create.html", form=form, process=process)
    return page, 400 if form.errors else 200


@bp.route("/<slug>/questionnaire/manage")
@login_required
def manage(slug: str):
    process = get_by_slug_or_404(slug)
    if not can(current_user, "process.manage", process):
        abort(403)
    questionnaire = services.for_process(process)
    if questionnaire is None:  # nothing to manage yet: offer to create it
        return redirect(url_for("questionnaires.create", slug=slug))
    return _page("questionnaires/manage.html", questionnaire,
                 responses=services.response_count(questionnaire),
                 can_export=can(current_user, "questionnaire.export", questionnaire.process),
                 open_now=can(current_user, "questionnaire.answer", questionnaire.process))


@bp.route("/<slug>/questionnaire/answers.csv")
@login_required
def export(slug: str):
    questionnaire = _questionnaire_or_404(slug)
    try:
        text = services.export_answers(current_user, questionnaire)
    except Forbidden:
        abort(403)
    response = make_response(text.encode("utf-8"))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    filename = re.sub(r"[^A-Za-z0-9-]", "", slug) or "consultation"
    response.headers["Content-Disposition"] = f'attachment; filename="questionnaire-{filename}-answers.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
