"""Voting in a real browser: without JavaScript, with the keyboard only, and checked by axe-core."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from plaza import demo
from plaza.accounts.models import Role
from plaza.extensions import db
from plaza.phases import PhaseKind
from plaza.voting import casting, services
from plaza.voting.models import Ballot, BallotKind, Participation
from tests.browser.test_accessibility import violations
from tests.conftest import PASSWORD, make_process, make_user

pytestmark = pytest.mark.browser
BUDGET = "/processes/riverside-budget-2027"


def sign_in(page, live_server, login: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server}/account/login")
    page.locator("#login").fill(login)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server}/")


def budget_ballot() -> Ballot:
    return db.session.scalar(sa.select(Ballot).where(Ballot.kind == BallotKind.BUDGET))


def test_demo_resident_votes_and_verifies_the_receipt_without_javascript(app, live_server, page):
    demo.seed()
    sign_in(page, live_server, demo.RESIDENT_EMAIL, demo.PASSWORD)
    page.goto(f"{live_server}/language/en")  # Amina reads Arabic by default
    page.goto(live_server + BUDGET)
    page.get_by_role("link", name="Which projects should Riverside fund in 2027?").click()

    page.get_by_label(re.compile("^Ramp down to the riverside path")).check()
    page.get_by_label(re.compile("^Lit footpath through Hillside park")).check()
    page.get_by_label(re.compile("^Public toilets by the market")).check()  # 108,000: over the budget
    page.get_by_role("button", name="Continue").click()
    assert "more than the budget" in page.get_by_role("alert").inner_text()

    page.get_by_label(re.compile("^Public toilets by the market")).uncheck()
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your vote"
    page.get_by_role("button", name="Change my choices").click()
    assert page.get_by_label(re.compile("^Ramp down to the riverside path")).is_checked()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Cast my vote").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Your vote is cast"
    code = page.locator(".receipt-code").inner_text().strip()
    amina = demo._user(demo.RESIDENT_EMAIL)
    assert db.session.get(Participation, (budget_ballot().id, amina.id)) is not None

    # The receipt survives a reload and a change of language, and is gone once she leaves the page.
    page.reload()
    assert page.locator(".receipt-code").inner_text().strip() == code
    page.get_by_role("button", name="العربية").click()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator(".receipt-code").inner_text().strip() == code
    page.get_by_role("button", name="English").click()
    receipt_url = page.url

    page.get_by_role("link", name="Check your vote with your receipt").first.click()
    page.get_by_label("Receipt code").fill(code.lower())
    page.get_by_role("button", name="Check my vote").click()
    assert "not on the board yet" in page.get_by_role("status").last.inner_text()
    page.goto(receipt_url)
    assert page.locator(".receipt-code").count() == 0 and code not in page.content()
    assert "You have voted on this ballot" in page.locator("main").inner_text()

    services.close_ballot(demo._user(demo.ORGANISER_EMAIL), budget_ballot())  # the last batch joins the board
    page.goto(live_server + BUDGET)
    page.get_by_role("link", name="Which projects should Riverside fund in 2027?").click()
    page.get_by_role("link", name="Check your vote with your receipt").first.click()
    page.get_by_label("Receipt code").fill(code.lower())
    page.get_by_role("button", name="Check my vote").click()
    assert "Your vote is on the bulletin board" in page.get_by_role("status").last.inner_text()
    page.get_by_role("link", name="See it on the bulletin board").click()
    assert page.locator("table").first.is_visible()



def test_keyboard_only_ranked_vote(app, live_server, page):
    process = make_process(PhaseKind.VOTING, title="Choose a chair")
    organiser = make_user(Role.ORGANISER)
    ballot = services.create_ballot(organiser, process, title="Chair of the residents' council",
                                    kind=BallotKind.RANKED, method="irv",
                                    options=[{"label": name} for name in ("Ana", "Bilal", "Chen")])
    services.open_ballot(organiser, ballot)
    ballot_id, slug = ballot.id, process.slug
    resident = make_user(email="keys@example.org")
    sign_in(page, live_server, resident.email)
    page.goto(f"{live_server}/processes/{slug}/ballots/{ballot_id}")

    def tab_to(element_id: str = "", text: str = "") -> None:
        for _ in range(80):
            page.keyboard.press("Tab")
            if element_id and page.evaluate("document.activeElement.id") == element_id:
                return
            if text and page.evaluate("document.activeElement.textContent.trim()") == text:
                return
        raise AssertionError(f"Tab never reached {element_id or text}")

    tab_to("rank-1")
    page.keyboard.press("ArrowDown")  # the first candidate, on a closed select without JavaScript
    page.keyboard.press("ArrowDown")
    tab_to("rank-2")
    page.keyboard.press("ArrowDown")
    tab_to(text="Continue")  # rank 3 stays empty
    page.keyboard.press("Enter")  # unlike click(), a key press does not wait for the next page: expect() does
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your vote")
    rows = page.locator("main table tbody tr").all_inner_texts()
    assert [row.split("\t")[0] for row in rows] == ["Bilal", "Ana"], rows
    tab_to(text="Cast my vote")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your vote is cast")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_voting_pages_have_no_wcag_violations(app, live_server, axe_page, language):
    demo.seed()
    organiser = make_user(Role.ORGANISER, email="organiser@example.org")
    process = make_process(PhaseKind.VOTING, title="Many kinds of vote")
    made = {}
    for kind, settings in [(BallotKind.SCORE, {}), (BallotKind.RANKED, {"method": "irv"}),
                           (BallotKind.REFERENDUM, {}), (BallotKind.SINGLE, {})]:
        ballot = services.create_ballot(organiser, process, title=f"A {kind.value} ballot", kind=kind,
                                        options=[{"label": name} for name in ("North", "South", "East")],
                                        **settings)
        services.open_ballot(organiser, ballot)
        made[kind] = ballot.id
    counted = made[BallotKind.SINGLE]
    for choice in (0, 1, 0):
        ballot = db.session.get(Ballot, counted)
        casting.cast(make_user(), ballot, [ballot.options[choice].id])
    services.close_ballot(organiser, db.session.get(Ballot, counted))
    services.count_ballot(counted)
    budget = budget_ballot().id
    draft = services.create_ballot(organiser, process, title="A budget in preparation", kind=BallotKind.BUDGET,
                                   budget=1000,
                                   options=[{"label": "Trees", "cost": 600}, {"label": "Bins", "cost": 300}])
    draft_project = f"/processes/{process.slug}/ballots/{draft.id}/projects/{draft.options[0].id}"

    axe_page.goto(f"{live_server}/language/{language}")
    sign_in(axe_page, live_server, organiser.email)
    base = f"/processes/{process.slug}/ballots"
    paths = [f"{BUDGET}/ballots/{budget}", f"{BUDGET}/ballots/{budget}/board",
             f"{BUDGET}/ballots/{budget}/receipt", *[f"{base}/{made[kind]}" for kind in made],
             f"{base}/{counted}/result", f"{base}/{counted}/board", f"{base}/new", f"{base}/{counted}/close",
             "/account/eligibility", f"/processes/{process.slug}", f"{BUDGET}/ballots/{budget}/close",
             f"{base}/{draft.id}", draft_project]
    found = {}
    for path in paths:
        axe_page.goto(live_server + path)
        problems = violations(axe_page)
        if problems:
            found[path] = problems

    # Pages with errors, and the check and receipt pages.
    axe_page.goto(f"{live_server}{base}/new")
    axe_page.locator("main form button[type=submit]").click()
    found.update({"new ballot with errors": violations(axe_page)} if violations(axe_page) else {})
    axe_page.goto(live_server + draft_project)
    axe_page.locator("#picture").set_input_files(files=[{"name": "trees.png", "mimeType": "image/png",
                                                         "buffer": b"\x89PNG\r\n\x1a\n" + bytes(32)}])
    axe_page.locator("main form button[type=submit]").click()
    assert axe_page.locator("#picture_alt-error").is_visible(), "the missing alt text is an error on its field"
    found.update({"project form with errors": violations(axe_page)} if violations(axe_page) else {})
    axe_page.goto(f"{live_server}{BUDGET}/ballots/{budget}")
    axe_page.locator("main form button[type=submit]").first.click()
    assert axe_page.get_by_role("alert").is_visible()
    found.update({"ballot with errors": violations(axe_page)} if violations(axe_page) else {})
    axe_page.locator("input[name=option]").first.check()
    axe_page.locator("main form button[type=submit]").first.click()
    found.update({"check page": violations(axe_page)} if violations(axe_page) else {})
    axe_page.locator("main form button[type=submit]").first.click()
    assert axe_page.locator(".receipt-code").is_visible()
    found.update({"receipt page": violations(axe_page)} if violations(axe_page) else {})
    assert found == {}


def test_the_budget_total_follows_the_ticked_projects_with_javascript(app, live_server, axe_page):
    demo.seed()
    page = axe_page
    sign_in(page, live_server, demo.RESIDENT_EMAIL, demo.PASSWORD)
    page.goto(f"{live_server}/language/en")
    page.goto(f"{live_server}{BUDGET}/ballots/{budget_ballot().id}")
    total = page.locator(".budget-total output")
    expect(total).to_have_text(re.compile(r"^€0 of €100,000 used$"))
    page.get_by_label(re.compile("^Ramp down to the riverside path")).check()
    expect(total).to_have_text(re.compile(r"^€42,000 of €100,000 used$"))
    page.get_by_label(re.compile("^Shade trees and benches")).check()
    expect(total).to_have_text(re.compile(r"^€60,000 of €100,000 used$"))
    expect(page.locator(".budget-over")).to_be_hidden()
    page.get_by_label(re.compile("^Public toilets by the market")).check()
    page.get_by_label(re.compile("^Lit footpath through Hillside park")).check()  # 126,000
    expect(total).to_have_text(re.compile(r"^€126,000 of €100,000 used$"))
    expect(page.locator(".budget-over")).to_be_visible()
    page.get_by_label(re.compile("^Public toilets by the market")).uncheck()
    expect(page.locator(".budget-over")).to_be_hidden()
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your vote"
    assert "€95,000 of €100,000 used" in page.locator("main").inner_text()


def test_the_budget_ballot_works_the_same_without_javascript(app, live_server, page):
    demo.seed()
    sign_in(page, live_server, demo.RESIDENT_EMAIL, demo.PASSWORD)
    page.goto(f"{live_server}/language/en")
    page.goto(f"{live_server}{BUDGET}/ballots/{budget_ballot().id}")
    total = page.locator(".budget-total output")
    expect(total).to_have_text(re.compile(r"^€0 of €100,000 used$"))
    page.get_by_label(re.compile("^Ramp down to the riverside path")).check()
    expect(total).to_have_text(re.compile(r"^€0 of €100,000 used$")), "nothing runs in the page"
    assert "District: Riverside North" in page.locator("main").inner_text()
    page.get_by_label(re.compile("^Lit footpath through Hillside park")).check()
    page.get_by_role("button", name="Continue").click()
    assert "€77,000 of €100,000 used" in page.locator("main").inner_text()
    page.get_by_role("button", name="Change my choices").click()
    expect(total).to_have_text(re.compile(r"^€77,000 of €100,000 used$"))
