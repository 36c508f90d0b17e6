from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from plaza.accounts import bp, services
from plaza.accounts.forms import (
    InvitationSignUpForm,
    LoginForm,
    LogoutForm,
    ResetPasswordForm,
    ResetRequestForm,
    SignUpForm,
)
from plaza.errors import RuleBroken
from plaza.extensions import limiter
from plaza.i18n import SESSION_KEY, current_language
from plaza.navigation import local_path
from plaza.proposals.listing import districts
from plaza.voting import casting
from plaza.voting.forms import EligibilityForm


def _safe_next(default: str) -> str:
    return local_path(request.values.get("next"), default)


def _sign_in(user, remember: bool = False) -> None:
    """Start a fresh session for `user`, keeping only the visitor's language choice."""
    language = session.get(SESSION_KEY)
    session.clear()
    if language:
        session[SESSION_KEY] = language
    login_user(services.start_session(user, remember), remember=remember)


def _render_invalid(template: str, form, status: int = 400):
    """Re-show a form with its errors; a POST that did not validate is a 400 for clients and tests."""
    return render_template(template, form=form), status if request.method == "POST" else 200


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            user = services.register_with_email(
                form.email.data, form.display_name.data, form.password.data, current_language()
            )
        except RuleBroken as error:
            error.show_on(form)
        else:
            _sign_in(user)
            flash(_("Welcome to Plaza, %(name)s. Your account is ready.", name=user.display_name), "success")
            return redirect(url_for("core.home"))
    return _render_invalid("accounts/signup.html", form)


@bp.route("/signup/invitation", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def signup_with_invitation():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = InvitationSignUpForm()
    if form.validate_on_submit():
        try:
            user = services.register_with_invitation(
                form.code.data, form.display_name.data, form.username.data, form.password.data,
                current_language(),
            )
        except RuleBroken as error:
            error.show_on(form)
        else:
            _sign_in(user)
            flash(_("Welcome to Plaza, %(name)s. Sign in next time with the username %(username)s.",
                    name=user.display_name, username=user.username), "success")
            return redirect(url_for("core.home"))
    return _render_invalid("accounts/signup_invitation.html", form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    # Not limited per address with Flask-Limiter: a desk where many residents sign in shares one address.
    # services.sign_in counts failed attempts per account and per address instead.
    if current_user.is_authenticated:
        return redirect(_safe_next(url_for("core.home")))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.sign_in(form.login.data, form.password.data, request.remote_addr)
        except RuleBroken as error:
            error.show_on(form)
            return _render_invalid("accounts/login.html", form, error.status)
        _sign_in(user, remember=form.remember.data)
        flash(_("You are signed in."), "success")
        return redirect(_safe_next(url_for("core.home")))
    return _render_invalid("accounts/login.html", form)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    form = LogoutForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if current_user.is_authenticated:
            services.end_session(current_user.sign_in_key())
        logout_user()
        flash(_("You are signed out."), "success")
        return redirect(url_for("core.home"))
    if not current_user.is_authenticated:
        return redirect(url_for("core.home"))
    return render_template("accounts/logout.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(_("If an account uses that address, a reset link is on its way. It works for %(minutes)d minutes.",
                minutes=_reset_minutes()), "success")
        return redirect(url_for("accounts.login"))
    return _render_invalid("accounts/reset_request.html", form)


def _reset_minutes() -> int:
    return current_app.config["PASSWORD_RESET_MAX_AGE"] // 60


@bp.after_request
def never_cache_account_pages(response):
    """Account pages carry personal data and one-time links: keep them out of shared caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except RuleBroken as error:
        return render_template("accounts/reset_invalid.html", message=error.message), error.status
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except RuleBroken as error:
            return render_template("accounts/reset_invalid.html", message=error.message), error.status
        flash(_("Your password is changed. Sign in with the new one."), "success")
        return redirect(url_for("accounts.login"))
    return _render_invalid("accounts/reset_password.html", form)


@bp.route("/")
@login_required
def profile():
    return render_template("accounts/profile.html", form=LogoutForm(),
                           eligibility=casting.eligibility_of(current_user))


@bp.route("/eligibility", methods=["GET", "POST"])
@login_required
def eligibility():
    """Where the resident lives and their date of birth: what decides which votes they may cast."""
    record = casting.eligibility_of(current_user)
    form = EligibilityForm(data={"district": record.district_id or 0, "birth_date": record.birth_date}
                           if record and request.method == "GET" else None)
    form.district.choices = [(0, _("Not given"))] + [(d.id, d.name) for d in districts()]
    if form.validate_on_submit():
        try:
            casting.declare_eligibility(current_user, form.district.data or None, form.birth_date.data)
        except RuleBroken as error:
            error.show_on(form)
        else:
            flash(_("Saved. Votes open to you now show a ballot."), "success")
            return redirect(url_for(".profile"))
    return render_template("accounts/eligibility.html", form=form, record=record), 400 if form.errors else 200
