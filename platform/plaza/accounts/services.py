"""Account rules: sign-up (e-mail or invitation), sign-in, password reset, invitations, roles."""

import functools
import hashlib
import hmac
import ipaddress
import math
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from plaza import mail as email
from plaza import outbox
from plaza.accounts.models import Invitation, LoginSession, SignInAttempt, User
from plaza.audit import services as audit
from plaza.clock import utcnow
from plaza.errors import RuleBroken
from plaza.extensions import db

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


def sign_in(login: str, password: str, address: str | None) -> User:
    """The account these credentials open. Refuses wrong ones (400), and any attempt (right or wrong) on an
    account or from an address with too many recent failures (429). Successful sign-ins are not counted."""
    config = current_app.config
    now = utcnow()
    since = now - timedelta(seconds=config["SIGN_IN_FAILURE_WINDOW"])
    user = find_by_login(login)
    # Unknown logins are counted by name, so they lock exactly like real accounts and reveal nothing.
    account = _throttle_subject("account", str(user.id) if user else "login:" + login.strip().lower())
    network = _throttle_subject("address", _network(address))
    db.session.execute(sa.delete(SignInAttempt).where(SignInAttempt.attempted_at < since))
    attempt = SignInAttempt(subject=account, attempted_at=now)
    db.session.add(attempt)
    # The account's row is committed before counting: simultaneous guesses see each other, so no more than
    # the limit get their password checked however many arrive at once. The address's row is written only
    # for a failure, so sign-ins in progress (a busy desk, a large NAT) never count against the address.
    db.session.commit()
    counts = dict(db.session.execute(
        sa.select(SignInAttempt.subject, sa.func.count())
        .where(SignInAttempt.subject.in_([account, network]), SignInAttempt.attempted_at >= since)
        .group_by(SignInAttempt.subject)
    ).all())
    minutes = math.ceil(config["SIGN_IN_FAILURE_WINDOW"] / 60)
    locked = None
    if counts.get(account, 0) > config["SIGN_IN_FAILURES_PER_ACCOUNT"]:
        locked = _("There were too many failed attempts to sign in to this account. "
                   "Wait %(minutes)d minutes and try again.", minutes=minutes)
    elif counts.get(network, 0) >= config["SIGN_IN_FAILURES_PER_ADDRESS"]:
        locked = _("There were too many failed attempts to sign in from your network. "
                   "Wait %(minutes)d minutes and try again.", minutes=minutes)
    if locked:
        db.session.execute(sa.delete(SignInAttempt).where(SignInAttempt.id == attempt.id))
        db.session.commit()
        raise RuleBroken(locked, status=429)
    if user is None:
        check_password_hash(_unmatchable_hash(), password)
    if user is None or not user.check_password(password) or not user.active:
        db.session.add(SignInAttempt(subject=network, attempted_at=now))
        db.session.commit()
        raise RuleBroken(_("The e-mail address, username or password is not right."))
    db.session.execute(sa.delete(SignInAttempt).where(SignInAttempt.subject == account))
    db.session.commit()
    return user


def _throttle_subject(kind: str, value: str) -> str:
    """A keyed hash: the attempts table holds neither logins nor IP addresses."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"sign-in:{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _network(address: str | None) -> str:
    """The address, or for IPv6 its /64: one household or desk usually gets a whole /64."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


# Sessions. Each sign-in is a `LoginSession` row; the session and "keep me signed in" cookies carry its
# random key (signed by Flask), the database only the key's hash. No row, no session: signing out, a new
# password or an expired row ends it in every web process at once, and no cookie copy brings it back.

def _session_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(user: User, remember: bool = False) -> User:
    """Record a new sign-in for `user`; the returned user carries its key for Flask-Login."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.execute(sa.delete(LoginSession).where(LoginSession.expires_at <= now))
    db.session.add(LoginSession(user_id=user.id, key_hash=_session_key_hash(key), remember=remember,
                                created_at=now, expires_at=now + current_app.config["REMEMBER_COOKIE_DURATION"]))
    db.session.commit()
    return user.signed_in_with(key)


def user_for_session(key: str) -> User | None:
    """The active user of the sign-in with this key, if it has not ended."""
    user = db.session.scalar(
        sa.select(User).join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.key_hash == _session_key_hash(key), LoginSession.expires_at > utcnow())
    )
    if user is None or not user.active:
        return None
    return user.signed_in_with(key)


def end_session(key: str) -> None:
    db.session.execute(sa.delete(LoginSession).where(LoginSession.key_hash == _session_key_hash(key)))
    db.session.commit()


def change_password(user: User, new_password: str) -> None:
    """Set the password and end every sign-in of the account (the caller commits)."""
    user.set_password(new_password)
    db.session.flush()
    db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.execute(sa.delete(SignInAttempt).where(
        SignInAttempt.subject == _throttle_subject("account", str(user.id))))


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
    change_password(user, new_password)
    db.session.commit()
    return user


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()
