"""Text as people type it survives to the page: brackets that are not markup stay text, escaped on output.

Rich-text fields (proposal and amendment bodies, comments, official answers, meeting descriptions) still lose
`<script>`; plain-text fields are stored as typed and never meet an HTML cleaner.
"""

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from plaza.accounts.models import Role
from plaza.clock import utcnow
from plaza.comments import moderation
from plaza.comments import services as comments
from plaza.comments.models import Comment, ReportReason, Stance
from plaza.extensions import db
from plaza.meetings import services as meetings
from plaza.meetings.models import Meeting, MeetingKind
from plaza.phases import PhaseKind
from plaza.processes.services import PhasePlan, create_process
from plaza.proposals import services as proposals
from plaza.proposals.models import Proposal
from plaza.proposals.services import ProposalDraft
from plaza.questionnaires import services as questionnaires
from plaza.questionnaires.models import Answer
from plaza.text import clean_html, editable_source, plain_text
from plaza.voting import services as voting
from plaza.voting.models import BallotKind
from tests.conftest import login, make_process, make_user, submit

pytestmark = pytest.mark.usefixtures("app")

TYPED = "If x<y and y>z, keep <neighbours> informed"
SHOWN = "If x&lt;y and y&gt;z, keep &lt;neighbours&gt; informed"
HOSTILE = "Plant trees <script>alert('boom')</script>along the river, all of them"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def proposal_url(proposal: Proposal) -> str:
    return f"/processes/{proposal.process.slug}/proposals/{proposal.id}"


def publish(author=None, process=None, title="Zebra crossing at the school", body=TYPED) -> Proposal:
    author = author or make_user()
    return proposals.create_proposal(author, process or make_process(), ProposalDraft(title, body),
                                     f"k-{title}-{author.id}")


# --- rich text: stored sanitised, shown as markup ------------------------------------------------------------


@pytest.mark.parametrize("typed", [TYPED, f"{TYPED}\n\nSecond paragraph, x>3."])
def test_clean_html_keeps_brackets_that_are_no_markup_and_round_trips_for_editing(typed):
    cleaned = clean_html(typed)
    assert SHOWN in cleaned
    assert plain_text(cleaned).startswith(TYPED)
    assert editable_source(cleaned) == typed
    assert clean_html(editable_source(cleaned)) == cleaned


@pytest.mark.parametrize("hostile", [HOSTILE, "Plant trees <img src=x onerror=alert(1)> along the river",
                                     'Plant <a href="javascript:alert(1)">trees</a> <svg onload=alert(1)> there',
                                     "Plant trees <SCRIPT>alert(1)</SCRIPT><style>*{}</style> along the river"])
def test_clean_html_still_removes_scripts_and_dangerous_markup(hostile):
    cleaned = clean_html(hostile)
    for bad in ("<script", "<SCRIPT", "alert", "onerror", "onload", "javascript:", "<img", "<svg", "<style"):
        assert bad not in cleaned
    assert "Plant" in cleaned


def test_allowed_markup_is_kept_in_rich_text():
    assert clean_html("A <strong>safe</strong> <a href='https://example.org'>link</a>") == (
        '<p>A <strong>safe</strong> <a href="https://example.org" rel="noopener noreferrer nofollow">link</a></p>')


def test_proposal_body_typed_in_the_form_survives_to_the_page_search_and_edit_form(client):
    process = make_process()
    author = make_user()
    login(client, author)
    response = submit(client, f"/processes/{process.slug}/proposals/new",
                      {"title": "Tell the neighbours <first>", "body": TYPED, "address": "Corner <A> & <B>",
                       "submission_key": "typed-proposal"})
    assert response.status_code == 302
    proposal = db.session.scalar(sa.select(Proposal))
    shown = page(client, response.headers["Location"])
    assert SHOWN in shown
    assert "Tell the neighbours &lt;first&gt;" in shown and "Corner &lt;A&gt; &amp; &lt;B&gt;" in shown
    edit = page(client, f"{proposal_url(proposal)}/edit")
    assert f"\n{SHOWN}</textarea>" in edit
    listing = page(client, f"/processes/{process.slug}?q=neighbours")
    assert "Tell the neighbours &lt;first&gt;" in listing


def test_proposal_edit_keeps_the_text_and_history_shows_the_earlier_one(client):
    author = make_user()
    proposal = publish(author, make_process(edit_window_minutes=30))
    login(client, author)
    url = proposal_url(proposal)
    response = submit(client, f"{url}/edit", {"title": "Zebra crossing at the school",
                                              "body": TYPED + " Also y<z."}, form_url=f"{url}/edit")
    assert response.status_code == 302
    assert f"{SHOWN} Also y&lt;z." in page(client, url)
    assert SHOWN in page(client, f"{url}/history")


@pytest.mark.parametrize("body", [HOSTILE])
def test_proposal_body_loses_its_script(client, body):
    proposal = publish(body=body)
    shown = page(client, proposal_url(proposal))
    assert "<script>alert" not in shown and "boom" not in shown
    assert "along the river" in shown


def test_amendment_title_and_body_survive_and_lose_scripts(client):
    proposal = publish(body="Paint a zebra crossing in front of the school.")
    login(client, make_user())
    url = proposal_url(proposal)
    response = submit(client, f"{url}/amend", {"title": "Crossing <and> lights", "body": f"{TYPED} {HOSTILE}",
                                               "submission_key": "typed-amendment"})
    assert response.status_code == 302
    shown = page(client, url)
    assert "Crossing &lt;and&gt; lights" in shown and SHOWN in shown
    assert "boom" not in shown and "<script>alert" not in shown


def test_official_answer_survives_and_loses_scripts(client):
    proposal = publish(body="Paint a zebra crossing in front of the school.")
    officer = make_user(Role.COUNCIL_OFFICER)
    login(client, officer)
    url = proposal_url(proposal)
    response = submit(client, f"{url}/answer", {"state": "accepted", "text": f"{TYPED} {HOSTILE}"})
    assert response.status_code == 302
    shown = page(client, url)
    assert SHOWN in shown and "boom" not in shown


def test_comment_reply_and_edit_survive_and_lose_scripts(client):
    proposal = publish(body="Paint a zebra crossing in front of the school.")
    alice = make_user(name="Alice")
    login(client, alice)
    url = proposal_url(proposal)
    response = submit(client, f"{url}/comments", {"body": TYPED, "stance": "for", "submission_key": "typed-c1"},
                      form_url=url)
    assert response.status_code == 302
    comment = db.session.scalar(sa.select(Comment))
    assert SHOWN in page(client, url)
    edit_url = f"{url}/comments/{comment.id}/edit"
    assert f"\n{SHOWN}</textarea>" in page(client, edit_url)
    response = submit(client, edit_url, {"body": f"{TYPED}, and y<z {HOSTILE}"})
    assert response.status_code == 302
    shown = page(client, url)
    assert f"{SHOWN}, and y&lt;z" in shown and "boom" not in shown
    assert SHOWN in page(client, edit_url)  # the earlier text, in the edit history
    reply_url = f"{url}/comments/{comment.id}/reply"
    response = submit(client, reply_url, {"body": "Agreed: a<b.", "stance": "for", "submission_key": "typed-r1"})
    assert response.status_code == 302
    assert "Agreed: a&lt;b." in page(client, url)


def test_hidden_comment_reason_and_report_details_are_plain_text(client):
    proposal = publish(body="Paint a zebra crossing in front of the school.")
    comment = comments.add_comment(make_user(), proposal, "Buy cheap watches!", Stance.FOR)
    comments.report(make_user(), comment, ReportReason.OTHER, TYPED)
    moderator = make_user(Role.MODERATOR)
    login(client, moderator)
    assert SHOWN in page(client, "/processes/moderation")
    moderation.hide(moderator, comment, TYPED)
    assert SHOWN in page(client, proposal_url(proposal))


# --- plain text: stored as typed, escaped on output -----------------------------------------------------------


def test_questionnaire_texts_and_answers_are_kept_as_typed(client):
    process = make_process(PhaseKind.DELIBERATION)
    organiser = make_user(Role.ORGANISER)
    plans = questionnaires.parse_questions("? Is a<b for you? [text]\n\n? Pick <one>\n- x<y\n- y>z")
    questionnaire = questionnaires.create_questionnaire(organiser, process, "Views <2030>", TYPED, plans)
    resident = make_user()
    written, chosen = questionnaire.questions
    questionnaires.submit_response(resident, questionnaire, {written.id: TYPED, chosen.id: [chosen.options[0].id]})
    assert db.session.scalar(sa.select(Answer.text).where(Answer.text.is_not(None))) == TYPED
    login(client, organiser)
    shown = page(client, f"/processes/{process.slug}/questionnaire/manage")
    assert "Views &lt;2030&gt;" in shown and "Is a&lt;b for you?" in shown and "x&lt;y" in shown
    export = client.get(f"/processes/{process.slug}/questionnaire/answers.csv").get_data(as_text=True)
    [header, row] = list(csv.reader(io.StringIO(export.lstrip("\ufeff"))))
    assert row[1:] == [TYPED, "x<y"]


def test_questionnaire_answer_shows_escaped_on_the_check_page(client):
    process = make_process(PhaseKind.DELIBERATION)
    organiser = make_user(Role.ORGANISER)
    questionnaire = questionnaires.create_questionnaire(
        organiser, process, "Views", "", questionnaires.parse_questions("? Anything else? [text]"))
    login(client, make_user())
    url = f"/processes/{process.slug}/questionnaire"
    check = submit(client, url, {f"q-{questionnaire.questions[0].id}": TYPED, "step": "check"})
    assert SHOWN in check.get_data(as_text=True)
    sent = submit(client, url, {f"q-{questionnaire.questions[0].id}": TYPED, "step": "confirm"})
    assert sent.status_code == 302
    assert db.session.scalar(sa.select(Answer.text)) == TYPED


def test_meeting_texts_survive_and_the_description_loses_scripts(client):
    process = create_process(None, "Riverside <park>", TYPED, TYPED,
                             [PhasePlan(PhaseKind.INFORMATION, "First", utcnow() - timedelta(days=1),
                                        utcnow() + timedelta(days=60))], slug="riverside")
    organiser = make_user(Role.ORGANISER)
    starts = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    meeting = meetings.create_meeting(organiser, process, title="Town hall <east>",
                                      description=f"{TYPED} {HOSTILE}", kind=MeetingKind.IN_PERSON,
                                      address="Library <room 2>", starts_at=starts,
                                      ends_at=starts + timedelta(hours=2), capacity=None,
                                      accessibility_notes=TYPED)
    shown = page(client, f"/processes/riverside/meetings/{meeting.id}")
    assert "Town hall &lt;east&gt;" in shown and "Library &lt;room 2&gt;" in shown
    assert shown.count(SHOWN) >= 2 and "boom" not in shown and "<script>alert" not in shown
    login(client, organiser)
    edit = page(client, f"/processes/riverside/meetings/{meeting.id}/edit")
    assert f"\n{SHOWN} Plant trees along the river, all of them</textarea>" in edit
    before = db.session.get(Meeting, meeting.id).description
    meetings.update_meeting(organiser, db.session.get(Meeting, meeting.id),
                            description=editable_source(before))
    assert db.session.get(Meeting, meeting.id).description == before


def test_process_and_ballot_texts_survive_to_their_pages(client):
    process = create_process(None, "River <park>", TYPED, TYPED,
                             [PhasePlan(PhaseKind.VOTING, "Vote", utcnow() - timedelta(days=1),
                                        utcnow() + timedelta(days=5))], slug="river-vote")
    assert "River &lt;park&gt;" in page(client, "/processes/")
    shown = page(client, "/processes/river-vote")
    assert "River &lt;park&gt;" in shown and shown.count(SHOWN) >= 2
    organiser = make_user(Role.ORGANISER)
    ballot = voting.create_ballot(organiser, process, title="Which <first>?", kind=BallotKind.SINGLE,
                                  description=TYPED, options=[{"label": "Park <north>", "description": TYPED},
                                                              {"label": "Pool", "description": "x<y"}])
    voting.open_ballot(organiser, ballot)
    login(client, make_user())
    shown = page(client, f"/processes/river-vote/ballots/{ballot.id}")
    assert "Which &lt;first&gt;?" in shown and SHOWN in shown and "Park &lt;north&gt;" in shown
