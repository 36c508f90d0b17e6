"""Rules for questionnaires: creating one, answering it once, exporting the answers without names."""

import hashlib
import hmac
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from plaza import spreadsheets
from plaza.audit import services as audit
from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.permissions import authorize
from plaza.processes.models import Process
from plaza.questionnaires.models import Answer, Question, QuestionKind, Questionnaire, QuestionOption, Response

MAX_TEXT_ANSWER = 5000  # characters a resident may write in a free-text answer
MAX_QUESTIONS = 100
MAX_OPTIONS = 50
MAX_QUESTION_TEXT = 500
MAX_OPTION_TEXT = 300
MAX_TITLE = 200
MAX_INTRO = 5000

AnswerValue = Sequence[int] | str


@dataclass
class QuestionPlan:
    """A question as an organiser describes it, before it is saved."""

    text: str
    kind: QuestionKind = QuestionKind.SINGLE_CHOICE
    options: list[str] = field(default_factory=list)
    required: bool = True
    max_choices: int | None = None  # multiple choice only


class AnswersRefused(RuleBroken):
    """Some answers break the questionnaire's rules. `problems` maps question ids (None: the whole form) to
    messages, so a page can show each one next to its question."""

    def __init__(self, problems: dict[int | None, str]):
        super().__init__(next(iter(problems.values())))
        self.problems = problems


# ---------------------------------------------------------------------------------------------------------
# Creating a questionnaire


def _plan_problem(plan: QuestionPlan) -> str | None:
    if not plan.text.strip():
        return _("Write the text of the question.")
    if len(plan.text.strip()) > MAX_QUESTION_TEXT:
        return _("Use at most %(max)d characters for a question.", max=MAX_QUESTION_TEXT)
    if plan.kind is QuestionKind.FREE_TEXT:
        if plan.options:
            return _("A [text] question takes no answers to choose from.")
        if plan.max_choices is not None:
            return _("Only a [multiple] question can limit the number of choices.")
        return None
    options = [option.strip() for option in plan.options]
    if len(options) < 2:
        return _("Give a choice question at least two answers, each on a line that starts with “-”.")
    if len(options) > MAX_OPTIONS:
        return _("Give a question at most %(max)d answers.", max=MAX_OPTIONS)
    if not all(options):
        return _("Write the text of each answer after the “-”.")
    if any(len(option) > MAX_OPTION_TEXT for option in options):
        return _("Use at most %(max)d characters for an answer.", max=MAX_OPTION_TEXT)
    if len({option.casefold() for option in options}) != len(options):
        return _("The same answer appears twice in one question.")
    if plan.max_choices is not None:
        if plan.kind is not QuestionKind.MULTIPLE_CHOICE:
            return _("Only a [multiple] question can limit the number of choices.")
        if not 1 <= plan.max_choices <= len(options):
            return _("The number of choices allowed must be from 1 to the number of answers (%(count)d).",
                     count=len(options))
    return None


MARKER = re.compile(r"\s*\[\s*([^\[\]]*?)\s*\]\s*$")
MARKER_WORDS = re.compile(r"^(multiple|text|optional)(?:\s+([0-9]{1,9}))?$", re.IGNORECASE)


def parse_questions(source: str) -> list[QuestionPlan]:
    """Read questions written in the organisers' text format (see the help on the creation form):

        ? How often do you visit the park?
        - Every day
        - Every week
        - Rarely

        ? Which improvements matter most to you? [multiple 2]
        - Benches
        - Lighting
        - Toilets

        ? Anything else you want to tell us? [text] [optional]

    A line starting with "?" opens a question, single choice unless marked; "-" lines are its answers. Markers
    at the end of the question line: [multiple] (choose several), [multiple N] (at most N), [text] (free text),
    [optional]. Blank lines are ignored. Raises RuleBroken(field="questions") naming the line at fault.
    """
    plans: list[tuple[int, QuestionPlan]] = []

    def refuse(line: int, problem: str):
        raise RuleBroken(_("Line %(line)d: %(problem)s", line=line, problem=problem), field="questions")

    for number, raw in enumerate((source or "").replace("\r\n", "\n").split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("?"):
            text, plan = line[1:].strip(), QuestionPlan(text="")
            kinds = set()
            while found := MARKER.search(text):
                words = MARKER_WORDS.match(found.group(1))
                if not words:
                    refuse(number, _("we do not know the marker [%(marker)s]. Use [multiple], [multiple 3], [text] "
                                     "or [optional].", marker=found.group(1)))
                word = words.group(1).lower()
                if word == "optional":
                    plan.required = False
                else:
                    kinds.add(word)
                    if word == "multiple" and words.group(2):
                        plan.max_choices = int(words.group(2))
                    elif words.group(2):
                        refuse(number, _("only [multiple] takes a number."))
                text = text[:found.start()]
            if len(kinds) > 1:
                refuse(number, _("a question is either [multiple] or [text], not both."))
            if "multiple" in kinds:
                plan.kind = QuestionKind.MULTIPLE_CHOICE
            elif "text" in kinds:
                plan.kind = QuestionKind.FREE_TEXT
            plan.text = text.strip()
            if not plan.text:
                refuse(number, _("write the question after the “?”."))
            plans.append((number, plan))
        elif line.startswith("-"):
            if not plans:
                refuse(number, _("an answer (“-”) must come after its question (“?”)."))
            option = line[1:].strip()
            if not option:
                refuse(number, _("write the answer after the “-”."))
            plans[-1][1].options.append(option)
        else:
            refuse(number, _("start a question with “?” and each answer with “-”."))
    if not plans:
        raise RuleBroken(_("Write at least one question: a line that starts with “?”."), field="questions")
    if len(plans) > MAX_QUESTIONS:
        raise RuleBroken(_("A questionnaire can have at most %(max)d questions.", max=MAX_QUESTIONS),
                         field="questions")
    for number, plan in plans:
        problem = _plan_problem(plan)
        if problem:
            refuse(number, problem)
    return [plan for _number, plan in plans]


def create_questionnaire(organiser, process: Process, title: str, intro: str,
                         questions: Sequence[QuestionPlan]) -> Questionnaire:
    authorize(organiser, "process.manage", process)
    title, intro = (title or "").strip(), (intro or "").strip()
    if not title:
        raise RuleBroken(_("Enter a title."), field="title")
    if len(title) > MAX_TITLE:
        raise RuleBroken(_("Use at most %(max)d characters.", max=MAX_TITLE), field="title")
    if len(intro) > MAX_INTRO:
        raise RuleBroken(_("Use at most %(max)d characters.", max=MAX_INTRO), field="intro")
    if not questions:
        raise RuleBroken(_("Write at least one question: a line that starts with “?”."), field="questions")
    if len(questions) > MAX_QUESTIONS:
        raise RuleBroken(_("A questionnaire can have at most %(max)d questions.", max=MAX_QUESTIONS),
                         field="questions")
    for number, plan in enumerate(questions, start=1):
        problem = _plan_problem(plan)
        if problem:
            raise RuleBroken(_("Question %(number)d: %(problem)s", number=number, problem=problem),
                             field="questions")
    questionnaire = Questionnaire(
        process_id=process.id, title=title, intro=intro, created_by_id=organiser.id,
        questions=[
            Question(position=position, kind=plan.kind, text=plan.text.strip(), required=plan.required,
                     max_choices=plan.max_choices,
                     options=[QuestionOption(position=index, text=text.strip())
                              for index, text in enumerate(plan.options, start=1)])
            for position, plan in enumerate(questions, start=1)
        ],
    )
    db.session.add(questionnaire)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise RuleBroken(_("This consultation already has a questionnaire.")) from None
    audit.record("questionnaire.created", organiser, process_id=process.id, questionnaire_id=questionnaire.id,
                 questions=len(questions))
    db.session.commit()
    return questionnaire


def for_process(process: Process) -> Questionnaire | None:
    """The questionnaire of a consultation with its questions and options, in two or three queries."""
    return db.session.scalar(
        sa.select(Questionnaire).where(Questionnaire.process_id == process.id)
        .options(selectinload(Questionnaire.questions).selectinload(Question.options))
    )


# ---------------------------------------------------------------------------------------------------------
# Answering


def respondent_key(user, questionnaire: Questionnaire) -> str:
    """A stand-in for the person, stable for one questionnaire: HMAC-SHA256 of the user id, keyed with the
    app's SECRET_KEY. It differs between questionnaires, so responses cannot be linked across them either."""
    secret = current_app.config["SECRET_KEY"]
    message = f"questionnaire:{questionnaire.id}:user:{user.id}".encode()
    return hmac.new(secret.encode() if isinstance(secret, str) else secret, message, hashlib.sha256).hexdigest()


def has_answered(user, questionnaire: Questionnaire) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return db.session.scalar(sa.select(sa.exists().where(
        Response.questionnaire_id == questionnaire.id,
        Response.respondent_key == respondent_key(user, questionnaire),
    )))


def _checked(questionnaire: Questionnaire, answers: Mapping[int, AnswerValue]) -> tuple[list[Answer], dict]:
    """The Answer rows `answers` make, and the problems found, by question id (None: not about one question)."""
    rows: list[Answer] = []
    problems: dict[int | None, str] = {}
    questions = {question.id: question for question in questionnaire.questions}
    if set(answers) - set(questions):
        problems[None] = _("Some answers are for questions this questionnaire does not have.")
    for question in questionnaire.questions:
        value = answers.get(question.id)
        if question.kind is QuestionKind.FREE_TEXT:
            if value is not None and not isinstance(value, str):
                problems[question.id] = _("Write your answer as text.")
                continue
            typed = (value or "").replace("\r\n", "\n").strip()
            if len(typed) > MAX_TEXT_ANSWER:
                problems[question.id] = _("Write at most %(max)d characters. You wrote %(count)d.",
                                          max=MAX_TEXT_ANSWER, count=len(typed))
                continue
            if not typed:
                if question.required:
                    problems[question.id] = _("Write an answer to this question.")
                continue
            rows.append(Answer(question_id=question.id, text=typed))
            continue
        if isinstance(value, int):
            value = [value]
        if value is not None and (isinstance(value, str) or not all(isinstance(item, int) for item in value)):
            problems[question.id] = _("Choose from the answers offered.")
            continue
        chosen = list(dict.fromkeys(value or []))  # without repeats, in the order given
        offered = {option.id for option in question.options}
        if not set(chosen) <= offered:
            problems[question.id] = _("Choose from the answers offered.")
            continue
        if not chosen:
            if question.required:
                problems[question.id] = (_("Choose an answer to this question.")
                                         if question.kind is QuestionKind.SINGLE_CHOICE
                                         else _("Choose at least one answer to this question."))
            continue
        if question.kind is QuestionKind.SINGLE_CHOICE and len(chosen) > 1:
            problems[question.id] = _("Choose only one answer.")
            continue
        limit = question.max_choices or len(question.options)
        if len(chosen) > limit:
            problems[question.id] = ngettext("Choose at most %(num)d answer.", "Choose at most %(num)d answers.",
                                             limit)
            continue
        rows.extend(Answer(question_id=question.id, option_id=option_id) for option_id in chosen)
    return rows, problems


def answer_problems(questionnaire: Questionnaire, answers: Mapping[int, AnswerValue]) -> dict[int | None, str]:
    """Check answers without saving them (the "check your answers" step). Empty when all is well."""
    return _checked(questionnaire, answers)[1]


def submit_response(user, questionnaire: Questionnaire, answers: Mapping[int, AnswerValue]) -> Response:
    """Save a resident's answers, all or nothing. `answers` maps question ids to a list of option ids
    (choice questions) or the text written (free-text questions). Each person answers once."""
    authorize(user, "questionnaire.answer", questionnaire.process)
    rows, problems = _checked(questionnaire, answers)
    if problems:
        raise AnswersRefused(problems)
    response = Response(questionnaire_id=questionnaire.id, respondent_key=respondent_key(user, questionnaire),
                        answers=rows)
    db.session.add(response)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if has_answered(user, questionnaire):
            raise RuleBroken(_("You have already answered this questionnaire. Each person answers once."),
                             status=409) from None
        raise
    return response


def response_count(questionnaire: Questionnaire) -> int:
    return db.session.scalar(sa.select(sa.func.count(Response.id))
                             .where(Response.questionnaire_id == questionnaire.id))


# ---------------------------------------------------------------------------------------------------------
# Export

def export_answers(user, questionnaire: Questionnaire) -> str:
    """The answers as CSV text (with a byte-order mark so spreadsheets read it as UTF-8): one row per response,
    one column per question. No names, ids or respondent keys; rows sorted by the respondent key, which
    shuffles them in a stable order unrelated to when people answered; only the date is kept."""
    authorize(user, "questionnaire.export", questionnaire.process)
    questions = list(questionnaire.questions)
    responses = db.session.execute(
        sa.select(Response.id, Response.created_at).where(Response.questionnaire_id == questionnaire.id)
        .order_by(Response.respondent_key)
    ).all()
    cells: dict[tuple[int, int], list[str]] = defaultdict(list)
    answer_rows = db.session.execute(
        sa.select(Answer.response_id, Answer.question_id, Answer.text, QuestionOption.text)
        .join(Response, Response.id == Answer.response_id)
        .outerjoin(QuestionOption, QuestionOption.id == Answer.option_id)
        .where(Response.questionnaire_id == questionnaire.id)
        .order_by(Answer.response_id, Answer.question_id, QuestionOption.position)
    ).all()
    for response_id, question_id, text, option_text in answer_rows:
        cells[response_id, question_id].append(option_text if option_text is not None else text or "")

    header = [_("Date")] + [_("%(number)d. %(question)s", number=number, question=question.text)
              for number, question in enumerate(questions, start=1)]
    rows = ([created_at.date().isoformat()] + ["; ".join(cells.get((response_id, question.id), []))
                                               for question in questions]
            for response_id, created_at in responses)
    return spreadsheets.csv_document(header, rows)
