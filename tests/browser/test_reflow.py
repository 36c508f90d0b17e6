"""Reflow (WCAG 1.4.10): at 320 px wide, with JavaScript off, no page scrolls sideways, in English and Arabic.

Every page type is opened in a real browser and must fit: `document.documentElement.scrollWidth <= 320`.
A failure names the elements that stick out (tag, class, the start of their text). Each page is also saved
as a full-page screenshot in `$PLAZA_TEST_ARTIFACTS/reflow-320/` (default `test-artifacts/` at the
repository root), to look at what a phone shows.

One app, one server and one browser context per visitor and language serve every case (module-scoped), so
the whole file runs in a few dozen seconds.
"""

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from werkzeug.serving import make_server

from plaza import demo
from plaza.app import create_app
from plaza.extensions import db
from tests.conftest import PASSWORD, REPOSITORY_ROOT, FreshContextClient, drop_everything, make_user

pytestmark = pytest.mark.browser

WIDTH = 320
LANGUAGES = ["en", "ar"]
# A long address without spaces: the account page must wrap it, not scroll.
LONG_EMAIL = "a.resident.with.a.rather.long.address@riverside-neighbourhood-association.example"

# What makes the page wider than the viewport: the elements that stick out on either side (outermost first:
# their parent fits), or else the innermost elements whose own content (a long word, a hash) is wider than
# they are. Each as <tag.class> in <parent tag.class>, where it is, and the start of its text.
OVERFLOWING = """(width) => {
  const name = (el) => {
    const classes = typeof el.className === 'string' ? el.className.trim() : '';
    return el.tagName.toLowerCase() + (classes ? '.' + classes.split(/\\s+/).join('.') : '');
  };
  const text = (el) => JSON.stringify((el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 70));
  const hidden = (el) => {  // visually-hidden text
    const style = getComputedStyle(el);
    return style.position === 'absolute' && style.overflow === 'hidden';
  };
  const sticksOut = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && (box.right > width + 0.5 || box.left < -0.5) && !hidden(el);
  };
  const all = [...document.body.querySelectorAll('*')];
  const out = all.filter((el) => sticksOut(el) && !(el.parentElement !== document.body && sticksOut(el.parentElement)))
    .map((el) => {
      const box = el.getBoundingClientRect();
      const where = `${Math.round(box.left)}..${Math.round(box.right)} px`;
      return `<${name(el)}> in <${name(el.parentElement)}> at ${where}: ${text(el)}`;
    });
  if (out.length) return out.slice(0, 8);
  const wide = (el) => el.scrollWidth > el.clientWidth + 1 && !hidden(el);
  return all.filter((el) => wide(el) && ![...el.querySelectorAll('*')].some(wide))
    .map((el) => `<${name(el)}>'s content is ${el.scrollWidth} px wide in ${el.clientWidth} px: ${text(el)}`)
    .slice(0, 8);
}"""


def artifacts_folder() -> Path:
    folder = Path(os.environ.get("PLAZA_TEST_ARTIFACTS") or REPOSITORY_ROOT / "test-artifacts") / "reflow-320"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Site:
    url: str
    paths: dict[str, str]
    logins: dict[str, tuple[str, str]]  # visitor -> login, password
    receipt_code: str


def build_data() -> tuple[dict[str, str], dict[str, tuple[str, str]], str]:
    """The demo city, plus what the demo lacks: a counted ballot, a questionnaire, a reported comment."""
    from plaza.clock import utcnow
    from plaza.comments.models import Comment, ReportReason
    from plaza.comments.services import report
    from plaza.meetings.models import Meeting
    from plaza.phases import PhaseKind
    from plaza.processes.services import PhasePlan, create_process
    from plaza.proposals.models import Proposal
    from plaza.questionnaires.services import create_questionnaire, parse_questions
    from plaza.voting import casting
    from plaza.voting import services as voting
    from plaza.voting.models import Ballot, BallotKind, BudgetInput

    demo.seed()
    organiser = demo._user(demo.ORGANISER_EMAIL)
    now, day = utcnow(), timedelta(days=1)
    logins = {"resident": (make_user(email=LONG_EMAIL).email, PASSWORD),
              "organiser": (demo.ORGANISER_EMAIL, demo.PASSWORD),
              "moderator": ("moderator@riverside.example", demo.PASSWORD)}
    for language in LANGUAGES:  # one voter per language for the check page and one for the receipt
        for step in ("check", "receipt"):
            logins[f"{step}-{language}"] = (make_user(email=f"{step}-{language}@example.org").email, PASSWORD)

    counted = create_process(
        organiser, "Riverside participatory budget 2026", "Last year's budget, counted.", "",
        [PhasePlan(PhaseKind.VOTING, "Vote", now - 30 * day, now + 30 * day)], slug="riverside-budget-2026")
    ballot = voting.create_ballot(
        organiser, counted, title="Which projects should Riverside fund in 2026?", kind=BallotKind.BUDGET,
        method="mes-add1-greedy", budget=100_000, budget_input=BudgetInput.APPROVAL,
        options=[{"label": label, "cost": cost} for label, cost, _district, _text in demo.BUDGET_PROJECTS])
    voting.open_ballot(organiser, ballot)
    ids = [option.id for option in ballot.options]
    code = ""
    for login, picks in (("jordi@riverside.example", [0, 1, 3]), ("sari", [1, 3, 5]),
                         ("officer@riverside.example", [2, 4]), (demo.RESIDENT_EMAIL, [0, 2])):
        code = casting.cast(demo._user(login), ballot, sorted(ids[i] for i in picks))
    voting.close_ballot(organiser, ballot)
    assert voting.count_ballot(ballot.id)

    talk = create_process(organiser, "Talk it through", "A consultation in its deliberation phase.", "",
                          [PhasePlan(PhaseKind.DELIBERATION, "Talk", now - day, now + 9 * day)], slug="talk")
    create_questionnaire(organiser, talk, "What matters to you", "Three short questions.",
                         parse_questions("? Which street feels least safe?\n- River Street\n- Market Street\n"
                                         "? What would help? [multiple]\n- Light\n- Crossing\n- Benches\n"
                                         "? Anything else? [text] [optional]"))
    comment = db.session.scalar(sa.select(Comment).order_by(Comment.id))
    report(make_user(), comment, ReportReason.OFFENSIVE, "Please look at this comment.")

    streets = "/processes/safer-streets-2027"
    proposal = db.session.scalar(sa.select(Proposal.id).order_by(Proposal.id))
    meeting = db.session.scalar(sa.select(Meeting.id).order_by(Meeting.id))
    open_ballot = db.session.scalar(sa.select(Ballot.id).where(Ballot.process_id != counted.id))
    budget = f"/processes/riverside-budget-2027/ballots/{open_ballot}"
    result = f"/processes/{counted.slug}/ballots/{ballot.id}"
    paths = {
        "home": "/", "consultations": "/processes/", "consultation": streets,
        "proposal": f"{streets}/proposals/{proposal}", "new proposal": f"{streets}/proposals/new",
        "ballot": budget, "check page": budget, "receipt": budget, "receipt lookup": f"{result}/receipt",
        "bulletin board": f"{result}/board", "result": f"{result}/result",
        "meeting": f"{streets}/meetings/{meeting}", "questionnaire": f"/processes/{talk.slug}/questionnaire",
        "account": "/account/", "eligibility": "/account/eligibility", "sign-in": "/account/login",
        "sign-up": "/account/signup", "organiser's page": f"{streets}/manage",
        "moderation": "/processes/moderation", "human rights tags": "/tags/", "error page": "/no/such/page",
    }
    return paths, logins, code


@pytest.fixture(scope="module")
def site(tmp_path_factory, redis_url, smtp):
    folder = tmp_path_factory.mktemp("reflow")
    database_url = os.environ.get("PLAZA_TEST_DATABASE_URL") or f"sqlite:///{folder / 'plaza.sqlite'}"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url,
                     MAIL_SERVER=smtp.host, MAIL_PORT=smtp.port, PLAZA_BASE_URL="http://plaza.test")
    app.instance_path = str(folder / "instance")
    app.test_client_class = FreshContextClient
    with app.app_context():
        drop_everything(db.engine)
        db.create_all()
        redis.Redis.from_url(redis_url).flushdb()
        paths, logins, code = build_data()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Site(f"http://127.0.0.1:{server.server_port}", paths, logins, code)
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def visitor_pages(browser, site):
    """`open(visitor, language)`: a 320 px page with JavaScript off, signed in as `visitor` (None: signed
    out) and in `language`; one browser context each, made when first asked for."""
    contexts = {}

    def open_page(visitor: str | None, language: str):
        if (visitor, language) not in contexts:
            context = browser.new_context(java_script_enabled=False, locale="en-GB",
                                          viewport={"width": WIDTH, "height": 640})
            page = context.new_page()
            if visitor:
                page.goto(f"{site.url}/account/login")
                login, password = site.logins[visitor]
                page.locator("#login").fill(login)
                page.locator("#password").fill(password)
                page.locator("main form button[type=submit]").click()
                page.wait_for_url(f"{site.url}/")
            page.goto(f"{site.url}/language/{language}")
            contexts[visitor, language] = page
        return contexts[visitor, language]

    yield open_page
    for page in contexts.values():
        page.context.close()


def choose_and_continue(page, site, path):
    page.goto(site.url + path)
    form = page.locator("main form:has(input[type=checkbox])").first
    form.locator("input[type=checkbox]").first.check()
    form.locator("button[type=submit]").first.click()
    page.wait_for_url("**/check")


def to_check_page(page, site, path):
    choose_and_continue(page, site, path)


def to_receipt(page, site, path):
    choose_and_continue(page, site, path)
    page.locator("main form[action$='/cast'] button[type=submit]").click()
    page.wait_for_url("**/your-receipt")


def look_up_receipt(page, site, path):
    page.goto(site.url + path)
    page.locator("main input[name=code]").fill(site.receipt_code)
    page.locator("main form:has(input[name=code]) button[type=submit]").click()
    page.wait_for_load_state()


# page type -> who looks at it ("{language}" is filled in), and how to get there (default: open its path)
PAGE_TYPES: dict[str, tuple[str | None, Callable | None]] = {
    "home": (None, None), "consultations": (None, None), "consultation": ("resident", None),
    "proposal": ("resident", None), "new proposal": ("resident", None), "ballot": ("resident", None),
    "check page": ("check-{language}", to_check_page), "receipt": ("receipt-{language}", to_receipt),
    "receipt lookup": (None, look_up_receipt), "bulletin board": (None, None), "result": (None, None),
    "meeting": (None, None), "questionnaire": ("resident", None), "account": ("resident", None),
    "eligibility": ("resident", None), "sign-in": (None, None), "sign-up": (None, None),
    "organiser's page": ("organiser", None), "moderation": ("moderator", None),
    "human rights tags": (None, None), "error page": (None, None),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page_type", list(PAGE_TYPES))
def test_page_fits_320_px_without_sideways_scrolling(site, visitor_pages, page_type, language):
    visitor, reach = PAGE_TYPES[page_type]
    page = visitor_pages(visitor.format(language=language) if visitor else None, language)
    path = site.paths[page_type]
    if reach:
        reach(page, site, path)
    else:
        page.goto(site.url + path)
    assert page.locator("html").get_attribute("lang") == language
    name = page_type.replace(" ", "-").replace("'", "")
    page.screenshot(path=artifacts_folder() / f"{name}-{language}.png", full_page=True)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= WIDTH, (
        f"{page_type} ({language}, {page.url}) is {scroll_width} px wide at {WIDTH} px; sticking out:\n  "
        + "\n  ".join(page.evaluate(OVERFLOWING, WIDTH)))
