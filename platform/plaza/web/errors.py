"""Every error status gets the same styled page, in the visitor's language, with its own status and headers."""

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from plaza.extensions import db
from plaza.web.guards import NulCharacter

PAGES = {
    400: (_l("Something in the request was not right"), _l("Go back and try again. Nothing was saved.")),
    403: (_l("You cannot open this page"),
          _l("Your account does not have permission for this page. If you think it should, contact the "
             "organisers.")),
    404: (_l("Page not found"),
          _l("We could not find this page. Check the address, or start again from the home page.")),
    405: (_l("This page cannot be opened this way"),
          _l("A button may have been opened as a link, or a link sent as a form. Go back, reload the page "
             "and try again. Nothing was saved.")),
    413: (_l("What you sent is too large"),
          _l("Send smaller files, fewer at a time, or a shorter text, and try again. Nothing was saved.")),
    429: (_l("Too many attempts"), _l("Please wait a minute and try again.")),
}
OTHER = (_l("We could not do what you asked"),
         _l("Go back and try again, or start again from the home page. Nothing was saved."))


def _page(error: HTTPException, title, message):
    # The exception's own response keeps its status and headers, such as Allow on 405 or Retry-After.
    response = error.get_response()
    response.set_data(render_template("error.html", status=error.code, title=title, message=message))
    return response


def install(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400 or error.response is not None:
            return error
        title, message = PAGES.get(error.code, OTHER)
        return _page(error, title, message)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _page(error, _l("This form has expired"),
                     _l("For your safety, forms stop working after a while or in another browser tab. "
                        "Go back, reload the page and try again. Nothing was saved."))

    @app.errorhandler(NulCharacter)
    def nul_character(error: NulCharacter):
        return _page(error, error.title, error.message)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        db.session.rollback()
        return _page(error, _l("Something went wrong on our side"),
                     _l("We have been told about it. Nothing you sent was half-saved; please try again later."))
