import sqlalchemy as sa

from plaza.accounts.models import User
from plaza.extensions import db
from tests.conftest import PASSWORD, assert_refused_by_csrf, make_user, submit


def users() -> list[User]:
    return db.session.scalars(sa.select(User)).all()


def signup(client, **fields):
    data = {"display_name": "Amina", "email": "amina@example.org", "password": PASSWORD, "confirm": PASSWORD}
    return submit(client, "/account/signup", {**data, **fields})


def test_signup_creates_an_account_and_signs_in(client):
    response = signup(client)
    assert response.status_code == 302
    [user] = users()
    assert user.email == "amina@example.org"
    assert user.password_hash.startswith(client.application.config["PASSWORD_HASH_METHOD"].split(":")[0] + ":")
    assert user.check_password(PASSWORD)
    assert client.get("/account/").status_code == 200


def test_signup_stores_the_visitors_language(client):
    client.get("/language/ca")
    signup(client)
    assert users()[0].locale == "ca"


def test_duplicate_email_is_refused_whatever_its_case(client):
    make_user(email="amina@example.org")
    response = signup(client, email="  Amina@Example.ORG ")
    assert response.status_code == 400
    assert "An account with this e-mail address already exists." in response.get_data(as_text=True)
    assert len(users()) == 1


def test_weak_password_is_refused_with_a_reason(client):
    response = signup(client, password="password123", confirm="password123")
    assert response.status_code == 400
    assert "too easy to guess" in response.get_data(as_text=True)
    assert users() == []


def test_short_password_is_refused(client):
    response = signup(client, password="short", confirm="short")
    assert response.status_code == 400
    assert "Use at least 10 characters." in response.get_data(as_text=True)
    assert users() == []


def test_password_containing_the_email_name_is_refused(client):
    response = signup(client, email="bartholomew@example.org", password="bartholomew-2026",
                      confirm="bartholomew-2026")
    assert response.status_code == 400
    assert "Do not use your name" in response.get_data(as_text=True)
    assert users() == []


def test_passwords_that_differ_are_refused(client):
    response = signup(client, confirm=PASSWORD + "x")
    assert response.status_code == 400
    assert "The two passwords are not the same." in response.get_data(as_text=True)
    assert users() == []


def test_invalid_email_is_refused_and_linked_from_the_error_summary(client):
    response = signup(client, email="not-an-address")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#email"' in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="email-error"' in page


def test_missing_csrf_token_is_refused_with_a_page_in_the_visitors_language(client):
    client.get("/language/es")
    response = client.post("/account/signup", data={"display_name": "A", "email": "a@example.org",
                                                      "password": PASSWORD, "confirm": PASSWORD})
    assert_refused_by_csrf(response, "Este formulario ha caducado")
    assert 'lang="es"' in response.get_data(as_text=True)
    assert "Nada se ha guardado" in response.get_data(as_text=True)
    assert users() == []


def test_forged_csrf_token_is_refused(client):
    response = client.post("/account/signup", data={"csrf_token": "forged", "display_name": "A",
                                                      "email": "a@example.org", "password": PASSWORD,
                                                      "confirm": PASSWORD})
    assert_refused_by_csrf(response)
    assert users() == []
    assert client.get("/account/").status_code == 302  # nobody signed in


def test_hostile_display_name_is_escaped_not_run(client):
    signup(client, display_name='<script>alert("x")</script>')
    page = client.get("/account/").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


def test_signed_in_visitor_is_sent_home_from_signup(client):
    signup(client)
    assert client.get("/account/signup").status_code == 302
