"""Guesses fired at once at one account get no more password checks than the limit allows."""

import pytest

from tests.conftest import PASSWORD, csrf_token, make_user
from tests.integration.test_voting_concurrency import fire_at_once

pytestmark = pytest.mark.integration
GUESSES = 20


def test_simultaneous_wrong_guesses_are_held_to_the_limit(app):
    make_user(email="jordi@example.org")
    attempts = []
    for index in range(GUESSES):
        client = app.test_client()
        attempts.append((client, {"csrf_token": csrf_token(client, "/account/login"), "login": "jordi@example.org",
                                  "password": f"wrong guess number {index}"}))
    results = fire_at_once(app, attempts, "/account/login")
    statuses = sorted(status for status, _text in results)
    assert set(statuses) <= {400, 429}, statuses
    # Refused attempts are not counted, so what follows one by one makes the total exactly the limit.
    checked = statuses.count(400)
    late = app.test_client()
    for _attempt in range(GUESSES):
        response = late.post("/account/login", data={"csrf_token": csrf_token(late, "/account/login"),
                                                     "login": "jordi@example.org", "password": "another guess"})
        if response.status_code != 400:
            break
        checked += 1
    assert response.status_code == 429
    assert checked == app.config["SIGN_IN_FAILURES_PER_ACCOUNT"], statuses
    response = late.post("/account/login", data={"csrf_token": csrf_token(late, "/account/login"),
                                                 "login": "jordi@example.org", "password": PASSWORD})
    assert response.status_code == 429


@pytest.mark.app_config(SIGN_IN_FAILURES_PER_ADDRESS=3)
def test_simultaneous_sign_ins_from_one_address_do_not_count_against_it(app):
    attempts = []
    for _person in range(12):  # a desk, or a large NAT: many people, one address, all at once
        user = make_user()
        client = app.test_client()
        attempts.append((client, {"csrf_token": csrf_token(client, "/account/login"), "login": user.email,
                                  "password": PASSWORD}))
    results = fire_at_once(app, attempts, "/account/login")
    assert [status for status, _text in results] == [302] * 12
