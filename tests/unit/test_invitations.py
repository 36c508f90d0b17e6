import re
from datetime import timedelta

import sqlalchemy as sa

from plaza.accounts import services
from plaza.accounts.models import Invitation, Role, User
from plaza.clock import utcnow
from plaza.extensions import db
from tests.conftest import PASSWORD, count, login, make_user, submit


def invitation_signup(client, code, username="sari", **fields):
    data = {"code": code, "display_name": "Sari", "username": username, "password": PASSWORD,
            "confirm": PASSWORD}
    return submit(client, "/account/signup/invitation", {**data, **fields})


def test_invitation_code_signs_up_a_resident_without_email(client):
    [code] = services.create_invitations(1, None)
    response = invitation_signup(client, code.lower().replace("-", " "), username="Sari.K")
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User))
    assert (user.username, user.email, user.role) == ("sari.k", None, Role.RESIDENT)
    invitation = db.session.scalar(sa.select(Invitation))
    assert invitation.used_by_id == user.id


def test_resident_signs_in_with_username(client):
    [code] = services.create_invitations(1, None)
    invitation_signup(client, code)
    fresh = client.application.test_client()
    response = submit(fresh, "/account/login", {"login": "SARI", "password": PASSWORD})
    assert response.status_code == 302


def test_invitation_code_works_only_once(client, app):
    [code] = services.create_invitations(1, None)
    invitation_signup(client, code)
    other = app.test_client()
    response = invitation_signup(other, code, username="someone")
    assert response.status_code == 400
    assert "already been used" in response.get_data(as_text=True)
    assert count(User) == 1


def test_unknown_invitation_code_is_refused(client):
    response = invitation_signup(client, "ABCD-EFGH-JKLM")
    assert response.status_code == 400
    assert "We do not know this invitation code" in response.get_data(as_text=True)
    assert count(User) == 0


def test_expired_invitation_code_is_refused(client):
    [code] = services.create_invitations(1, None)
    db.session.execute(sa.update(Invitation).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    response = invitation_signup(client, code)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert count(User) == 0


def test_taken_username_leaves_the_invitation_unused(client):
    make_user(username="sari")
    [code] = services.create_invitations(1, None)
    response = invitation_signup(client, code, username="sari")
    assert response.status_code == 400
    assert "This username is taken" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Invitation.used_at)) is None


def test_unknown_code_says_nothing_about_usernames(client, app):
    """Without a valid letter, a taken username and a free one get the very same answer."""
    make_user(username="sari")
    answers = []
    for username in ("sari", "nobody-has-this"):
        response = invitation_signup(app.test_client(), "ABCD-EFGH-JKLM", username=username)
        # Only the values typed back into the inputs (and the CSRF token) may differ.
        answers.append((response.status_code, re.sub(r'value="[^"]*"', 'value=""', response.get_data(as_text=True))))
    assert answers[0] == answers[1]
    assert answers[0][0] == 400
    assert "We do not know this invitation code" in answers[0][1]
    assert "taken" not in answers[0][1]


def test_used_code_is_refused_before_the_username_is_looked_at(client, app):
    [code] = services.create_invitations(1, None)
    invitation_signup(client, code, username="sari")
    response = invitation_signup(app.test_client(), code, username="sari")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "already been used" in page
    assert "taken" not in page


def test_malformed_username_is_refused(client):
    [code] = services.create_invitations(1, None)
    response = invitation_signup(client, code, username="a b<")
    assert response.status_code == 400
    assert db.session.scalar(sa.select(Invitation.used_at)) is None


def test_organiser_makes_invitation_codes_and_only_their_hashes_are_stored(client):
    organiser = make_user(Role.ORGANISER)
    login(client, organiser)
    response = submit(client, "/admin/invitations", {"count": "3", "valid_days": "30", "note": "Library desk"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    codes = re.findall(r"<code>([A-Z0-9-]+)</code>", page)
    assert len(codes) == 3 and len(set(codes)) == 3
    stored = db.session.scalars(sa.select(Invitation.code_hash)).all()
    assert not set(codes) & set(stored)
    assert {services._hash_code(code) for code in codes} == set(stored)


def test_invitation_count_out_of_range_is_refused(client):
    login(client, make_user(Role.ORGANISER))
    response = submit(client, "/admin/invitations", {"count": "5000", "valid_days": "30"})
    assert response.status_code == 400
    assert "Enter a number from 1 to 1000." in response.get_data(as_text=True)
    assert count(Invitation) == 0


def test_residents_cannot_make_invitations(client):
    login(client, make_user(Role.RESIDENT))
    assert client.get("/admin/invitations").status_code == 403
