import pytest

from plaza.accounts.models import Role
from plaza.extensions import db
from tests.conftest import PASSWORD, csrf_token, login, make_user, submit


def test_sign_in_with_email_in_any_case(client):
    make_user(email="jordi@example.org")
    response = submit(client, "/account/login", {"login": " Jordi@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_wrong_password_gives_one_message_for_both_mistakes(client):
    make_user(email="jordi@example.org")
    wrong_password = submit(client, "/account/login", {"login": "jordi@example.org", "password": "nope" * 3})
    unknown_user = submit(client, "/account/login", {"login": "nobody@example.org", "password": "nope" * 3})
    message = "The e-mail address, username or password is not right."
    assert wrong_password.status_code == unknown_user.status_code == 400
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_user.get_data(as_text=True)
    assert client.get("/account/").status_code == 302


def test_deactivated_account_cannot_sign_in(client, app):
    user = make_user()
    user.active = False
    db.session.commit()
    response = submit(client, "/account/login", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 400


def test_sign_in_follows_next_only_within_the_site(client):
    user = make_user()
    token = csrf_token(client, "/account/login")
    response = client.post("/account/login?next=//evil.example/steal",
                           data={"csrf_token": token, "login": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"
    client.post("/account/logout", data={"csrf_token": csrf_token(client, "/account/logout")})
    token = csrf_token(client, "/account/login")
    response = client.post("/account/login?next=/processes/",
                           data={"csrf_token": token, "login": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/processes/"


def test_pages_for_members_send_visitors_to_sign_in(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")


def test_sign_out_needs_a_post_with_a_token(client):
    login(client, make_user())
    confirm_page = client.get("/account/logout")
    assert confirm_page.status_code == 200
    assert client.get("/account/").status_code == 200  # a GET did not sign out
    assert client.post("/account/logout", data={}).status_code == 400
    response = client.post("/account/logout", data={"csrf_token": csrf_token(client, "/account/logout")})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 302


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=None)  # the limiter stores in Redis
def test_sign_in_attempts_are_rate_limited(client):
    make_user(email="jordi@example.org")
    statuses = [
        submit(client, "/account/login", {"login": "jordi@example.org", "password": "wrong" * 3}).status_code
        for _attempt in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429


def test_admin_pages_are_for_admins_only(client):
    login(client, make_user(Role.ORGANISER))
    assert client.get("/admin/").status_code == 403
    fresh = client.application.test_client()
    login(fresh, make_user(Role.ADMIN))
    assert fresh.get("/admin/").status_code == 200
