"""Who may do what, where and when: role x phase x component x ownership, decided here and nowhere else.

Each component declares its actions as `Rule`s in its manifest (`component.py`): the roles that may do
it, the component the active phase must enable (if any), whether anonymous visitors may, and whether
only the owner of the object may. Services call `authorize()`; templates and views call `can()`; views
that need a role for a whole page use `plaza.web.access.allowed`.
"""

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _

from plaza import components
from plaza.components import Action, Rule
from plaza.errors import RuleBroken
from plaza.roles import Role

EVERYONE = frozenset(Role)
STAFF = frozenset({Role.ORGANISER, Role.ADMIN})
MODERATORS = frozenset({Role.MODERATOR, Role.ORGANISER, Role.ADMIN})
ANSWERERS = frozenset({Role.ORGANISER, Role.COUNCIL_OFFICER, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})

__all__ = ["ADMINS", "ANSWERERS", "EVERYONE", "MODERATORS", "STAFF", "Forbidden", "Rule", "authorize", "can",
           "offer", "rules"]


class Forbidden(RuleBroken):
    def __init__(self, message: str):
        super().__init__(message, status=403)


def rules() -> dict[str, Rule]:
    """Every action of every installed component."""
    found: dict[str, Rule] = {}
    for manifest in components.manifests():
        for action, rule in manifest.permissions.items():
            if action in found:
                raise RuntimeError(f"the action {action!r} is declared by two components")
            found[action] = rule
    return found


def _refusal(user, action: str, process, now: datetime | None, target) -> str | None:
    rule = rules()[action]  # an unknown action name is a bug: KeyError
    if user is None or not user.is_authenticated:
        return None if rule.anonymous else _("Sign in to take part.")
    if user.role not in rule.roles and user.role is not Role.ADMIN:
        return _("Your account cannot do this.")
    if rule.owner is not None and (target is None or getattr(target, rule.owner) != user.id):
        return _("Only the person who wrote this can do that.")
    return _phase_refusal(rule, process, now)


def _phase_refusal(rule: Rule, process, now: datetime | None) -> str | None:
    if rule.component is not None:
        phase = process.active_phase(now) if process is not None else None
        if phase is None or rule.component not in phase.components:
            return _("This is not possible in the current phase of the consultation.")
    return None


def can(user, action: str, process=None, now: datetime | None = None, target=None) -> bool:
    return _refusal(user, action, process, now, target) is None


def authorize(user, action: str, process=None, now: datetime | None = None, target=None) -> None:
    refusal = _refusal(user, action, process, now, target)
    if refusal is not None:
        raise Forbidden(refusal)


def offer(user, action: str, process, label, url: str, *, signed_out=None, now: datetime | None = None,
          **details) -> list[Action]:
    """`action` as something to do now: [Action(label, url, **details)] if `user` may do it. A signed-out
    visitor, when residents may do it in this phase, gets `signed_out` ("Sign in to propose") leading to
    the sign-in page and back to `url`; no `signed_out`: nothing."""
    if can(user, action, process, now):
        return [Action(label, url, **details)]
    rule = rules()[action]
    signed_in = user is not None and user.is_authenticated
    if signed_in or signed_out is None or Role.RESIDENT not in rule.roles or _phase_refusal(rule, process, now):
        return []
    return [Action(label, url_for("accounts.login", next=url), **{**details, "button": signed_out},
                   needs_sign_in=True)]
