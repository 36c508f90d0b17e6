"""What a resident can do in a consultation now: each component's actions for the current phase, for
signed-in residents and signed-out visitors, and nothing outside a phase."""

import re
from datetime import timedelta

import pytest

from plaza.accounts.models import Role
from plaza.clock import utcnow
from plaza.components import actions_now
from plaza.meetings import services as meetings
from plaza.meetings.models import MeetingKind
from plaza.phases import PhaseKind
from plaza.proposals import services as proposals
from plaza.proposals.services import ProposalDraft
from plaza.questionnaires import services as questionnaires
from plaza.questionnaires.models import QuestionKind
from plaza.voting import casting
from plaza.voting import services as voting
from plaza.voting.models import BallotKind
from tests.conftest import login, make_process, make_user

pytestmark = pytest.mark.usefixtures("app")


def actions(app, process, user=None):
    with app.test_request_context():
        return actions_now(process, user)


def labels(app, process, user=None) -> list[str]:
    return [str(action.label) for action in actions(app, process, user)]


def open_ballot(process, title="Which park first?"):
    organiser = make_user(Role.ORGANISER)
    ballot = voting.create_ballot(organiser, process, title=title, kind=BallotKind.SINGLE,
                                  options=[{"label": "North"}, {"label": "South"}])
    voting.open_ballot(organiser, ballot)
    return ballot


def publish(process, author=None):
    draft = ProposalDraft("Zebra crossing", "Paint a zebra crossing at the school.")
    return proposals.create_proposal(author or make_user(), process, draft, f"key-{process.id}")


def test_a_proposals_phase_offers_to_make_a_proposal_until_the_phase_ends(app):
    process = make_process(PhaseKind.PROPOSALS)
    [action] = actions(app, process, make_user())
    assert str(action.label) == "Make a proposal"
    assert action.url == f"/processes/{process.slug}/proposals/new"
    assert action.deadline == process.phases[0].ends_at
    assert action.primary and not action.needs_sign_in


def test_signed_out_visitors_are_offered_to_sign_in_to_propose(app):
    process = make_process(PhaseKind.PROPOSALS)
    [action] = actions(app, process)
    assert str(action.button_text) == "Sign in to propose"
    assert action.needs_sign_in
    assert action.url == f"/account/login?next=/processes/{process.slug}/proposals/new"


def test_supports_and_comments_are_offered_only_when_there_are_proposals(app):
    process = make_process(PhaseKind.PROPOSALS)
    resident = make_user()
    assert labels(app, process, resident) == ["Make a proposal"]
    publish(process)
    assert labels(app, process, resident) == ["Make a proposal", "Support proposals", "Comment on proposals"]


def test_nothing_is_offered_before_or_after_the_phase(app):
    future = make_process(PhaseKind.PROPOSALS, title="Later", starts_in=timedelta(days=3))
    past = make_process(PhaseKind.VOTING, title="Earlier", starts_in=timedelta(days=-10))
    open_ballot(past)
    assert actions(app, future, make_user()) == [] and actions(app, future) == []
    assert actions(app, past, make_user()) == [] and actions(app, past) == []


def test_a_voting_phase_offers_each_open_ballot_until_it_closes(app):
    process = make_process(PhaseKind.VOTING, lasts=timedelta(days=20))
    ballot = open_ballot(process)
    [action] = actions(app, process, make_user())
    assert (str(action.label), str(action.button_text)) == ("Vote", "Vote now")
    assert action.url == f"/processes/{process.slug}/ballots/{ballot.id}"
    assert action.deadline == process.phases[0].ends_at
    second = open_ballot(process, "Which library first?")
    assert [str(a.label) for a in actions(app, process, make_user())] == [
        "Vote: Which park first?", "Vote: Which library first?"]
    assert second.id != ballot.id


def test_signed_out_visitors_are_led_to_the_ballot_itself(app):
    process = make_process(PhaseKind.VOTING)
    ballot = open_ballot(process)
    [action] = actions(app, process)
    assert action.url == f"/processes/{process.slug}/ballots/{ballot.id}" and action.needs_sign_in


def test_a_resident_who_voted_is_not_asked_to_vote_again(app):
    process = make_process(PhaseKind.VOTING)
    ballot = open_ballot(process)
    voter = make_user()
    casting.cast(voter, ballot, ballot.options[0].id)
    assert actions(app, process, voter) == []


def test_a_voting_phase_without_an_open_ballot_offers_nothing(app):
    assert actions(app, make_process(PhaseKind.VOTING), make_user()) == []


def test_the_questionnaire_is_offered_until_answered(app):
    process = make_process(PhaseKind.DELIBERATION)
    assert labels(app, process, make_user()) == []
    questionnaire = questionnaires.create_questionnaire(make_user(Role.ORGANISER), process, "The park", "", [
        questionnaires.QuestionPlan("Anything else?", QuestionKind.FREE_TEXT)])
    resident = make_user()
    assert labels(app, process, resident) == ["Answer the questionnaire"]
    assert str(actions(app, process)[0].button_text) == "Sign in to answer the questionnaire"
    questionnaires.submit_response(resident, questionnaire, {questionnaire.questions[0].id: "Shade"})
    assert labels(app, process, resident) == []


def test_meetings_to_come_are_offered_for_registration(app):
    process = make_process(PhaseKind.INFORMATION, lasts=timedelta(days=30))
    assert labels(app, process, make_user()) == []
    starts = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    meetings.create_meeting(make_user(Role.ORGANISER), process, title="Town hall", description="Ideas.",
                            kind=MeetingKind.IN_PERSON, address="Library", starts_at=starts,
                            ends_at=starts + timedelta(hours=2), capacity=None)
    [action] = actions(app, process, make_user())
    assert str(action.label) == "Register for a meeting" and not action.primary
    assert action.url == f"/processes/{process.slug}/meetings"


def test_primary_actions_come_first(app):
    process = make_process(PhaseKind.PROPOSALS, lasts=timedelta(days=30))
    publish(process)
    starts = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    meetings.create_meeting(make_user(Role.ORGANISER), process, title="Town hall", description="Ideas.",
                            kind=MeetingKind.IN_PERSON, address="Library", starts_at=starts,
                            ends_at=starts + timedelta(hours=2), capacity=None)
    found = actions(app, process, make_user())
    assert [action.primary for action in found] == [True, True, False, False]
    assert str(found[0].label) == "Make a proposal"


# --- the home page ------------------------------------------------------------------------------------------

def test_home_lists_consultations_open_now_with_the_current_phase_deadline_and_action(client):
    voting_now = make_process(PhaseKind.VOTING, title="Park vote", lasts=timedelta(days=5))
    open_ballot(voting_now)
    make_process(PhaseKind.PROPOSALS, title="Later consultation", starts_in=timedelta(days=3))
    make_process(PhaseKind.PROPOSALS, title="Finished consultation", starts_in=timedelta(days=-30))
    page = client.get("/").get_data(as_text=True)
    assert "Park vote" in page
    assert "Later consultation" not in page and "Finished consultation" not in page
    assert "Vote — closes" in page and ">Vote now</a>" in page


def test_home_lists_the_most_urgent_deadline_first(client):
    make_process(PhaseKind.PROPOSALS, title="Closes in a month", lasts=timedelta(days=30))
    make_process(PhaseKind.PROPOSALS, title="Closes tomorrow", lasts=timedelta(days=2))
    page = client.get("/").get_data(as_text=True)
    assert page.index("Closes tomorrow") < page.index("Closes in a month")


def test_home_says_when_nothing_is_open(client):
    make_process(PhaseKind.PROPOSALS, title="Finished consultation", starts_in=timedelta(days=-30))
    page = client.get("/").get_data(as_text=True)
    assert "Nothing is open for taking part right now" in page
    assert "See all consultations" in page


def test_a_signed_out_newcomer_reaches_the_demo_ballot_from_the_home_page(client):
    from plaza import demo
    demo.seed()
    home = client.get("/").get_data(as_text=True)
    budget = home[home.index("Riverside participatory budget 2027"):]
    assert "Vote — closes" in budget.split("</li>")[0]
    ballot_url = re.search(r'<a class="button" href="([^"]+)">Vote now</a>', budget).group(1)
    ballot = client.get(ballot_url)
    assert ballot.status_code == 200
    assert "Which projects should Riverside fund in 2027?" in ballot.get_data(as_text=True)


# --- the consultation page: the Now panel and the stepper -------------------------------------------------

def now_panel(client, process) -> str:
    page = client.get(f"/processes/{process.slug}").get_data(as_text=True)
    start = page.index('<section class="now-panel"')
    return page[start:page.index("</section>", start)]


def test_the_now_panel_asks_signed_out_visitors_to_sign_in_to_propose(client):
    process = make_process(PhaseKind.PROPOSALS)
    panel = now_panel(client, process)
    assert "Open now" in panel
    assert (f'<a class="button" href="/account/login?next=/processes/{process.slug}/proposals/new">'
            "Sign in to propose</a>") in panel


def test_the_now_panel_offers_a_signed_in_resident_to_make_a_proposal(client):
    process = make_process(PhaseKind.PROPOSALS)
    login(client, make_user())
    panel = now_panel(client, process)
    assert f'<a class="button" href="/processes/{process.slug}/proposals/new">Make a proposal</a>' in panel


def test_the_now_panel_offers_the_vote_in_a_voting_phase(client):
    process = make_process(PhaseKind.VOTING)
    ballot = open_ballot(process)
    login(client, make_user())
    panel = now_panel(client, process)
    assert f'<a class="button" href="/processes/{process.slug}/ballots/{ballot.id}">Vote now</a>' in panel
    assert "proposals/new" not in panel


def test_the_now_panel_of_a_future_or_closed_consultation_has_no_button(client):
    later = make_process(PhaseKind.PROPOSALS, title="Later", starts_in=timedelta(days=3))
    finished = make_process(PhaseKind.PROPOSALS, title="Finished", starts_in=timedelta(days=-30))
    assert "Opens " in now_panel(client, later) and 'class="button"' not in now_panel(client, later)
    assert "Closed" in now_panel(client, finished) and 'class="button"' not in now_panel(client, finished)


def test_the_stepper_marks_the_current_phase_and_says_what_you_can_do_in_each(client):
    from plaza.processes.services import PhasePlan, create_process
    now = utcnow()
    day = timedelta(days=1)
    process = create_process(None, "Park", "A summary of the consultation.", "Body.", [
        PhasePlan(PhaseKind.PROPOSALS, "Ideas", now - 5 * day, now - day),
        PhasePlan(PhaseKind.VOTING, "Vote", now - day, now + day)])
    page = client.get(f"/processes/{process.slug}").get_data(as_text=True)
    assert '<li class="step done">' in page
    assert '<li class="step current" aria-current="step">' in page
    assert "You can: make proposals, support proposals, comment, and come to meetings" in page
    assert "You can: vote" in page


def test_the_card_shows_the_current_phase_deadline_not_the_end_of_the_consultation(client):
    from flask_babel import format_date

    from plaza.processes.services import PhasePlan, create_process
    day = timedelta(days=1)
    create_process(None, "Budget", "A summary of the consultation.", "Body.", [
        PhasePlan(PhaseKind.VOTING, "Vote", utcnow() - day, utcnow() + 10 * day),
        PhasePlan(PhaseKind.IMPLEMENTATION, "Building", utcnow() + 10 * day, utcnow() + 400 * day)])
    page = client.get("/processes/").get_data(as_text=True)
    with client.application.test_request_context():  # the dates as the page formats them
        phase_end = format_date(utcnow() + 10 * day, "long")
        process_end = format_date(utcnow() + 400 * day, "long")
    assert f"Vote — until {phase_end}" in page  # no ballot open yet: the phase and its end
    assert process_end not in page


# --- the proposals panel -----------------------------------------------------------------------------------

def proposals_panel(client, process) -> str:
    page = client.get(f"/processes/{process.slug}").get_data(as_text=True)
    return page[page.index('<h2 id="proposals">'):]


def test_no_filters_and_an_invitation_to_make_the_first_proposal_while_there_are_none(client):
    process = make_process(PhaseKind.PROPOSALS)
    login(client, make_user())
    panel = proposals_panel(client, process)
    assert 'class="filters"' not in panel
    assert "Make the first one" in panel and ">Make a proposal</a>" in panel


def test_no_invitation_to_make_the_first_proposal_when_proposals_are_closed(client):
    from plaza.processes.services import PhasePlan, create_process
    day = timedelta(days=1)
    process = create_process(None, "Budget", "A summary of the consultation.", "Body.", [
        PhasePlan(PhaseKind.PROPOSALS, "Ideas", utcnow() - 5 * day, utcnow() - day),
        PhasePlan(PhaseKind.VOTING, "Vote", utcnow() - day, utcnow() + day)])
    login(client, make_user())
    panel = proposals_panel(client, process)
    assert "first" not in panel and "Make a proposal" not in panel and 'class="filters"' not in panel
    assert "There are no proposals in this consultation." in panel


def test_a_consultation_without_proposals_ever_has_no_proposals_panel(client):
    process = make_process(PhaseKind.VOTING)
    assert '<h2 id="proposals">' not in client.get(f"/processes/{process.slug}").get_data(as_text=True)


def test_signed_out_visitors_see_sign_in_to_propose_in_the_proposals_panel(client):
    process = make_process(PhaseKind.PROPOSALS)
    assert ">Sign in to propose</a>" in proposals_panel(client, process)


def test_filters_appear_once_there_are_proposals_and_say_when_none_match(client):
    process = make_process(PhaseKind.PROPOSALS)
    publish(process)
    assert 'class="filters"' in proposals_panel(client, process)
    page = client.get(f"/processes/{process.slug}?q=nothingmatches").get_data(as_text=True)
    assert "No proposals match these filters." in page and "first" not in page[page.index('<h2 id="proposals">'):]


def test_support_progress_says_how_many_of_the_needed_supports_a_proposal_has(client):
    process = make_process(PhaseKind.PROPOSALS, support_threshold=3)
    proposal = publish(process)
    for _ in range(2):
        proposals.support(make_user(), proposal)
    card = proposals_panel(client, process)
    assert '<progress class="progress" max="3" value="2"' in card and "2 of the 3 supports needed" in card
    page = client.get(f"/processes/{process.slug}/proposals/{proposal.id}").get_data(as_text=True)
    assert "2 of the 3 supports needed" in page


def test_without_a_threshold_supports_are_a_plain_count(client):
    process = make_process(PhaseKind.PROPOSALS)
    proposal = publish(process)
    proposals.support(make_user(), proposal)
    page = client.get(f"/processes/{process.slug}/proposals/{proposal.id}").get_data(as_text=True)
    assert "Supports: 1" in page and "<progress" not in page


# --- the organiser's page ---------------------------------------------------------------------------------

def manage_page(client, process) -> str:
    return client.get(f"/processes/{process.slug}/manage").get_data(as_text=True)


def test_the_organiser_sees_the_ballots_with_their_state_and_closing_time(client):
    process = make_process(PhaseKind.VOTING, lasts=timedelta(days=20))
    ballot = open_ballot(process)
    login(client, make_user(Role.ORGANISER))
    page = manage_page(client, process)
    section = page[page.index('id="organiser-ballots-title"'):]
    assert f"/ballots/{ballot.id}" in section and "Open for voting" in section and "closes " in section
    assert not re.search(r"\d+:\d\d:\d\d", page)  # times to the minute


def test_the_organiser_sees_how_many_proposals_wait_for_an_answer(client):
    from plaza.proposals.models import AnswerState
    process = make_process(PhaseKind.PROPOSALS)
    first = publish(process)
    proposals.create_proposal(make_user(), process, ProposalDraft("Benches please", "Benches on Market Street."),
                              "key-benches")
    organiser = make_user(Role.ORGANISER)
    login(client, organiser)
    assert "2 proposals are waiting for an official answer" in manage_page(client, process)
    proposals.answer(organiser, first, AnswerState.ACCEPTED, "We will paint it.")
    assert "1 proposal is waiting for an official answer" in manage_page(client, process)


def test_the_organiser_sees_how_many_reported_comments_wait_for_a_moderator(client):
    from plaza.comments import services as comments
    from plaza.comments.models import ReportReason
    process = make_process(PhaseKind.PROPOSALS)
    other = make_process(PhaseKind.PROPOSALS, title="Another consultation")
    for where in (process, other):
        comment = comments.add_comment(make_user(), publish(where), "A rude remark about neighbours.",
                                       submission_key=f"c-{where.id}")
        comments.report(make_user(), comment, ReportReason.OFFENSIVE)
    login(client, make_user(Role.ORGANISER))
    assert "1 reported comment is waiting for a moderator" in manage_page(client, process)


def test_residents_do_not_see_the_organiser_panels(client):
    process = make_process(PhaseKind.PROPOSALS)
    login(client, make_user())
    assert client.get(f"/processes/{process.slug}/manage").status_code == 403
