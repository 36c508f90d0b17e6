"""Who may do what, where and when: role x phase x component, decided here and nowhere else.

Each action is a small rule: the roles that may do it, the component the active phase must enable (if
any), and whether the process must be in a phase at all. Services call `authorize()`; templates call
`can()` to show or hide buttons. Ownership (only the author edits a proposal) is checked by the service
on top of this.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from plaza.accounts.models import Role
from plaza.errors import RuleBroken
from plaza.phases import Component

EVERYONE = frozenset(Role)
STAFF = frozenset({Role.ORGANISER, Role.ADMIN})
MODERATORS = frozenset({Role.MODERATOR, Role.ORGANISER, Role.ADMIN})
ANSWERERS = frozenset({Role.ORGANISER, Role.COUNCIL_OFFICER, Role.ADMIN})


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]  # signed-in roles allowed; anonymous visitors may only do actions with anonymous=True
    component: Component | None = None  # the active phase must enable it
    anonymous: bool = False


ACTIONS: dict[str, Rule] = {
    "process.view": Rule(EVERYONE, anonymous=True),
    "process.follow": Rule(EVERYONE),
    "process.manage": Rule(STAFF),
    "process.export": Rule(ANSWERERS),
    "proposal.create": Rule(EVERYONE, Component.PROPOSALS),
    "proposal.edit": Rule(EVERYONE, Component.PROPOSALS),
    "proposal.withdraw": Rule(EVERYONE),
    "proposal.support": Rule(EVERYONE, Component.SUPPORTS),
    "proposal.amend": Rule(EVERYONE, Component.PROPOSALS),
    "proposal.answer": Rule(ANSWERERS),
    "proposal.merge": Rule(STAFF),
    "comment.create": Rule(EVERYONE, Component.COMMENTS),
    "comment.vote": Rule(EVERYONE, Component.COMMENTS),
    "comment.report": Rule(EVERYONE),
    "moderation.act": Rule(MODERATORS),
    "questionnaire.answer": Rule(EVERYONE, Component.QUESTIONNAIRE),
    "questionnaire.export": Rule(STAFF),
    "meeting.register": Rule(EVERYONE, Component.MEETINGS),
    "meeting.manage": Rule(STAFF),
    "ballot.cast": Rule(EVERYONE, Component.VOTING),
    "ballot.manage": Rule(STAFF),
}


class Forbidden(RuleBroken):
    def __init__(self, message: str):
        super().__init__(message, status=403)


def _refusal(user, action: str, process, now: datetime | None) -> str | None:
    rule = ACTIONS[action]  # an unknown action name is a bug: KeyError
    if user is None or not user.is_authenticated:
        return None if rule.anonymous else _("Sign in to take part.")
    if user.role not in rule.roles:
        return _("Your account cannot do this.")
    if rule.component is not None:
        phase = process.active_phase(now)
        if phase is None or rule.component not in phase.components:
            return _("This is not possible in the current phase of the consultation.")
    return None


def can(user, action: str, process, now: datetime | None = None) -> bool:
    return _refusal(user, action, process, now) is None


def authorize(user, action: str, process, now: datetime | None = None) -> None:
    refusal = _refusal(user, action, process, now)
    if refusal is not None:
        raise Forbidden(refusal)
