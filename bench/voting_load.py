"""How fast can residents vote at once? Casting under 50 concurrent clients, against gunicorn + PostgreSQL.

Fills a fresh database with one open ballot and one account per vote, starts gunicorn on this machine,
signs every voter in, then 50 client threads cast all the votes as fast as the server answers (each
request is the real POST of the ballot form: CSRF check, eligibility, choices, the secret-ballot
transaction). The baseline is a trivial endpoint (`/healthz`) on the same server, hit by the same 50
threads the same number of times, in the same run. Printed: throughput and p95 latency of both, and the
ratios. At the end it closes the ballot, which publishes what waits in the mixing pool, and checks that
every vote is on the bulletin board and the hash chain is intact.

    .venv/bin/python bench/voting_load.py            # 2,000 votes, 50 clients, gunicorn with 4 workers
    .venv/bin/python bench/voting_load.py --quick    # CI smoke run: 200 votes
    PLAZA_BENCH_DATABASE_URL=... (default: the PostgreSQL `test` database on 127.0.0.1; EVERY TABLE IN IT
    IS DROPPED)

A report, not a test: it exits 1 only if something is broken (a vote refused, a server error, a chain
that does not verify), never for a slow figure.
"""

import argparse
import http.client
import os
import queue
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
if str(REPOSITORY_ROOT / "platform") not in sys.path:
    sys.path.insert(0, str(REPOSITORY_ROOT / "platform"))

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
PASSWORD = "bench voter passphrase"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="CI smoke run: 200 votes")
    parser.add_argument("--votes", type=int, help="votes to cast (default 2,000; 200 with --quick)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    return parser.parse_args()


# --- setting up --------------------------------------------------------------------------------------------


def prepare(database_url: str, voters: int) -> tuple[str, int, list[str]]:
    """A fresh schema, an open approval ballot in a voting phase, and `voters` accounts."""
    import sqlalchemy as sa
    from werkzeug.security import generate_password_hash

    from plaza.accounts.models import Role, User
    from plaza.app import create_app
    from plaza.extensions import db
    from plaza.phases import PhaseKind
    from plaza.processes.services import PhasePlan, create_process
    from plaza.voting import services
    from plaza.voting.models import BallotKind

    app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url, RATELIMIT_ENABLED=False)
    with app.app_context():
        engine = db.engine
        with engine.begin() as connection:
            for table in reversed(sa.MetaData().tables.values()):
                table.drop(connection)
            reflected = sa.MetaData()
            reflected.reflect(connection)
            reflected.drop_all(connection)
        db.create_all()
        from datetime import timedelta

        from plaza.clock import utcnow

        now = utcnow()
        organiser = User(email="organiser@bench.example", display_name="Organiser", role=Role.ORGANISER,
                         password_hash=generate_password_hash(PASSWORD, "pbkdf2:sha256:1000"))
        db.session.add(organiser)
        db.session.commit()
        process = create_process(organiser, "Bench vote", "Many residents vote at once.", "",
                                 [PhasePlan(PhaseKind.VOTING, "Vote", now - timedelta(days=1),
                                            now + timedelta(days=1))], slug="bench-vote")
        ballot = services.create_ballot(organiser, process, title="Which projects?", kind=BallotKind.APPROVAL,
                                        max_choices=3, options=[{"label": f"Project {i}"} for i in range(1, 11)])
        services.open_ballot(organiser, ballot)
        # One cheap hash for every voter: the benchmark measures voting, not password hashing.
        password_hash = generate_password_hash(PASSWORD, "pbkdf2:sha256:1000")
        db.session.execute(sa.insert(User), [
            {"email": f"voter{i}@bench.example", "display_name": f"Voter {i}", "role": Role.RESIDENT,
             "password_hash": password_hash, "active": True, "created_at": now} for i in range(voters)])
        db.session.commit()
        return process.slug, ballot.id, [str(option.id) for option in ballot.options]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(database_url: str, redis_url: str, workers: int, instance: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    environment = {**os.environ, "PLAZA_ENV": "development", "DATABASE_URL": database_url, "REDIS_URL": redis_url,
                   "RATELIMIT_ENABLED": "0", "PLAZA_INSTANCE_PATH": str(instance), "SECRET_KEY": "bench-secret",
                   "PYTHONPATH": str(REPOSITORY_ROOT / "platform")}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        raise SystemExit("gunicorn is not installed: pip install -e '.[prod]'")
    server = subprocess.Popen([str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                               "--log-level", "warning", "plaza.app:create_app()"], env=environment,
                              cwd=REPOSITORY_ROOT, start_new_session=True)
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server, port
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not answer on /healthz within 20 s")


# --- clients -----------------------------------------------------------------------------------------------


class Browser:
    """One resident's cookie jar over a keep-alive connection (http.client: no extra dependency)."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text

    def token(self, path: str) -> str:
        status, text = self.request("GET", path)
        found = CSRF.search(text)
        if status != 200 or not found:
            raise RuntimeError(f"no form at {path} (HTTP {status})")
        return found.group(1) or found.group(2)


def sign_in(port: int, email: str, ballot_path: str) -> tuple[Browser, str]:
    browser = Browser(port)
    status, _ = browser.request("POST", "/account/login", {"csrf_token": browser.token("/account/login"),
                                                           "login": email, "password": PASSWORD})
    if status != 302:
        raise RuntimeError(f"{email} could not sign in (HTTP {status})")
    return browser, browser.token(ballot_path)


def run_parallel(clients: int, work: list, job) -> tuple[float, list[float], list[str]]:
    """Run `job(item)` for every item on `clients` threads; wall time, per-item seconds, errors."""
    items: queue.Queue = queue.Queue()
    for item in work:
        items.put(item)
    timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def worker():
        start.wait()
        while True:
            try:
                item = items.get_nowait()
            except queue.Empty:
                return
            began = time.perf_counter()
            try:
                job(item)
            except Exception as error:  # reported, and the run fails
                with lock:
                    errors.append(repr(error))
            with lock:
                timings.append(time.perf_counter() - began)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, timings, errors


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def main() -> int:
    args = arguments()
    votes = args.votes or (200 if args.quick else 2_000)
    database_url = os.environ.get("PLAZA_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("PLAZA_BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    progress(f"preparing {votes:,} voters and an open ballot in {database_url.rsplit('@', 1)[-1]}")
    try:
        slug, ballot_id, options = prepare(database_url, votes)
    except Exception as error:
        print(f"cannot prepare the database ({error!r}); set PLAZA_BENCH_DATABASE_URL to a PostgreSQL database "
              "this benchmark may wipe", file=sys.stderr)
        return 1
    ballot_path = f"/processes/{slug}/ballots/{ballot_id}"
    with tempfile.TemporaryDirectory(prefix="plaza-bench-") as instance:
        server, port = start_gunicorn(database_url, redis_url, args.workers, Path(instance))
        try:
            progress(f"gunicorn with {args.workers} workers on port {port}; signing {votes:,} voters in")
            signed_in: list = []
            _, _, errors = run_parallel(args.clients, [f"voter{i}@bench.example" for i in range(votes)],
                                        lambda email: signed_in.append(sign_in(port, email, ballot_path)))
            if errors:
                print(f"sign-in failed: {errors[:3]}", file=sys.stderr)
                return 1

            local = threading.local()

            def health(_):
                if not hasattr(local, "browser"):  # one keep-alive connection per client thread
                    local.browser = Browser(port)
                status, _ = local.browser.request("GET", "/healthz")
                if status != 200:
                    raise RuntimeError(f"/healthz answered {status}")

            progress(f"baseline: {votes:,} requests to /healthz from {args.clients} clients")
            run_parallel(args.clients, list(range(min(votes, 200))), health)  # warm-up
            health_wall, health_times, errors = run_parallel(args.clients, list(range(votes)), health)
            if errors:
                print(f"/healthz failed: {errors[:3]}", file=sys.stderr)
                return 1

            def cast(index_and_browser):
                index, (browser, token) = index_and_browser
                chosen = [options[index % len(options)], options[(index * 7 + 3) % len(options)]]
                status, text = browser.request("POST", f"{ballot_path}/cast",
                                               {"csrf_token": token, "option": sorted(set(chosen))})
                if status != 303:  # Post/Redirect/Get: the receipt page follows
                    raise RuntimeError(f"vote {index} answered {status}")

            progress(f"casting {votes:,} votes from {args.clients} clients")
            vote_wall, vote_times, errors = run_parallel(args.clients, list(enumerate(signed_in)), cast)
            if errors:
                print(f"{len(errors)} votes failed, e.g. {errors[:3]}", file=sys.stderr)
                return 1
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    from plaza.app import create_app
    from plaza.extensions import db
    from plaza.voting import board, mixing
    from plaza.voting.models import Ballot, BallotState

    app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url, RATELIMIT_ENABLED=False,
                     SECRET_KEY="bench-secret")
    with app.app_context():  # close the ballot as an organiser would: the mixing pool empties onto the board
        ballot = db.session.get(Ballot, ballot_id)
        ballot.state = BallotState.CLOSED
        db.session.commit()
        mixing.publish(ballot_id)
        db.session.expire_all()
        ballot = db.session.get(Ballot, ballot_id)
        verdict = board.verify(board.export(ballot))
        if not (ballot.vote_count == ballot.published_count == votes) or not verdict.chain_valid:
            print(f"after the run: {ballot.vote_count} votes cast, {ballot.published_count} on the board, "
                  f"chain valid: {verdict.chain_valid}", file=sys.stderr)
            return 1

    health_rate, vote_rate = votes / health_wall, votes / vote_wall
    print()
    print(f"Plaza vote casting: {votes:,} votes, {args.clients} concurrent clients, gunicorn with {args.workers} "
          f"workers, {database_url.split(':', 1)[0]}")
    print(f"{'endpoint':<22}{'requests/s':>12}{'p50 ms':>10}{'p95 ms':>10}")
    print("-" * 54)
    for name, rate, times in (("GET /healthz", health_rate, health_times), ("POST …/cast (a vote)", vote_rate,
                                                                           vote_times)):
        print(f"{name:<22}{rate:>12.0f}{statistics.median(times) * 1000:>10.1f}{p95(times) * 1000:>10.1f}")
    print()
    print(f"votes/s as a share of the trivial endpoint's requests/s: {vote_rate / health_rate:.2f}")
    print(f"p95 of a vote / p95 of the trivial endpoint: {p95(vote_times) / p95(health_times):.1f}x")
    print(f"all {votes:,} votes on the bulletin board, hash chain intact")
    return 0


if __name__ == "__main__":
    sys.exit(main())
