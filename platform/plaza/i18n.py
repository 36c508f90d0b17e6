"""Which language a page is in: the visitor's choice, their account's, their browser's, or English."""

from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale
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
        "current_language": current_language,
        "text_direction": text_direction,
        "language_names": {code: LANGUAGES[code] for code in available()},
    }
