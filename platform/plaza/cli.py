"""`flask plaza …` commands for operators."""

import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from plaza import embedded_redis
from plaza.accounts import passwords
from plaza.accounts import services as accounts
from plaza.accounts.models import Role, User
from plaza.audit import services as audit
from plaza.extensions import db

plaza = AppGroup("plaza", help="Plaza administration: accounts, demo data, ballots, embedded Redis.")


@plaza.command("create-admin")
@click.option("--email", required=True, help="E-mail address the admin signs in with.")
@click.option("--name", default="Administrator", show_default=True, help="Name shown to others.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input instead of asking twice.")
def create_admin(email: str, name: str, password_stdin: bool) -> None:
    """Create an admin account, or make an existing account with this e-mail an admin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Password again")
    problem = passwords.weakness(password, email, name)
    if problem:
        raise click.ClickException(problem)
    address = accounts.normalise_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == address))
    if user is None:
        user = User(email=address, display_name=name)
        db.session.add(user)
    accounts.change_password(user, password)
    user.role = Role.ADMIN
    db.session.flush()
    audit.record("user.made_admin", None, user_id=user.id, via="cli")
    db.session.commit()
    click.echo(f"{user.email} is an admin.")


@plaza.command("create-invitations")
@click.argument("count", type=click.IntRange(1, 1000))
@click.option("--note", help="Where these letters go, for your records.")
@click.option("--valid-days", type=click.IntRange(1, 365), default=90, show_default=True)
def create_invitations(count: int, note: str | None, valid_days: int) -> None:
    """Make COUNT invitation codes for residents without e-mail and print them, one a line."""
    for code in accounts.create_invitations(count, None, note, valid_days):
        click.echo(code)


@plaza.command("seed-demo")
def seed_demo() -> None:
    """Create the demo city (an organiser, residents, an open consultation). Safe to run again."""
    from plaza import demo

    created = demo.seed()
    click.echo(f"Demo data ready ({created} new records). Sign in as {demo.ORGANISER_EMAIL} "
               f"or {demo.RESIDENT_EMAIL} with the password {demo.PASSWORD!r}.")


@plaza.command("verify-ballot")
@click.argument("ballot_id", type=int)
@click.option("--board", "board_file", type=click.File("r", encoding="utf-8"),
              help="Check this bulletin-board file (board.json as published) instead of the database's.")
def verify_ballot(ballot_id: int, board_file) -> None:
    """Recompute a ballot's hash chain and count from its bulletin board alone, and say whether they match
    the published result. Exit status 0: everything matches; 1: something does not."""
    import json

    from plaza.voting import board
    from plaza.voting.models import Ballot

    if board_file is not None:
        try:
            published = json.load(board_file)
        except ValueError as error:
            raise click.ClickException(f"{board_file.name} is not a bulletin-board JSON file: {error}") from None
        if published.get("format") != board.FORMAT or published.get("ballot", {}).get("ballot") != ballot_id:
            raise click.ClickException(f"{board_file.name} is not the bulletin board of ballot {ballot_id}")
    else:
        ballot = db.session.get(Ballot, ballot_id)
        if ballot is None:
            raise click.ClickException(f"there is no ballot {ballot_id}")
        published = board.export(ballot)
    try:
        verdict = board.verify(published)
    except (KeyError, TypeError, ValueError) as error:
        raise click.ClickException(f"the bulletin board is malformed: {error!r}") from None
    click.echo(f"Ballot {ballot_id}: {len(published['votes'])} votes on the board")
    click.echo(f"  hash chain: {'intact' if verdict.chain_valid else 'BROKEN'}")
    click.echo(f"  vote count: {'matches' if verdict.count_matches else 'DOES NOT MATCH'}")
    click.echo(f"  recount winners: {', '.join(verdict.recounted_winners) or '(none)'}")
    if verdict.result_matches is None:
        click.echo("  published result: none yet (the ballot is not counted)")
    else:
        click.echo(f"  published result: {'matches the recount' if verdict.result_matches else 'DIFFERS'}")
    for problem in verdict.problems:
        click.echo(f"  problem: {problem}", err=True)
    click.echo("VERIFIED" if verdict.ok else "NOT VERIFIED")
    sys.exit(0 if verdict.ok else 1)


@plaza.group("redis")
def redis_group() -> None:
    """The embedded Redis used when REDIS_URL is not set."""


@redis_group.command("start")
def redis_start() -> None:
    """Start the embedded Redis (socket and data under the instance folder) unless it runs."""
    if current_app.config.get("REDIS_URL") and not current_app.config["REDIS_URL"].startswith("unix://"):
        raise click.ClickException("REDIS_URL is set; Plaza uses that server, not an embedded one")
    click.echo(embedded_redis.ensure_running(current_app.instance_path))


@redis_group.command("stop")
def redis_stop() -> None:
    """Stop the embedded Redis, saving its data."""
    stopped = embedded_redis.stop(current_app.instance_path)
    click.echo("stopped" if stopped else "it was not running")
