import sqlalchemy as sa

from plaza import demo
from plaza.accounts.models import Invitation, Role, User
from plaza.audit.models import AuditEntry
from plaza.extensions import db
from plaza.processes.models import Process
from plaza.proposals.models import Proposal, Support
from tests.conftest import PASSWORD, count, make_user


def test_create_admin_asks_for_the_password_twice(runner):
    result = runner.invoke(args=["plaza", "create-admin", "--email", "Admin@Example.org"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(sa.select(User))
    assert (admin.email, admin.role) == ("admin@example.org", Role.ADMIN)
    assert admin.check_password(PASSWORD)
    assert db.session.scalar(sa.select(AuditEntry.action)) == "user.made_admin"


def test_create_admin_refuses_a_weak_password_and_writes_nothing(runner):
    result = runner.invoke(args=["plaza", "create-admin", "--email", "a@example.org", "--password-stdin"],
                           input="12345\n")
    assert result.exit_code != 0
    assert "Use at least 10 characters." in result.output
    assert count(User) == 0


def test_create_admin_refuses_passwords_that_differ(runner):
    result = runner.invoke(args=["plaza", "create-admin", "--email", "a@example.org"],
                           input=f"{PASSWORD}\n{PASSWORD}x\n")
    assert result.exit_code != 0
    assert count(User) == 0


def test_create_admin_promotes_an_existing_account(runner):
    make_user(email="jordi@example.org")
    result = runner.invoke(args=["plaza", "create-admin", "--email", "jordi@example.org", "--password-stdin"],
                           input=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert count(User) == 1
    assert db.session.scalar(sa.select(User.role)) is Role.ADMIN


def test_every_command_has_help(runner):
    for command in (["plaza"], ["plaza", "create-admin"], ["plaza", "seed-demo"], ["plaza", "create-invitations"],
                    ["plaza", "redis"], ["plaza", "redis", "start"], ["plaza", "redis", "stop"]):
        result = runner.invoke(args=[*command, "--help"])
        assert result.exit_code == 0
        assert "Usage:" in result.output


def test_seed_demo_is_idempotent(runner):
    first = runner.invoke(args=["plaza", "seed-demo"])
    assert first.exit_code == 0, first.output
    counts = (count(User), count(Process), count(Proposal), count(Support))
    assert counts[:3] == (len(demo.PEOPLE), 3, len(demo.PROPOSALS))
    assert counts[3] > 0
    second = runner.invoke(args=["plaza", "seed-demo"])
    assert "(0 new records)" in second.output
    assert (count(User), count(Process), count(Proposal), count(Support)) == counts
    assert any(process.is_open() for process in db.session.scalars(sa.select(Process)))


def test_create_invitations_prints_codes(runner):
    result = runner.invoke(args=["plaza", "create-invitations", "3", "--note", "North desk"])
    assert result.exit_code == 0
    assert len(result.output.split()) == 3
    assert count(Invitation) == 3


def test_create_invitations_refuses_a_silly_count(runner):
    result = runner.invoke(args=["plaza", "create-invitations", "0"])
    assert result.exit_code != 0
    assert count(Invitation) == 0
