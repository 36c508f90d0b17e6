"""Dates, lists, numbers and money in the page's language, in the city's time zone and currency."""

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from plaza import i18n

CHRISTMAS_EVENING = datetime(2026, 12, 25, 17, 30, 15, tzinfo=UTC)


@pytest.mark.app_config(BABEL_DEFAULT_TIMEZONE="Europe/Madrid")
def test_times_are_shown_in_the_city_time_zone_to_the_minute(app):
    with app.test_request_context(), force_locale("en"):
        shown = i18n.format_datetime(CHRISTMAS_EVENING)
    assert "6:30" in shown and "PM" in shown, "17:30 UTC is 18:30 in Madrid"
    assert ":15" not in shown, "no seconds"


def test_times_follow_the_language(app):
    with app.test_request_context():
        with force_locale("ca"):
            assert "17:30" in i18n.format_datetime(CHRISTMAS_EVENING)
        with force_locale("ko"):
            assert "오후 5:30" in i18n.format_datetime(CHRISTMAS_EVENING)


def test_lists_are_joined_as_each_language_joins_them(app):
    with app.test_request_context():
        with force_locale("en"):
            assert i18n.format_list(["vote", "comment", "propose"]) == "vote, comment, and propose"
        with force_locale("ar"):
            assert i18n.format_list(["أ", "ب", "ج"]) == "أ وب وج"
        with force_locale("es"):
            assert i18n.format_list(["votar", "comentar"]) == "votar y comentar"


@pytest.mark.app_config(PLAZA_CURRENCY="SEK")
def test_money_is_in_the_configured_currency_without_cents_when_whole(app):
    with app.test_request_context():
        with force_locale("sv"):
            assert i18n.format_money(96000).replace("\xa0", " ") == "96 000 kr"
        with force_locale("en"):
            whole, part = i18n.format_money(96000), i18n.format_money(12.5)
        assert whole.startswith("SEK") and whole.endswith("96,000")
        assert part.startswith("SEK") and part.endswith("12.50")


def test_money_defaults_to_euros_placed_as_the_language_places_them(app):
    with app.test_request_context():
        with force_locale("en"):
            assert i18n.format_money(100000) == "€100,000"
        with force_locale("es"):
            assert i18n.format_money(100000).replace("\xa0", " ") == "100.000 €"
