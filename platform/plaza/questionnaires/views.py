"""Answering a questionnaire (answer, check your answers, send), creating one, exporting the answers."""

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from plaza.errors import RuleBroken
from plaza.permissions import Forbidden, authorize, can
from plaza.phases import Component
from plaza.processes.scope import current_process
from plaza.questionnaires import bp, services
from plaza.questionnaires.forms import QuestionnaireForm
from plaza.questionnaires.models import Questionnaire
from plaza.web.access import allowed
from plaza.web.forms import ButtonForm
from plaza.web.pages import form_page
from plaza.web.responses import attachment

OPTION_ID = re.compile(r"[0-9]{1,18}")


def _questionnaire_or_404() -> Questionnaire:
    process = current_process()
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


def _answer_form(questionnaire: Questionnaire, form, answers=None, problems=None):
    """The answers, filled in as sent; with problems a 400, so that a refused form is never taken for a sent one."""
    return _page("questionnaires/answer.html", questionnaire, 400 if problems else 200, form=form,
                 answers=answers or {}, problems=problems or {}, max_text=services.MAX_TEXT_ANSWER)


def _already_answered(questionnaire: Questionnaire):
    return _page("questionnaires/already_answered.html", questionnaire, 409 if request.method == "POST" else 200)


def _unavailable(questionnaire: Questionnaire, error: RuleBroken):
    return _page("questionnaires/unavailable.html", questionnaire, error.status, message=error.message,
                 can_manage=can(current_user, "process.manage", questionnaire.process))


@bp.route("/questionnaire", methods=["GET", "POST"])
@login_required
def answer():
    """Answer, check your answers, send: each step posts every answer again, nothing is kept in between."""
    questionnaire = _questionnaire_or_404()
    if services.has_answered(current_user, questionnaire):
        return _already_answered(questionnaire)
    try:
        authorize(current_user, "questionnaire.answer", questionnaire.process)
    except Forbidden as error:
        return _unavailable(questionnaire, error)
    form = ButtonForm()  # the token only: the answers are named after their questions, see `_answers_from`
    if request.method == "GET":
        return _answer_form(questionnaire, form)
    if not form.validate_on_submit():
        abort(400)
    answers = _answers_from(request.form, questionnaire)
    if request.form.get("change"):  # "Change my answers" on the check page: back to the form, filled in
        return _answer_form(questionnaire, form, answers)
    if request.form.get("step") == "confirm":
        try:
            services.submit_response(current_user, questionnaire, answers)
        except services.AnswersRefused as error:
            return _answer_form(questionnaire, form, answers, error.problems)
        except RuleBroken as error:
            return _already_answered(questionnaire) if error.status == 409 else _unavailable(questionnaire, error)
        return redirect(url_for(".thanks"))
    problems = services.answer_problems(questionnaire, answers)
    if problems:
        return _answer_form(questionnaire, form, answers, problems)
    return _page("questionnaires/check.html", questionnaire, form=form, answers=answers)


@bp.route("/questionnaire/thanks")
@login_required
def thanks():
    questionnaire = _questionnaire_or_404()
    if not services.has_answered(current_user, questionnaire):
        return redirect(url_for(".answer"))
    return _page("questionnaires/thanks.html", questionnaire)


@bp.route("/questionnaire/new", methods=["GET", "POST"])
@allowed("process.manage")
def create():
    process = current_process()
    if services.for_process(process) is not None:
        flash(_("This consultation already has a questionnaire."), "error")
        return redirect(url_for(".manage"))
    form = QuestionnaireForm()

    def save():
        services.create_questionnaire(current_user, process, form.title.data, form.intro.data, form.plans)
        flash(_("The questionnaire is ready."), "success")
        return redirect(url_for(".manage"))

    return form_page("questionnaires/create.html", form, save, process=process)


@bp.route("/questionnaire/manage")
@allowed("process.manage")
def manage():
    process = current_process()
    questionnaire = services.for_process(process)
    if questionnaire is None:  # nothing to manage yet: offer to create it
        return redirect(url_for(".create"))
    return _page("questionnaires/manage.html", questionnaire,
                 responses=services.response_count(questionnaire),
                 can_export=can(current_user, "questionnaire.export", process),
                 open_now=can(current_user, "questionnaire.answer", process))


@bp.route("/questionnaire/answers.csv")
@allowed("questionnaire.export")
def export():
    questionnaire = _questionnaire_or_404()
    filename = re.sub(r"[^A-Za-z0-9-]", "", questionnaire.process.slug) or "consultation"
    return attachment(services.export_answers(current_user, questionnaire), "text/csv; charset=utf-8",
                      f"questionnaire-{filename}-answers.csv")


def process_panel(process, _user) -> dict | None:
    """The process page offers the questionnaire while the active phase enables it."""
    phase = process.active_phase()
    return {} if phase is not None and Component.QUESTIONNAIRE in phase.components else None
