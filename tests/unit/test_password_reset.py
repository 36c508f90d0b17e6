import re
import time

import itsdangerous
import sqlalchemy as sa

from plaza import outbox
from plaza.accounts import services
from plaza.accounts.models import LoginSession
from plaza.extensions import db
from plaza.outbox import OutboxEvent
from tests.conftest import PASSWORD, count, csrf_token, login, make_user, submit

NEW_PASSWORD = "another long passphrase"


def reset_link(smtp, address: str) -> str:
    [message] = smtp.to(address)
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://plaza\.test(/account/reset/\S+)", text).group(1)


def request_and_deliver(client, smtp, address: str) -> str:
    submit(client, "/account/reset", {"email": address})
    [event_id] = db.session.scalars(sa.select(OutboxEvent.id)).all()
    assert outbox.deliver(event_id) is True
    return reset_link(smtp, address)


def test_reset_request_says_the_same_whether_or_not_the_account_exists(client):
    make_user(email="amina@example.org")
    known = submit(client, "/account/reset", {"email": "amina@example.org"}, follow_redirects=True)
    unknown = submit(client, "/account/reset", {"email": "nobody@example.org"}, follow_redirects=True)
    message = "If an account uses that address, a reset link is on its way."
    assert message in known.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert count(OutboxEvent) == 1


def test_reset_link_arrives_by_email_in_the_users_language_and_changes_the_password(client, smtp):
    user = make_user(email="amina@example.org", locale="es")
    path = request_and_deliver(client, smtp, "amina@example.org")
    [message] = smtp.to("amina@example.org")
    assert "contraseña" in message["Subject"].lower()
    response = submit(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)


def test_reset_link_works_only_once(client, smtp):
    make_user(email="amina@example.org")
    path = request_and_deliver(client, smtp, "amina@example.org")
    submit(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    again = client.get(path)
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)


def test_expired_reset_link_is_refused_and_the_password_kept(client, app, monkeypatch):
    user = make_user(email="amina@example.org")
    two_hours_ago = int(time.time()) - 7200
    monkeypatch.setattr(itsdangerous.TimestampSigner, "get_timestamp", lambda self: two_hours_ago)
    token = services.password_reset_token(user)
    monkeypatch.undo()
    response = client.get(f"/account/reset/{token}")
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    posted = submit(client, f"/account/reset/{token}", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
                    form_url="/account/reset")
    assert posted.status_code == 410
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_changing_the_password_signs_out_every_other_session(client, app, smtp):
    user = make_user(email="amina@example.org")
    thief = app.test_client()
    login(thief, user)
    assert thief.get("/account/").status_code == 200
    path = request_and_deliver(client, smtp, "amina@example.org")
    submit(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert thief.get("/account/").status_code == 302


def test_cookies_copied_before_a_reset_open_nothing_after_it(client, app, smtp):
    user = make_user(email="amina@example.org")
    thief = app.test_client()
    submit(thief, "/account/login", {"login": user.email, "password": PASSWORD, "remember": "y"})
    cookies = {name: thief.get_cookie(name).value for name in ("session", "remember_token")}
    path = request_and_deliver(client, smtp, "amina@example.org")
    submit(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    for name, value in cookies.items():
        replay = app.test_client()
        replay.set_cookie(name, value)
        assert replay.get("/account/").status_code == 302, name
    assert count(LoginSession) == 0


def test_a_reset_lifts_the_lock_on_the_account(client, app, smtp):
    make_user(email="amina@example.org")
    for _attempt in range(6):
        submit(client, "/account/login", {"login": "amina@example.org", "password": "wrong" * 3})
    path = request_and_deliver(client, smtp, "amina@example.org")
    submit(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    response = submit(client, "/account/login", {"login": "amina@example.org", "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_the_same_reset_posted_twice_changes_the_password_once(client, smtp):
    user = make_user(email="amina@example.org")
    path = request_and_deliver(client, smtp, "amina@example.org")
    data = {"csrf_token": csrf_token(client, path), "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post(path, data=data).status_code == 302
    again = client.post(path, data={**data, "password": "a third passphrase", "confirm": "a third passphrase"})
    assert again.status_code == 410
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)


def test_repeated_reset_requests_send_one_email(client, smtp):
    make_user(email="amina@example.org")
    for _attempt in range(3):
        submit(client, "/account/reset", {"email": "amina@example.org"})
    assert count(OutboxEvent) == 1


def test_account_pages_are_not_cached(client):
    assert client.get("/account/reset").headers["Cache-Control"] == "no-store"


def test_tampered_reset_link_is_refused(client):
    response = client.get("/account/reset/not-a-real-token")
    assert response.status_code == 404
    assert "not valid" in response.get_data(as_text=True)


def test_weak_new_password_is_refused(client, smtp):
    user = make_user(email="amina@example.org")
    path = request_and_deliver(client, smtp, "amina@example.org")
    response = submit(client, path, {"password": "1234567890", "confirm": "1234567890"})
    assert response.status_code == 400
    assert "too easy to guess" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password(PASSWORD)
