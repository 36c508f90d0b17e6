from flask import abort, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from plaza import components
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
from plaza.web.pages import form_page
from plaza.web.responses import no_store


def _safe_next(default: str) -> str:
    return local_path(request.values.get("next"), default)


def _sign_in(user, remember: bool = False) -> None:
    """Start a fresh session for `user`, keeping only the visitor's language choice."""
    language = session.get(SESSION_KEY)
    session.clear()
    if language:
        session[SESSION_KEY] = language
    login_user(services.start_session(user, remember), remember=remember)


@bp.after_request
def never_cache_account_pages(response):
    """Account pages carry personal data and one-time links: keep them out of shared caches."""
    return no_store(response)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = SignUpForm()

    def save():
        user = services.register_with_email(form.email.data, form.display_name.data, form.password.data,
                                            current_language())
        _sign_in(user)
        flash(_("Welcome to Plaza, %(name)s. Your account is ready.", name=user.display_name), "success")
        return redirect(url_for("core.home"))

    return form_page("accounts/signup.html", form, save)


@bp.route("/signup/invitation", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def signup_with_invitation():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = InvitationSignUpForm()

    def save():
        user = services.register_with_invitation(form.code.data, form.display_name.data, form.username.data,
                                                 form.password.data, current_language())
        _sign_in(user)
        flash(_("Welcome to Plaza, %(name)s. Sign in next time with the username %(username)s.",
                name=user.display_name, username=user.username), "success")
        return redirect(url_for("core.home"))

    return form_page("accounts/signup_invitation.html", form, save)


@bp.route("/login", methods=["GET", "POST"])
def login():
    # Not limited per address with Flask-Limiter: a desk where many residents sign in shares one address.
    # services.sign_in counts failed attempts per account and per address instead.
    if current_user.is_authenticated:
        return redirect(_safe_next(url_for("core.home")))
    form = LoginForm()

    def save():
        user = services.sign_in(form.login.data, form.password.data, request.remote_addr)
        _sign_in(user, remember=form.remember.data)
        flash(_("You are signed in."), "success")
        return redirect(_safe_next(url_for("core.home")))

    return form_page("accounts/login.html", form, save)


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

    def save():
        services.request_password_reset(form.email.data)
        flash(_("If an account uses that address, a reset link is on its way. It works for %(minutes)d minutes.",
                minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60), "success")
        return redirect(url_for("accounts.login"))

    return form_page("accounts/reset_request.html", form, save)


def _reset_link_refused(error: RuleBroken):
    return make_response(render_template("accounts/reset_invalid.html", message=error.message), error.status)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except RuleBroken as error:
        return _reset_link_refused(error)
    form = ResetPasswordForm()

    def save():
        services.reset_password(token, form.password.data)
        flash(_("Your password is changed. Sign in with the new one."), "success")
        return redirect(url_for("accounts.login"))

    return form_page("accounts/reset_password.html", form, save, refused=_reset_link_refused)


@bp.route("/")
@login_required
def profile():
    """The resident's account; other areas add their part (where they live, …) as "account" panels."""
    panels, _status = components.render_panels("account", current_user, current_user)
    return render_template("accounts/profile.html", form=LogoutForm(), panels=panels)
