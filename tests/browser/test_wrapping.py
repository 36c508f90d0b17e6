"""Pages with long strings (hashes, e-mail addresses) and wide tables fit a 320 px screen, in English and
Arabic, with JavaScript off (WCAG 1.4.10, which axe cannot see)."""

import pytest
import sqlalchemy as sa

from plaza import demo
from plaza.accounts.models import Role
from plaza.extensions import db
from plaza.voting import casting, services
from plaza.voting.models import Ballot, BallotKind
from tests.browser.test_voting import BUDGET, sign_in
from tests.conftest import make_user

pytestmark = pytest.mark.browser
LONG_EMAIL = "amina.rahman-al-hashimi.for-the-riverside-council@neighbourhood-association-of-riverside.example.org"


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_hashes_long_addresses_and_the_phase_table_fit_320_px(app, live_server, page, language):
    demo.seed()
    organiser = make_user(Role.ORGANISER, email=LONG_EMAIL)
    ballot = db.session.scalar(sa.select(Ballot).where(Ballot.kind == BallotKind.BUDGET))
    ballot_path = f"{BUDGET}/ballots/{ballot.id}"
    code = casting.cast(organiser, ballot, [ballot.options[0].id])
    services.close_ballot(demo._user(demo.ORGANISER_EMAIL), db.session.get(Ballot, ballot.id))

    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, live_server, LONG_EMAIL)
    page.goto(f"{live_server}/language/{language}")
    for path in ["/account/", f"{BUDGET}/manage", f"{ballot_path}/board"]:
        page.goto(live_server + path)
        assert page.locator("main h1").is_visible(), path
        assert fits(page), path
    page.goto(f"{live_server}{ballot_path}/receipt")
    page.locator("#code").fill(code)
    page.locator("main form button[type=submit]").click()
    assert page.locator("main code.hash").is_visible()
    assert fits(page)
