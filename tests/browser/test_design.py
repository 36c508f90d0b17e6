"""The design page in a real browser: no WCAG violations and no sideways scrolling, on a phone and a desktop,
in English and Arabic; a full-page screenshot of each is kept as a test artefact."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import violations

pytestmark = pytest.mark.browser

ARTIFACTS = Path(os.environ.get("PLAZA_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_design_page_passes_axe_and_fits_the_screen(live_server, axe_page, language, width):
    axe_page.set_viewport_size({"width": width, "height": 800})
    axe_page.goto(f"{live_server}/language/{language}?next=/design")
    assert axe_page.locator("html").get_attribute("lang") == language
    assert axe_page.locator(".stepper").is_visible()
    assert axe_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    axe_page.screenshot(path=ARTIFACTS / f"design-{language}-{width}.png", full_page=True)
    assert violations(axe_page) == []


@pytest.mark.parametrize("width", [360, 1280])
def test_header_menu_and_languages_work_without_javascript(live_server, page, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server}/design")
    header = page.locator("header")
    if width < 700:
        assert header.bounding_box()["height"] <= 100
        assert not page.get_by_role("link", name="Consultations").is_visible()
        page.locator("details.menu > summary").click()
        page.locator("details.languages > summary").click()
    else:
        assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Consultations").is_visible()
    page.get_by_role("button", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert page.url.endswith("/design")
