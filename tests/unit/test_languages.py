import pytest
from babel.messages.pofile import read_po
from markupsafe import escape

from plaza.accounts.models import Role
from plaza.config import LANGUAGES
from plaza.extensions import db
from tests.conftest import REPOSITORY_ROOT, assert_refused_by_csrf, login, make_user, submit


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_every_language_can_be_chosen_and_sets_lang_and_direction(client, code):
    response = client.get(f"/language/{code}?next=/processes/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/processes/"
    page = client.get("/processes/").get_data(as_text=True)
    direction = "rtl" if code == "ar" else "ltr"
    assert f'<html lang="{code}" dir="{direction}">' in page


def translated(code: str, message: str) -> str:
    """The catalog's translation, so a test fails if the page is not in the chosen language."""
    with open(REPOSITORY_ROOT / "translations" / code / "LC_MESSAGES" / "messages.po", "rb") as po:
        text = read_po(po)[message].string
    assert text and text != message, f"{code} has no translation for {message!r}"
    return str(escape(text))


@pytest.mark.parametrize("code", sorted(set(LANGUAGES) - {"en"}))
def test_pages_are_shown_in_the_chosen_language(client, code):
    client.get(f"/language/{code}")
    page = client.get("/").get_data(as_text=True)
    assert f"<h1>{translated(code, 'Have your say in what your city decides')}</h1>" in page


def test_browser_language_is_used_when_nothing_was_chosen(client):
    page = client.get("/", headers={"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="sv"' in page


def test_unknown_language_code_is_a_404_in_the_current_language(client):
    client.get("/language/ko")
    response = client.get("/language/xx")
    assert response.status_code == 404
    assert '<html lang="ko"' in response.get_data(as_text=True)


def test_hostile_next_parameter_does_not_redirect_away(client):
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"):
        response = client.get("/language/es", query_string={"next": target})
        assert response.headers["Location"] == "/"


def test_choice_is_remembered_on_the_account(client):
    user = make_user()
    login(client, user)
    response = submit(client, "/language", {"code": "id", "next": "/processes/"}, form_url="/processes/")
    assert response.status_code == 303
    assert response.headers["Location"] == "/processes/"
    db.session.refresh(user)
    assert user.locale == "id"
    fresh = client.application.test_client()
    login(fresh, user)
    assert '<html lang="id"' in fresh.get("/").get_data(as_text=True)


def test_a_language_link_changes_the_visit_but_not_the_account(client):
    """A GET (say an image on another site) must not change the language of someone's e-mails."""
    user = make_user(locale="en")
    login(client, user)
    assert client.get("/language/ar").status_code == 302
    assert '<html lang="ar"' in client.get("/").get_data(as_text=True)
    db.session.refresh(user)
    assert user.locale == "en"


def test_saving_the_language_needs_the_forms_token(client):
    user = make_user(locale="en")
    login(client, user)
    assert_refused_by_csrf(client.post("/language", data={"code": "ko"}))
    unknown = submit(client, "/language", {"code": "xx"}, form_url="/")
    assert unknown.status_code == 400
    assert "<h1>Something in the request was not right</h1>" in unknown.get_data(as_text=True)
    db.session.refresh(user)
    assert user.locale == "en"


def test_switcher_is_a_labelled_form_of_buttons_that_keeps_the_page(client):
    page = client.get("/processes/?page=1").get_data(as_text=True)
    switcher = page[page.index('<details class="disclosure languages"'):]
    switcher = switcher[:switcher.index("</nav>")]
    assert 'aria-label="Language"' in switcher
    assert '<form method="post" action="/language">' in switcher
    assert 'name="csrf_token"' in switcher
    assert '<input type="hidden" name="next" value="/processes/?page=1">' in switcher
    assert '<button type="submit" name="code" value="ar"' in switcher
    assert 'lang="ar" dir="rtl"' in switcher
    assert 'aria-current="true">English</button>' in switcher
    response = submit(client, "/language", {"code": "sv", "next": "/processes/?page=1"}, form_url="/processes/")
    assert response.headers["Location"] == "/processes/?page=1"
    assert '<html lang="sv"' in client.get("/processes/").get_data(as_text=True)


def test_switching_language_on_a_form_with_errors_stays_on_that_page(client):
    response = submit(client, "/account/signup", {"email": "not an address"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Enter an e-mail address like" in page
    assert '<input type="hidden" name="next" value="/account/signup">' in page


@pytest.mark.parametrize("code", ["es", "ar", "ko"])
def test_error_pages_speak_the_visitors_language(client, app, code):
    client.get(f"/language/{code}")
    not_found = client.get("/no/such/page")
    assert not_found.status_code == 404
    assert f"<h1>{translated(code, 'Page not found')}</h1>" in not_found.get_data(as_text=True)
    login(client, make_user(Role.RESIDENT))
    forbidden = client.get("/admin/")
    assert forbidden.status_code == 403
    assert f"<h1>{translated(code, 'You cannot open this page')}</h1>" in forbidden.get_data(as_text=True)


def test_server_errors_show_a_page_in_the_visitors_language(app):
    @app.route("/boom")
    def boom():
        raise RuntimeError("a bug")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    client.get("/language/sv")
    response = client.get("/boom")
    assert response.status_code == 500
    assert f"<h1>{translated('sv', 'Something went wrong on our side')}</h1>" in response.get_data(as_text=True)
