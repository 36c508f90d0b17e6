"""Consultation and proposal pages: axe-core checks and a resident's journey without JavaScript."""

import pytest
import sqlalchemy as sa

from plaza import demo
from plaza.extensions import db
from plaza.proposals.models import Proposal, Support
from tests.browser.test_accessibility import violations
from tests.conftest import PASSWORD, count, make_user

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["en", "ar"])
def test_consultation_and_proposal_pages_have_no_wcag_violations(app, live_server, axe_page, language):
    demo.seed()
    proposal = db.session.scalar(sa.select(Proposal).order_by(Proposal.id))
    resident = make_user(email="reader@example.org")
    axe_page.goto(f"{live_server}/language/{language}")
    axe_page.goto(f"{live_server}/account/login")
    axe_page.locator("#login").fill(resident.email)
    axe_page.locator("#password").fill(PASSWORD)
    axe_page.locator("main form button[type=submit]").click()
    axe_page.wait_for_url(f"{live_server}/")
    found = {}
    for path in ["/processes/safer-streets-2027", "/processes/safer-streets-2027?q=school&sort=supported",
                 f"/processes/safer-streets-2027/proposals/{proposal.id}",
                 "/processes/safer-streets-2027/proposals/new", "/tags/", "/tags/udhr/25",
                 f"/processes/safer-streets-2027/proposals/{proposal.id}/amend"]:
        axe_page.goto(live_server + path)
        problems = violations(axe_page)
        if problems:
            found[path] = problems
    assert found == {}


def test_resident_proposes_and_supports_without_javascript(app, live_server, page):
    demo.seed()
    resident = make_user(email="newcomer@example.org")
    page.goto(f"{live_server}/account/login")
    page.get_by_label("E-mail address or username").fill(resident.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/processes/safer-streets-2027")
    now_panel = page.locator("section.now-panel")  # the "Now" panel at the top leads to the form
    now_panel.get_by_role("link", name="Make a proposal").click()
    page.get_by_label("Title").fill("Lights on the footbridge")
    page.get_by_label("Your proposal").fill("The footbridge is dark at night. Lights would make it safe to cross.")
    page.get_by_role("button", name="Publish my proposal").click()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "Lights on the footbridge", page.locator("main").inner_text()
    other = db.session.scalar(sa.select(Proposal).where(Proposal.title == demo.PROPOSALS[1][1]))
    page.goto(f"{live_server}/processes/safer-streets-2027/proposals/{other.id}")
    page.get_by_role("button", name="Support this proposal").click()
    assert "You support this proposal." in page.get_by_role("status").inner_text()
    assert count(Support, Support.user_id == resident.id) == 1


def test_organiser_and_deliberation_pages_have_no_wcag_violations(app, live_server, axe_page):
    from datetime import timedelta

    from plaza.accounts.models import Role
    from plaza.clock import utcnow
    from plaza.meetings.models import Meeting
    from plaza.phases import PhaseKind
    from plaza.processes.services import PhasePlan, create_process
    from plaza.questionnaires.services import create_questionnaire, parse_questions

    demo.seed()
    organiser = make_user(Role.ORGANISER, email="organiser@example.org")
    now = utcnow()
    talk = create_process(organiser, "Talk it through", "A consultation in its deliberation phase.", "",
                          [PhasePlan(PhaseKind.DELIBERATION, "Talk", now - timedelta(days=1), now + timedelta(days=9))])
    create_questionnaire(organiser, talk, "What matters to you", "Three short questions.",
                         parse_questions("? Which street feels least safe?\n- River Street\n- Market Street\n"
                                         "? What would help? [multiple]\n- Light\n- Crossing\n- Benches\n"
                                         "? Anything else? [text] [optional]"))
    meeting = db.session.scalar(sa.select(Meeting))
    axe_page.goto(f"{live_server}/account/login")
    axe_page.locator("#login").fill(organiser.email)
    axe_page.locator("#password").fill(PASSWORD)
    axe_page.locator("main form button[type=submit]").click()
    axe_page.wait_for_url(f"{live_server}/")
    found = {}
    for path in ["/processes/", "/processes/new", "/processes/safer-streets-2027/manage",
                 "/processes/safer-streets-2027/edit", "/processes/safer-streets-2027/meetings",
                 f"/processes/safer-streets-2027/meetings/{meeting.id}", "/processes/safer-streets-2027/meetings/new",
                 f"/processes/{talk.slug}/questionnaire", "/processes/moderation",
                 "/tags/process/safer-streets-2027"]:
        axe_page.goto(live_server + path)
        assert axe_page.title(), path
        problems = violations(axe_page)
        if problems:
            found[path] = problems
    assert found == {}
