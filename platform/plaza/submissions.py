"""Submission keys: a form that creates something carries a key made when the form is shown, so that sending
it twice (a double click, a resent page) gives back what the first sending made.

A key is used once: by one person, for one kind of thing, in one place (the process or proposal the form
belongs to). The `submission` table's primary key holds that across every kind, so a key copied from another
person's form, from another kind of form or from another page is refused instead of returning, or colliding
with, someone else's result.
"""

import uuid
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column

from plaza.clock import utcnow
from plaza.errors import RuleBroken
from plaza.extensions import db


class Submission(db.Model):
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))  # "proposal", "amendment", "comment", "meeting"
    scope_id: Mapped[int]  # the process (proposals, meetings) or proposal (amendments, comments) of the form
    object_id: Mapped[int]  # what the first sending made
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def new_key() -> str:
    return uuid.uuid4().hex


class KeyAlreadyUsed(RuleBroken):
    """The form's key was used for something else. The form gets a fresh key, so sending it again works."""

    def __init__(self):
        super().__init__(_("This form was already used for something else. Check what you wrote and send it "
                           "again."), status=400)

    def show_on(self, form) -> None:
        super().show_on(form)
        form.submission_key.data = new_key()


def _row(key: str) -> Submission | None:
    return db.session.get(Submission, key)


def earlier_result(user, kind: str, scope_id: int, key: str, model):
    """What this person's first sending of this form made (a `model` row), or None if the key is unused.
    Raises KeyAlreadyUsed if the key was used by someone else, for another kind of thing or elsewhere."""
    row = _row(key)
    if row is None:
        return None
    if (row.user_id, row.kind, row.scope_id) != (user.id, kind, scope_id):
        raise KeyAlreadyUsed()
    made = db.session.get(model, row.object_id)
    if made is None:  # deleted since
        raise KeyAlreadyUsed()
    return made


def record(user, kind: str, scope_id: int, key: str, object_id: int) -> None:
    """Claim the key in the caller's transaction; a second claim of the same key fails at commit."""
    db.session.add(Submission(key=key, user_id=user.id, kind=kind, scope_id=scope_id, object_id=object_id))
