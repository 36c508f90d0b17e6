"""Browser fixtures: the app served on 127.0.0.1 from a thread, driven by Debian's chromium via Playwright."""

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("PLAZA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.fail(f"browser tests need Chromium at {CHROMIUM}: install it with "
                    "`sudo apt-get install chromium` (Debian/Ubuntu) or set PLAZA_CHROMIUM to its path")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A page with JavaScript off: every core flow must work without it."""
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def axe_page(browser):
    """A page with JavaScript on, which axe-core needs to inspect what the server sent."""
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    yield page
    context.close()
