from datetime import datetime
from typing import ClassVar

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from plaza.clock import utcnow
from plaza.extensions import db
from plaza.roles import Role


class User(UserMixin, db.Model):
    """A person with an account. Residents without e-mail sign in with a username."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    username: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(default=Role.RESIDENT)
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # The sign-in (`LoginSession`) this object was loaded through or just started, as its secret key.
    # Flask-Login keeps it in the session and "keep me signed in" cookies (login_manager.id_attribute).
    _sign_in_key: ClassVar[str | None] = None

    __table_args__ = (
        sa.CheckConstraint("email IS NOT NULL OR username IS NOT NULL", name="has_a_login"),
        # Stored lower-cased, so the unique constraint is case-insensitive on every backend.
        sa.CheckConstraint("email = lower(email)", name="email_is_lower_case"),
        sa.CheckConstraint("username = lower(username)", name="username_is_lower_case"),
    )

    def set_password(self, password: str) -> None:
        method = current_app.config["PASSWORD_HASH_METHOD"] if current_app else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.active

    def signed_in_with(self, key: str) -> "User":
        self._sign_in_key = key
        return self

    def sign_in_key(self) -> str:
        if self._sign_in_key is None:
            raise RuntimeError(f"{self!r} was not signed in through accounts.services.start_session()")
        return self._sign_in_key

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles or self.role is Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email or self.username}>"


class Invitation(db.Model):
    """A printed letter's code that lets a resident without e-mail sign up once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # sha256 of the normalised code
    note: Mapped[str | None] = mapped_column(sa.String(200))  # e.g. the desk or district it went to
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), unique=True
    )
    used_at: Mapped[datetime | None]


class LoginSession(db.Model):
    """One sign-in on one device. Cookies carry its key; signing out deletes the row, so a copy of the
    cookies taken before opens nothing afterwards, in any web process."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # sha256 of the key in the cookies
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class SignInAttempt(db.Model):
    """A recent failed sign-in, counted against an account or an address (`subject`: a keyed hash, never
    the login or the IP address). An account's row is written before the password is checked and deleted
    if it was right; an address's only after a failure. Rows older than the window are pruned."""

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(sa.String(64))
    attempted_at: Mapped[datetime] = mapped_column(index=True)

    __table_args__ = (sa.Index("ix_sign_in_attempt_subject_attempted_at", "subject", "attempted_at"),)
