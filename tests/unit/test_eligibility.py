"""Eligibility as a component of its own: the residence-and-age rule voting asks, the resident's page under
/account/, and its part of the account page."""

from datetime import date

from plaza import components
from plaza.districts import District
from plaza.eligibility import services
from plaza.eligibility.models import Eligibility, EligibilitySource
from plaza.extensions import db
from tests.conftest import login, make_user, submit


def districts(*names: str) -> list[District]:
    found = [District(name=name) for name in names]
    db.session.add_all(found)
    db.session.commit()
    return found


def test_age_counts_whole_years_up_to_the_birthday():
    assert services.age_on(date(2008, 3, 27), date(2024, 3, 26)) == 15
    assert services.age_on(date(2008, 3, 27), date(2024, 3, 27)) == 16
    assert services.age_on(date(2004, 2, 29), date(2020, 2, 28)) == 15
    assert services.age_on(date(2004, 2, 29), date(2020, 3, 1)) == 16


def test_the_rule_asks_residence_and_age_and_says_what_is_missing(app):
    north, south = districts("North", "South")
    resident = make_user()
    today = date(2024, 6, 1)
    assert services.refusal(resident, min_age=None, district=None, today=today) is None, "open to everyone"
    assert "Add your date of birth" in services.refusal(resident, min_age=16, district=None, today=today)
    assert "Add where you live" in services.refusal(resident, min_age=None, district=north, today=today)

    db.session.add(Eligibility(user_id=resident.id, birth_date=date(2008, 6, 2), district_id=south.id,
                               source=EligibilitySource.ROLL))
    db.session.commit()
    assert services.refusal(resident, min_age=16, district=None, today=today) == \
        "This vote is open to residents aged 16 or over."
    assert services.refusal(resident, min_age=16, district=None, today=date(2024, 6, 2)) is None
    assert services.refusal(resident, min_age=None, district=north, today=today) == \
        "This vote is open to residents of North."
    assert services.refusal(resident, min_age=None, district=south, today=today) is None


def test_the_page_keeps_its_address_signs_in_first_and_is_never_cached(client):
    (north,) = districts("North")
    anonymous = client.get("/account/eligibility")
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]

    resident = make_user()
    login(client, resident)
    page = client.get("/account/eligibility")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert 'name="district"' in page.get_data(as_text=True)
    saved = submit(client, "/account/eligibility", {"district": str(north.id), "birth_date": "1990-05-17"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/account/")
    assert saved.headers["Cache-Control"] == "no-store"


def test_the_account_page_shows_the_eligibility_panel(client):
    (north,) = districts("North")
    resident = make_user()
    login(client, resident)
    empty = client.get("/account/").get_data(as_text=True)
    assert "Taking part in votes" in empty and "Not given" in empty and "/account/eligibility" in empty

    services.declare(resident, north.id, date(1990, 5, 17))
    page = client.get("/account/").get_data(as_text=True)
    assert "North" in page and "1990" in page
    assert [manifest.key for manifest, _panel in components.panels("account")] == ["eligibility"]


def test_personal_data_export_holds_what_the_resident_declared(app):
    (north,) = districts("North")
    resident = make_user()
    assert services.personal_data(resident) is None
    services.declare(resident, north.id, None)
    exported = services.personal_data(resident)
    assert (exported["district"], exported["birth_date"], exported["source"]) == ("North", None, "self")
