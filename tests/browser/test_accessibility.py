"""WCAG 2.2 AA checks by axe-core in a real browser, on every page of the foundation, in LTR and RTL."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from plaza import demo
from plaza.accounts.models import Role
from plaza.tasks import services as tasks
from tests.conftest import make_user

pytestmark = pytest.mark.browser

WCAG_22_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
PUBLIC_PAGES = ["/", "/account/signup", "/account/signup/invitation", "/account/login", "/account/reset",
                "/processes/", "/processes/safer-streets-2027", "/processes/riverside-budget-2027", "/design",
                "/no/such/page", "/account/reset/bad-token"]


def violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG_22_AA)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {v['nodes'][0]['target']})"
            for v in results.response["violations"]]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_public_pages_have_no_wcag_violations(app, live_server, axe_page, language):
    demo.seed()
    axe_page.goto(f"{live_server}/language/{language}")
    found = {}
    for path in PUBLIC_PAGES:
        axe_page.goto(live_server + path)
        assert axe_page.locator("html").get_attribute("lang") == language
        problems = violations(axe_page)
        if problems:
            found[path] = problems
    assert found == {}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_forms_with_errors_have_no_wcag_violations(live_server, axe_page, language):
    axe_page.goto(f"{live_server}/language/{language}?next=/account/signup")
    axe_page.locator("main form button[type=submit]").click()
    assert axe_page.get_by_role("alert").is_visible()
    assert axe_page.title().startswith(("Error:", "خطأ"))
    assert violations(axe_page) == []


def test_member_pages_have_no_wcag_violations(app, live_server, axe_page):
    from tests.conftest import PASSWORD

    admin = make_user(Role.ADMIN, email="admin@example.org")
    axe_page.goto(f"{live_server}/account/login")
    axe_page.get_by_label("E-mail address or username").fill(admin.email)
    axe_page.get_by_label("Password").fill(PASSWORD)
    axe_page.get_by_role("button", name="Sign in").click()
    axe_page.wait_for_url(f"{live_server}/")
    task = tasks.launch("workers.maintenance.send_test_email", "Test e-mail", "it@example.org", user=admin)
    for path, heading in [("/account/", "My account"), ("/admin/", "System status"),
                          ("/admin/invitations", "Invitation letters"), ("/account/logout", "Sign out"),
                          (f"/admin/tasks/{task.id}", "Test e-mail")]:
        axe_page.goto(live_server + path)
        assert axe_page.get_by_role("heading", level=1).inner_text() == heading, path
        assert violations(axe_page) == [], path
    axe_page.goto(f"{live_server}/admin/invitations")
    axe_page.get_by_role("button", name="Make the invitation codes").click()
    assert axe_page.get_by_role("heading", level=1).inner_text() == "New invitation codes"
    assert violations(axe_page) == []


def test_the_checker_itself_reports_a_missing_label(axe_page):
    axe_page.set_content('<html lang="en"><head><title>t</title></head><body><main><input></main></body></html>')
    assert any(problem.startswith("label:") for problem in violations(axe_page))
