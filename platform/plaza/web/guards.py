from flask import Flask, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest


class NulCharacter(BadRequest):
    """Text with a NUL character: PostgreSQL cannot store it, and no person types one."""

    title = _l("Your text contains a character we cannot save")
    message = _l("Something you sent contains an invisible “null” character, which usually comes from copying "
                 "text out of another program. Type the text again instead of pasting it, and try again. "
                 "Nothing was saved.")


def _has_nul(values: MultiDict) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def install(app: Flask) -> None:
    @app.url_value_preprocessor
    def refuse_nul_characters(_endpoint, _values):
        # Once here rather than in each form: hand-read fields (ballots, questionnaires, tags) and query
        # strings (search, slugs) reach the database too. A URL value preprocessor of the app runs before
        # any blueprint's (the process-scoped one looks up the slug) and before every before_request.
        if ("\x00" in request.path or _has_nul(request.args) or _has_nul(request.form)
                or any("\x00" in (upload.filename or "") for upload in request.files.values())):
            raise NulCharacter()
