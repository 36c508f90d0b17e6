from datetime import UTC, datetime
from types import SimpleNamespace

from flask import abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from plaza.accounts import services as accounts
from plaza.core import bp
from plaza.core.forms import SampleForm
from plaza.i18n import SESSION_KEY, available
from plaza.navigation import local_path
from plaza.processes.now import open_now


@bp.route("/")
def home():
    """The consultations open now, most urgent first, each with what a resident can do and until when."""
    return render_template("core/home.html",
                           open_now=open_now(current_user if current_user.is_authenticated else None))


@bp.route("/language/<code>")
def choose_language(code: str):
    """Switch this visit's language with a plain link. It saves nothing to the account: a GET must not
    change stored data (any site could, with an image), so the account's language waits for the POST."""
    if code not in available():
        abort(404)
    session[SESSION_KEY] = code
    return redirect(local_path(request.args.get("next"), url_for("core.home")))


@bp.route("/language", methods=["POST"])
def save_language():
    """The language switcher on every page (a form, CSRF-checked): this visit's language, and the signed-in
    person's, which their e-mails use."""
    code = request.form.get("code", "")
    if code not in available():
        abort(400)
    session[SESSION_KEY] = code
    if current_user.is_authenticated and current_user.locale != code:
        accounts.set_locale(current_user, code)
    return redirect(local_path(request.form.get("next"), url_for("core.home")), code=303)


@bp.route("/healthz")
def health():
    return {"status": "ok"}


@bp.route("/design")
def design():
    """The design system: every shared component with sample text, in the page's language."""
    sample = SampleForm(formdata=None, name="Amina", email="amina@example", how="online")
    sample.email.errors = [_("Enter an e-mail address like name@example.org.")]
    return render_template("core/design.html", sample=sample, closes=datetime(2026, 12, 25, 17, 0, tzinfo=UTC),
                           page=SimpleNamespace(number=2, pages=5))
