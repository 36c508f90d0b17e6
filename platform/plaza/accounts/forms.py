import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp, ValidationError

from plaza.accounts import passwords
from plaza.web.fields import strip_text

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")


class _NewPassword:
    """Validator: the password is strong enough, given the other personal fields of the form."""

    def __init__(self, *personal_fields: str):
        self.personal_fields = personal_fields

    def __call__(self, form, field):
        personal = [getattr(form, name).data for name in self.personal_fields if hasattr(form, name)]
        problem = passwords.weakness(field.data or "", *personal)
        if problem:
            raise ValidationError(problem)


def _password_fields(*personal_fields: str):
    password = PasswordField(
        _l("Password"),
        description=_l("At least %(count)d characters. A few unrelated words are easy to remember.",
                       count=passwords.MIN_LENGTH),
        validators=[DataRequired(message=_l("Enter a password.")), _NewPassword(*personal_fields)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(message=_l("Enter the password a second time.")),
                    EqualTo("password", message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


def _display_name_field():
    return StringField(
        _l("Your name"),
        filters=[strip_text],
        description=_l("Shown next to what you write. It can be a first name or a nickname."),
        validators=[DataRequired(message=_l("Enter your name.")),
                    Length(max=80, message=_l("Use at most %(max)d characters."))],
        render_kw={"autocomplete": "nickname"},
    )


def _email_field():
    return EmailField(
        _l("E-mail address"),
        filters=[strip_text],
        validators=[DataRequired(message=_l("Enter your e-mail address.")),
                    Email(message=_l("Enter an e-mail address like name@example.org."),
                          check_deliverability=False),
                    Length(max=254, message=_l("Use at most %(max)d characters."))],
        render_kw={"autocomplete": "email"},
    )


class SignUpForm(FlaskForm):
    display_name = _display_name_field()
    email = _email_field()
    password, confirm = _password_fields("display_name", "email")
    submit = SubmitField(_l("Create my account"))


class InvitationSignUpForm(FlaskForm):
    code = StringField(
        _l("Invitation code"),
        description=_l("The code printed on your letter, for example ABCD-EFGH-JKLM."),
        validators=[DataRequired(message=_l("Enter the code from your letter.")), Length(max=40)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    display_name = _display_name_field()
    username = StringField(
        _l("Username"),
        description=_l("You sign in with it. 3 to 32 small letters, digits, dots, dashes or underscores."),
        filters=[strip_text, lambda value: value.lower() if value else value],
        validators=[DataRequired(message=_l("Choose a username.")),
                    Regexp(USERNAME_PATTERN, message=_l(
                        "Use 3 to 32 small letters, digits, dots, dashes or underscores, "
                        "starting with a letter or digit."))],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password, confirm = _password_fields("display_name", "username")
    submit = SubmitField(_l("Create my account"))


class LoginForm(FlaskForm):
    login = StringField(
        _l("E-mail address or username"),
        validators=[DataRequired(message=_l("Enter your e-mail address or username.")), Length(max=254)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=passwords.MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"))
    submit = SubmitField(_l("Sign in"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Sign out"))


class ResetRequestForm(FlaskForm):
    email = _email_field()
    submit = SubmitField(_l("Send me a reset link"))


class ResetPasswordForm(FlaskForm):
    password, confirm = _password_fields()
    submit = SubmitField(_l("Save my new password"))
