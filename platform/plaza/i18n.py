"""Which language a page is in: the visitor's choice, their account's, their browser's, or English."""

from babel.dates import get_datetime_format
from babel.lists import format_list as babel_format_list
from babel.numbers import format_currency, format_decimal
from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_time, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from plaza.config import LANGUAGES, RIGHT_TO_LEFT
from plaza.roles import Role
from plaza.tasks.models import TaskState

SESSION_KEY = "lang"


def available() -> list[str]:
    return current_app.config["PLAZA_LANGUAGES"]


def select_locale() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get(SESSION_KEY)
    if chosen in available():
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in available():
        return current_user.locale
    return request.accept_languages.best_match(available()) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or "en")


def text_direction(code: str | None = None) -> str:
    return "rtl" if (code or current_language()).split("_")[0] in RIGHT_TO_LEFT else "ltr"


def format_datetime(value, date_format: str = "medium") -> str:
    """A date and time in PLAZA_TIMEZONE, in the page's language, to the minute (no seconds)."""
    pattern = get_datetime_format(date_format, locale=get_locale())
    return pattern.format(format_time(value, "short"), format_date(value, date_format)).replace("'", "")


def format_list(items, style: str = "standard") -> str:
    """["a", "b", "c"] as the page's language joins them ("a, b and c"; Arabic uses "،" and "و")."""
    return babel_format_list([str(item) for item in items], style=style, locale=get_locale())


def format_number(value) -> str:
    return format_decimal(value, locale=get_locale())


def format_money(amount) -> str:
    """An amount in PLAZA_CURRENCY, without cents when it is whole (budgets are whole numbers)."""
    currency, locale = current_app.config["PLAZA_CURRENCY"], get_locale()
    if not float(amount).is_integer():
        return format_currency(amount, currency, locale=locale)
    pattern = locale.currency_formats["standard"].pattern.split(";")[0].replace(".00", "")
    return format_currency(amount, currency, locale=locale, format=pattern, currency_digits=False)


ROLE_NAMES = {
    Role.RESIDENT: _l("Resident"),
    Role.MODERATOR: _l("Moderator"),
    Role.ORGANISER: _l("Organiser"),
    Role.COUNCIL_OFFICER: _l("Council officer"),
    Role.ADMIN: _l("Administrator"),
}

TASK_STATE_NAMES = {
    TaskState.QUEUED: _l("Waiting to start"),
    TaskState.RUNNING: _l("Running"),
    TaskState.FINISHED: _l("Finished"),
    TaskState.FAILED: _l("Failed"),
}


def template_globals() -> dict:
    return {
        "Role": Role,
        "role_names": ROLE_NAMES,
        "state_names": TASK_STATE_NAMES,
        "format_date": format_date,
        "format_datetime": format_datetime,
        "format_list": format_list,
        "format_number": format_number,
        "format_money": format_money,
        "current_language": current_language,
        "text_direction": text_direction,
        "language_names": {code: LANGUAGES[code] for code in available()},
    }
