"""Account rules: sign-up (e-mail or invitation), sign-in, password reset, invitations, roles."""

import functools
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from plaza.accounts.models import Invitation, User
from plaza.audit import services as audit
from plaza.clock import utcnow
from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.notifications import email, outbox

# Letters and digits that cannot be mistaken for each other when read aloud or typed from paper.
INVITATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
INVITATION_GROUPS = 3
INVITATION_GROUP_LENGTH = 4



def normalise_email(address: str) -> str:
    return address.strip().lower()


def normalise_invitation_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _hash_code(code: str) -> str:
    return hashlib.sha256(normalise_invitation_code(code).encode()).hexdigest()


def _new_user(display_name: str, password: str, locale: str | None, **login) -> User:
    user = User(display_name=display_name.strip(), locale=locale, **login)
    user.set_password(password)
    return user


def register_with_email(email_address: str, display_name: str, password: str, locale: str | None = None) -> User:
    user = _new_user(display_name, password, locale, email=normalise_email(email_address))
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise RuleBroken(_("An account with this e-mail address already exists."), field="email") from None
    return user


def register_with_invitation(code: str, display_name: str, username: str, password: str,
                             locale: str | None = None) -> User:
    """Create the account and use up the invitation in one transaction; a code works once.

    The code is checked before the username, so without a valid letter nobody learns which usernames exist.
    """
    code_hash = _hash_code(code)
    problem = _invitation_problem(code_hash)
    if problem:
        raise RuleBroken(problem, field="code")
    user = _new_user(display_name, password, locale, username=username.strip().lower())
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise RuleBroken(_("This username is taken. Please choose another."), field="username") from None
    now = utcnow()
    claimed = db.session.execute(
        sa.update(Invitation)
        .where(Invitation.code_hash == code_hash, Invitation.used_at.is_(None), Invitation.expires_at > now)
        .values(used_at=now, used_by_id=user.id)
    ).rowcount
    if claimed != 1:  # used up (or expired) by a concurrent sign-up since the check above
        db.session.rollback()
        raise RuleBroken(_invitation_problem(code_hash) or _("This invitation code has already been used. "
                                                              "Ask for a new letter."), field="code")
    db.session.commit()
    return user


def _invitation_problem(code_hash: str) -> str | None:
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.code_hash == code_hash))
    if invitation is None:
        return _("We do not know this invitation code. Check it against your letter.")
    if invitation.used_at is not None:
        return _("This invitation code has already been used. Ask for a new letter.")
    if invitation.expires_at <= utcnow():
        return _("This invitation code has expired. Ask for a new letter.")
    return None


def create_invitations(count: int, created_by: User | None, note: str | None = None,
                       valid_days: int = 90) -> list[str]:
    """Make `count` new codes; only their hashes are stored, so print them now."""
    if not 1 <= count <= 1000:
        raise RuleBroken(_("Make between 1 and 1000 invitations at a time."), field="count")
    codes = []
    expires_at = utcnow() + timedelta(days=valid_days)
    for _i in range(count):
        raw = "".join(secrets.choice(INVITATION_ALPHABET) for _j in range(INVITATION_GROUPS * INVITATION_GROUP_LENGTH))
        code = "-".join(raw[i:i + INVITATION_GROUP_LENGTH] for i in range(0, len(raw), INVITATION_GROUP_LENGTH))
        db.session.add(Invitation(code_hash=_hash_code(code), note=note, expires_at=expires_at,
                                  created_by_id=created_by.id if created_by else None))
        codes.append(code)
    audit.record("invitations.created", created_by, count=count, note=note, valid_days=valid_days)
    db.session.commit()
    return codes


def find_by_login(login: str) -> User | None:
    login = login.strip().lower()
    column = User.email if "@" in login else User.username
    return db.session.scalar(sa.select(User).where(column == login))


@functools.cache
def _unmatchable_hash() -> str:
    """Checked when no account matches, so a failed sign-in takes as long either way."""
    return generate_password_hash(secrets.token_hex(16), method="scrypt")


def authenticate(login: str, password: str) -> User | None:
    user = find_by_login(login)
    if user is None:
        check_password_hash(_unmatchable_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


# Password reset. The token names the user and a fragment of the current password hash, so it stops
# working as soon as the password changes: a link works once, and only for a limited time.

def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="plaza.password-reset")


def _hash_fragment(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def password_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"user": user.id, "h": _hash_fragment(user)})


def request_password_reset(email_address: str) -> None:
    """Queue a reset e-mail if an account has this address. Says nothing either way (no enumeration)."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email_address)))
    if user is None or not user.active:
        return
    # One e-mail per account per 10 minutes, however many requests arrive (from however many addresses).
    window = int(utcnow().timestamp()) // 600
    outbox.record("account.password_reset", idempotency_key=f"password_reset:{user.id}:{window}", user_id=user.id)
    db.session.commit()


@outbox.handles("account.password_reset")
def send_password_reset(event) -> None:
    user = db.session.get(User, event.payload["user_id"])
    if user is None or user.email is None:
        return
    base = current_app.config["PLAZA_BASE_URL"].rstrip("/")
    link = f"{base}/account/reset/{password_reset_token(user)}"
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    email.send(user.email, "password_reset", user.locale, user=user, link=link, minutes=minutes)


def user_for_reset_token(token: str) -> User:
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        raise RuleBroken(_("This reset link has expired. Ask for a new one."), status=410) from None
    except BadSignature:
        raise RuleBroken(_("This reset link is not valid. Ask for a new one."), status=404) from None
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or data.get("h") != _hash_fragment(user):
        raise RuleBroken(_("This reset link has already been used. Ask for a new one."), status=410)
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    user.set_password(new_password)
    db.session.commit()
    return user


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()
