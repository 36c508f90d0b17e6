"""What a new resident does, with JavaScript off and keyboard only where it matters."""

import pytest
import sqlalchemy as sa

from plaza import demo
from plaza.accounts import services
from plaza.accounts.models import User
from plaza.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def choose_password(page) -> None:
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()


def test_new_resident_signs_up_switches_language_and_signs_out(live_server, page):
    page.goto(live_server)
    page.get_by_role("link", name="Create an account").first.click()
    page.get_by_label("Your name").fill("Amina")
    page.get_by_label("E-mail address").fill("amina@example.org")
    choose_password(page)
    assert "Welcome to Plaza, Amina" in page.get_by_role("status").inner_text()

    page.get_by_role("button", name="Español").click()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("html").get_attribute("dir") == "ltr"
    page.get_by_role("button", name="العربية").click()
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"

    page.locator("header form.inline-form button[type=submit]").click()  # sign out
    assert page.get_by_role("button", name="English").is_visible()
    page.get_by_role("button", name="English").click()
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").is_visible()
    assert db.session.scalar(sa.select(User.locale)) == "ar"


def test_resident_with_an_invitation_letter_signs_up_and_signs_in_again(live_server, page):
    [code] = services.create_invitations(1, None)
    page.goto(f"{live_server}/account/signup/invitation")
    page.get_by_label("Invitation code").fill(code)
    page.get_by_label("Your name").fill("Sari")
    page.get_by_label("Username").fill("sari")
    choose_password(page)
    assert "sari" in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server}/account/login")
    page.get_by_label("E-mail address or username").fill("sari")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert "You are signed in." in page.get_by_role("status").inner_text()


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(live_server, axe_page):
    page = axe_page  # focus handling is checked with JavaScript on, as most keyboard users browse
    page.goto(live_server)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    assert page.evaluate("document.activeElement.id") == "main"


def test_error_summary_links_move_to_the_field(live_server, axe_page):
    page = axe_page
    page.goto(f"{live_server}/account/signup")
    page.get_by_label("E-mail address").fill("not-an-address")
    page.get_by_role("button", name="Create my account").click()
    page.get_by_role("alert").get_by_role("link", name="Enter an e-mail address like name@example.org.").click()
    assert page.evaluate("document.activeElement.id") == "email"


def test_a_newcomer_on_a_phone_reaches_the_budget_ballot_in_two_taps_and_sees_when_it_closes(live_server, browser):
    demo.seed()
    phone = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = phone.new_page()
    page.goto(live_server)
    card = page.locator(".card", has_text="Riverside participatory budget 2027")
    assert "Vote — closes" in card.inner_text()
    vote_now = card.get_by_role("link", name="Vote now")
    assert vote_now.bounding_box()["y"] < 740, "the button is on the first screen"
    vote_now.click()  # the first tap: the ballot itself
    assert page.get_by_role("heading", level=1).inner_text() == "Which projects should Riverside fund in 2027?"
    assert "Voting closes" in page.locator("main").inner_text()
    page.get_by_role("link", name="Sign in to vote").click()  # the second tap: sign in to vote
    assert page.get_by_label("Password").is_visible()
    phone.close()
