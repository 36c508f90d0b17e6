"""The whole role x phase x action matrix, with the clock set before, during each phase and after."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest

from plaza.accounts.models import Role
from plaza.clock import utcnow
from plaza.permissions import can, rules
from plaza.phases import PhaseKind
from plaza.processes.services import PhasePlan, create_process
from tests.conftest import REPOSITORY_ROOT, make_user

# Where each participation action is possible (default components of each phase kind).
PARTICIPATION = {
    "proposal.create": {"proposals"},
    "proposal.edit": {"proposals"},
    "proposal.amend": {"proposals"},
    "proposal.support": {"proposals", "deliberation"},
    "comment.create": {"information", "proposals", "deliberation", "implementation"},
    "comment.vote": {"information", "proposals", "deliberation", "implementation"},
    "questionnaire.answer": {"deliberation"},
    "meeting.register": {"information", "proposals", "deliberation"},
    "ballot.cast": {"voting"},
}
# Possible at any time for any signed-in person.
ANY_TIME = {"process.view", "process.follow", "proposal.withdraw", "comment.report"}
# Possible at any time, for the author of the object only (the matrix asks about the person's own object).
OWN = {"proposal.revise", "comment.edit", "proposal.tag"}
# Possible at any time, for these roles only.
ROLE_ONLY = {
    "process.manage": {"organiser", "admin"},
    "proposal.merge": {"organiser", "admin"},
    "questionnaire.export": {"organiser", "admin"},
    "meeting.manage": {"organiser", "admin"},
    "ballot.manage": {"organiser", "admin"},
    "process.export": {"organiser", "council_officer", "admin"},
    "proposal.answer": {"organiser", "council_officer", "admin"},
    "moderation.act": {"moderator", "organiser", "admin"},
    "admin.status": {"admin"},
    "admin.tasks": {"organiser", "council_officer", "admin"},
    "admin.invitations": {"organiser", "council_officer", "admin"},
}
ACTIONS = rules()
MOMENTS = ["before", *[kind.value for kind in PhaseKind], "after"]
ROLES = ["anonymous", *[role.value for role in Role]]


def expected(role: str, moment: str, action: str) -> bool:
    if role == "anonymous":
        return action == "process.view"
    if action in ANY_TIME or action in OWN:
        return True
    if action in ROLE_ONLY:
        return role in ROLE_ONLY[action]
    return moment in PARTICIPATION[action]


@pytest.mark.pure
def test_the_matrix_covers_every_action():
    assert set(PARTICIPATION) | ANY_TIME | OWN | set(ROLE_ONLY) == set(ACTIONS)
    assert {action for action, rule in ACTIONS.items() if rule.owner} == OWN


@pytest.fixture
def timeline(app):
    """A process with one week per phase kind, in order, and the moment to test for each situation."""
    start = utcnow() + timedelta(days=7)
    plans = [PhasePlan(kind, kind.value, start + timedelta(weeks=i), start + timedelta(weeks=i + 1))
             for i, kind in enumerate(PhaseKind)]
    process = create_process(None, "Matrix", "Every phase in turn.", "", plans)
    moments = {"before": start - timedelta(days=1), "after": start + timedelta(weeks=len(plans), days=1)}
    moments.update({plan.kind.value: plan.starts_at + timedelta(days=3) for plan in plans})
    return process, moments


def test_role_by_phase_by_action(timeline):
    process, moments = timeline
    users = {role: None if role == "anonymous" else make_user(Role(role)) for role in ROLES}
    wrong = []
    for role in ROLES:
        for moment in MOMENTS:
            for action in sorted(ACTIONS):
                user = users[role]
                own = SimpleNamespace(author_id=user.id if user else None) if action in OWN else None
                allowed = can(user, action, process, now=moments[moment], target=own)
                if allowed != expected(role, moment, action):
                    wrong.append(f"{role} / {moment} / {action}: got {allowed}")
    assert wrong == []


def test_a_phase_without_a_component_switches_it_off(app):
    now = utcnow()
    process = create_process(None, "No comments", "Summary here.", "", [
        PhasePlan(PhaseKind.PROPOSALS, "Proposals", now - timedelta(days=1), now + timedelta(days=1),
                  components=frozenset())])
    resident = make_user()
    assert not can(resident, "proposal.create", process)
    assert not can(resident, "comment.create", process)


def test_an_owner_only_action_refuses_everyone_but_the_owner(app):
    author, stranger, admin = make_user(), make_user(), make_user(Role.ADMIN)
    own = SimpleNamespace(author_id=author.id)
    for action in OWN:
        assert can(author, action, target=own), action
        assert not can(stranger, action, target=own), action
        assert not can(admin, action, target=own), action  # not even an administrator
        assert not can(author, action), action  # an owner-only rule needs the object


@pytest.mark.pure
def test_every_action_named_in_the_code_exists():
    pattern = re.compile(r"""(?:(?:can|authorize)\(\s*[\w.]+\s*,\s*|allowed\(\s*)["']([a-z_.]+)["']""")
    used = set()
    for path in (REPOSITORY_ROOT / "platform").rglob("*"):
        if path.suffix in {".py", ".html"}:
            used.update(pattern.findall(path.read_text()))
    assert used, "the pattern found no permission checks at all"
    assert used - set(ACTIONS) == set()
