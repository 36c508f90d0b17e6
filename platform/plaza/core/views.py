from flask import abort, redirect, render_template, request, session, url_for
from flask_login import current_user

from plaza.accounts import services as accounts
from plaza.core import bp
from plaza.i18n import SESSION_KEY, available
from plaza.navigation import local_path


@bp.route("/")
def home():
    return render_template("core/home.html")


@bp.route("/language/<code>")
def choose_language(code: str):
    """Switch the interface language. A link, not a form, so it works with no JavaScript and no session."""
    if code not in available():
        abort(404)
    session[SESSION_KEY] = code
    if current_user.is_authenticated and current_user.locale != code:
        accounts.set_locale(current_user, code)
    return redirect(local_path(request.args.get("next"), url_for("core.home")))


@bp.route("/healthz")
def health():
    return {"status": "ok"}
