from datetime import timedelta

import pytest
import sqlalchemy as sa

from plaza.accounts.models import LoginSession, Role, SignInAttempt
from plaza.app import create_app
from plaza.clock import utcnow
from plaza.extensions import db
from tests.conftest import PASSWORD, assert_refused_by_csrf, count, csrf_token, login, make_user, submit


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
    assert "The e-mail address, username or password is not right." in response.get_data(as_text=True)
    assert client.get("/account/").status_code == 302
    assert count(LoginSession) == 0


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


@pytest.mark.parametrize("token", [None, "forged", "another visitor's"])
def test_sign_in_without_this_visitors_token_is_refused_and_signs_nobody_in(client, app, token):
    user = make_user()
    data = {"login": user.email, "password": PASSWORD}
    if token == "forged":
        data["csrf_token"] = "forged"
    elif token is not None:
        data["csrf_token"] = csrf_token(app.test_client(), "/account/login")
    assert_refused_by_csrf(client.post("/account/login", data=data))
    assert client.get("/account/").status_code == 302
    assert count(LoginSession) == 0
    assert count(SignInAttempt) == 0, "a forged sign-in does not count towards locking the account"


def test_pages_for_members_send_visitors_to_sign_in(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")


def test_sign_out_needs_a_post_with_a_token(client):
    login(client, make_user())
    confirm_page = client.get("/account/logout")
    assert confirm_page.status_code == 200
    assert client.get("/account/").status_code == 200  # a GET did not sign out
    assert_refused_by_csrf(client.post("/account/logout", data={}))
    assert client.get("/account/").status_code == 200  # still signed in
    response = client.post("/account/logout", data={"csrf_token": csrf_token(client, "/account/logout")})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 302


def sign_in_remembered(client, user) -> dict[str, str]:
    """Sign in with "keep me signed in"; return the cookies a thief could copy."""
    response = submit(client, "/account/login", {"login": user.email, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    return {name: client.get_cookie(name).value for name in ("session", "remember_token")}


def opens_account_page(app, cookies: dict[str, str]) -> bool:
    replay = app.test_client()
    for name, value in cookies.items():
        replay.set_cookie(name, value)
    return replay.get("/account/").status_code == 200


def test_cookies_replayed_after_sign_out_open_nothing(client, app):
    user = make_user()
    cookies = sign_in_remembered(client, user)
    other_device = app.test_client()
    login(other_device, user)
    # Each copied cookie on its own opens the account while the sign-in lasts...
    assert opens_account_page(app, {"session": cookies["session"]})
    assert opens_account_page(app, {"remember_token": cookies["remember_token"]})
    client.post("/account/logout", data={"csrf_token": csrf_token(client, "/account/logout")})
    # ...and nothing once it has been signed out, in any web process (the sign-in row is gone).
    assert not opens_account_page(app, {"session": cookies["session"]})
    assert not opens_account_page(app, {"remember_token": cookies["remember_token"]})
    assert not opens_account_page(app, cookies)
    assert other_device.get("/account/").status_code == 200  # signing out one device leaves the others


def test_the_same_sign_out_posted_twice_is_harmless(client):
    login(client, make_user())
    token = csrf_token(client, "/account/logout")
    assert client.post("/account/logout", data={"csrf_token": token}).status_code == 302
    assert client.post("/account/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/account/").status_code == 302


def test_the_same_sign_in_posted_twice_signs_in_once(client):
    user = make_user()
    data = {"csrf_token": csrf_token(client, "/account/login"), "login": user.email, "password": PASSWORD}
    assert client.post("/account/login", data=data).status_code == 302
    # Signing in starts a fresh session, so the second copy's token is stale: refused, nothing written.
    assert_refused_by_csrf(client.post("/account/login", data=data))
    assert client.get("/account/").status_code == 200
    assert count(LoginSession) == 1


def test_cookies_of_an_expired_sign_in_open_nothing(client, app):
    cookies = sign_in_remembered(client, make_user())
    db.session.execute(sa.update(LoginSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert not opens_account_page(app, cookies)


def fail(client, login_name: str, password: str = "wrong" * 3):
    return submit(client, "/account/login", {"login": login_name, "password": password})


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=None)  # Flask-Limiter on in Redis too
def test_many_successful_sign_ins_from_one_address_are_fine(app):
    users = [make_user() for _person in range(30)]
    for user in users:  # a participation desk: one address, resident after resident
        desk = app.test_client()
        login(desk, user)
        desk.post("/account/logout", data={"csrf_token": csrf_token(desk, "/account/logout")})


def test_failed_attempts_lock_that_account_only(client, app):
    make_user(email="jordi@example.org")
    neighbour = make_user(email="amina@example.org")
    statuses = [fail(client, "jordi@example.org").status_code for _attempt in range(5)]
    assert statuses == [400] * 5
    locked = submit(client, "/account/login", {"login": "Jordi@example.org", "password": PASSWORD})
    assert locked.status_code == 429  # even the right password, or guessing would go on
    assert "too many failed attempts to sign in to this account" in locked.get_data(as_text=True)
    login(app.test_client(), neighbour)  # from the same address


def test_unknown_logins_lock_like_accounts(client):
    for _attempt in range(5):
        assert fail(client, "nobody@example.org").status_code == 400
    locked = fail(client, "nobody@example.org")
    assert locked.status_code == 429
    assert "too many failed attempts to sign in to this account" in locked.get_data(as_text=True)


def test_lock_ends_after_the_window(client, app):
    user = make_user(email="jordi@example.org")
    for _attempt in range(6):
        fail(client, "jordi@example.org")
    db.session.execute(sa.update(SignInAttempt).values(
        attempted_at=utcnow() - timedelta(seconds=app.config["SIGN_IN_FAILURE_WINDOW"] + 1)))
    db.session.commit()
    login(client, user)


def test_a_successful_sign_in_clears_the_accounts_failures(client, app):
    user = make_user(email="jordi@example.org")
    for _attempt in range(4):
        fail(client, "jordi@example.org")
    login(client, user)
    client.post("/account/logout", data={"csrf_token": csrf_token(client, "/account/logout")})
    for _attempt in range(5):
        assert fail(client, "jordi@example.org").status_code == 400


@pytest.mark.app_config(SIGN_IN_FAILURES_PER_ADDRESS=8)
def test_failed_attempts_from_one_address_are_limited(client, app):
    make_user(email="jordi@example.org")
    statuses = [fail(client, f"guess{n}@example.org").status_code for n in range(9)]
    assert statuses == [400] * 8 + [429]
    assert "from your network" in fail(client, "jordi@example.org").get_data(as_text=True)
    elsewhere = app.test_client()
    response = submit(elsewhere, "/account/login", {"login": "jordi@example.org", "password": PASSWORD},
                      environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 302


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=None)
def test_failures_keep_counting_while_redis_is_down(client, app, database_url):
    make_user(email="jordi@example.org")
    for _attempt in range(3):
        assert fail(client, "jordi@example.org").status_code == 400
    # The same database, with Redis unreachable (nothing listens on port 1).
    down = "redis://127.0.0.1:1/0"
    outage = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=down, RATELIMIT_ENABLED=True,
                        RATELIMIT_STORAGE_URI=down, SIGN_IN_FAILURES_PER_ACCOUNT=5)
    outage.instance_path = app.instance_path
    visitor = outage.test_client()
    assert [fail(visitor, "jordi@example.org").status_code for _attempt in range(2)] == [400, 400]
    assert fail(visitor, "jordi@example.org").status_code == 429
    with outage.app_context():
        db.session.remove()
        db.engine.dispose()


def test_admin_pages_are_for_admins_only(client):
    login(client, make_user(Role.ORGANISER))
    assert client.get("/admin/").status_code == 403
    fresh = client.application.test_client()
    login(fresh, make_user(Role.ADMIN))
    assert fresh.get("/admin/").status_code == 200
