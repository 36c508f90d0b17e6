"""Following a consultation from its page: the button, sign-in, the CSRF token, and the rows it leaves."""

from urllib.parse import parse_qs, urlsplit

import pytest

from plaza.accounts.models import Role
from plaza.notifications import services
from plaza.notifications.models import Follow
from tests.conftest import assert_refused_by_csrf, count, login, make_process, make_user, submit

pytestmark = pytest.mark.usefixtures("app")

SLUG = "safer-streets"
PAGE = f"/processes/{SLUG}"


def text(response) -> str:
    return response.get_data(as_text=True)


def test_a_resident_follows_and_unfollows_a_consultation_from_its_page(client):
    process = make_process(slug=SLUG)
    resident = make_user()
    login(client, resident)
    assert "Follow this consultation" in text(client.get(PAGE))

    followed = submit(client, f"{PAGE}/follow", {}, form_url=PAGE)
    assert followed.status_code == 302 and followed.headers["Location"].endswith(PAGE)
    page = text(client.get(PAGE))
    assert "You follow this consultation." in page and "Stop following" in page
    assert services.is_following(resident, process=process)

    again = submit(client, f"{PAGE}/follow", {}, form_url=PAGE)
    assert again.status_code == 302 and count(Follow) == 1  # following twice keeps one row

    unfollowed = submit(client, f"{PAGE}/unfollow", {}, form_url=PAGE)
    assert unfollowed.status_code == 302 and unfollowed.headers["Location"].endswith(PAGE)
    page = text(client.get(PAGE))
    assert "You no longer follow this consultation." in page and "Follow this consultation" in page
    assert count(Follow) == 0


def test_following_one_consultation_leaves_the_others_alone(client):
    make_process(slug=SLUG)
    other = make_process(slug="other")
    resident = make_user()
    services.follow(resident, process=other)
    login(client, resident)
    submit(client, f"{PAGE}/unfollow", {}, form_url=PAGE)
    assert services.is_following(resident, process=other)


def test_visitors_see_no_follow_button_and_are_sent_to_sign_in(client):
    make_process(slug=SLUG)
    page = text(client.get(PAGE))
    assert "Follow this consultation" not in page
    for choice in ("follow", "unfollow"):
        response = submit(client, f"{PAGE}/{choice}", {}, form_url=PAGE)
        assert response.status_code == 302
        location = urlsplit(response.headers["Location"])
        assert location.path == "/account/login"
        assert parse_qs(location.query)["next"] == [PAGE]  # back to the page, not to the POST-only address
    assert count(Follow) == 0


@pytest.mark.parametrize("choice", ["follow", "unfollow"])
def test_following_needs_a_valid_csrf_token(client, choice):
    process = make_process(slug=SLUG)
    resident = make_user()
    if choice == "unfollow":
        services.follow(resident, process=process)
    login(client, resident)
    for data in ({}, {"csrf_token": "forged"}):
        assert_refused_by_csrf(client.post(f"{PAGE}/{choice}", data=data))
    assert count(Follow) == (1 if choice == "unfollow" else 0)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_may_follow(client, role):
    make_process(slug=SLUG)
    login(client, make_user(role))
    assert submit(client, f"{PAGE}/follow", {}, form_url=PAGE).status_code == 302
    assert count(Follow) == 1


def test_following_is_a_post_button_and_an_unknown_consultation_is_404(client):
    make_process(slug=SLUG)
    login(client, make_user())
    assert client.get(f"{PAGE}/follow").status_code == 405
    assert submit(client, "/processes/nowhere/follow", {}, form_url=PAGE).status_code == 404
    assert count(Follow) == 0
