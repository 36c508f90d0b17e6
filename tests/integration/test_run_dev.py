"""`make run` for real: scripts/run-dev on another port, then Ctrl-C (SIGINT to its process group)."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPOSITORY_ROOT

# `serial`: make runs these alone after the parallel run, since a busy machine slows make run's start-up
# beyond the time these tests allow it.
pytestmark = [pytest.mark.integration, pytest.mark.serial]

# Settings of the developer's shell or of a test run that must not leak into this run.
FOREIGN = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PLAZA_ENV", "PLAZA_BASE_URL", "PLAZA_INSTANCE_PATH",
           "MAIL_SERVER", "MAIL_PORT", "MAIL_SUPPRESS_SEND", "FLASK_APP", "FLASK_DEBUG", "PORT")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def process_group(pgid: int) -> set[int]:
    listing = subprocess.run(["ps", "-e", "-o", "pid=,pgid="], capture_output=True, text=True).stdout
    return {int(pid) for pid, group in (line.split() for line in listing.splitlines()) if int(group) == pgid}


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def instance():
    # A short path of its own: the embedded Redis socket lives here, and a developer's instance/ is untouched.
    with tempfile.TemporaryDirectory(prefix="plaza-run-") as folder:
        yield Path(folder)


def start_run_dev(instance: Path, port: int) -> subprocess.Popen:
    environment = {key: value for key, value in os.environ.items()
                   if key not in FOREIGN and not key.startswith("PLAZA_TEST_")}
    environment.update(VENV=str(Path(sys.executable).parent.parent), PORT=str(port),
                       PLAZA_INSTANCE_PATH=str(instance), PYTHONUNBUFFERED="1")
    with open(instance / "run.log", "w") as log:
        return subprocess.Popen([str(REPOSITORY_ROOT / "scripts" / "run-dev")], cwd=REPOSITORY_ROOT,
                                env=environment, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)


def wait_until_healthy(run: subprocess.Popen, base: str, output: Path) -> None:
    def healthy():
        assert run.poll() is None, f"run-dev ended early:\n{output.read_text()}"
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    wait_for(healthy, 180, "/healthz")


def kill_leftovers(run: subprocess.Popen, instance: Path) -> None:
    if run.poll() is None:
        os.killpg(run.pid, signal.SIGKILL)
    pid_file = instance / "redis.pid"
    if pid_file.exists() and alive(int(pid_file.read_text())):
        os.kill(int(pid_file.read_text()), signal.SIGKILL)


def test_make_run_uses_its_port_and_ctrl_c_stops_everything(instance):
    port = free_port()
    output = instance / "run.log"
    run = start_run_dev(instance, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(run, base, output)
        printed = output.read_text()
        assert f"Plaza: {base}" in printed
        assert ":5000" not in printed

        # A password reset e-mail (written to the worker's output without an SMTP server) links to this port.
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        form = browser.open(f"{base}/account/reset", timeout=10).read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
        browser.open(f"{base}/account/reset", timeout=10, data=urllib.parse.urlencode(
            {"csrf_token": token, "email": "amina@riverside.example"}).encode())
        link = wait_for(lambda: re.search(r"http://[^/\s]+/account/reset/\S+", output.read_text()), 60,
                        "the reset e-mail in the worker's output")
        assert link.group(0).startswith(f"{base}/account/reset/")

        redis_pid = int((instance / "redis.pid").read_text())
        processes = process_group(run.pid) | {redis_pid}
        assert len(processes) >= 4, processes  # run-dev, web, worker (and its children), Redis
        started = time.monotonic()
        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        status = run.wait(timeout=15)
        print(f"run-dev stopped in {time.monotonic() - started:.1f} s")
        wait_for(lambda: not any(alive(pid) for pid in processes), max(1, 12 - (time.monotonic() - started)),
                 "every process of make run to stop: "
                 + ", ".join(str(pid) for pid in processes if alive(pid)))
        assert status in (0, 130), output.read_text()
        assert "Stopped." in output.read_text()
        assert not (instance / "redis.sock").exists()
    finally:
        kill_leftovers(run, instance)


def test_a_worker_stopped_by_ctrl_c_before_the_script_still_ends_everything_cleanly(instance):
    """Ctrl-C reaches every process of the group: the worker handles SIGINT itself and may exit before the
    script's trap runs, so `wait -n` sees a worker that ended with 0. That is a stop, not a failure."""
    port = free_port()
    output = instance / "run.log"
    run = start_run_dev(instance, port)
    try:
        wait_until_healthy(run, f"http://127.0.0.1:{port}", output)
        workers = [pid for pid in process_group(run.pid)
                   if b"-m\x00workers" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert workers, "no worker process found"
        redis_pid = int((instance / "redis.pid").read_text())
        processes = process_group(run.pid) | {redis_pid}
        for pid in workers:
            os.kill(pid, signal.SIGINT)
        status = run.wait(timeout=30)
        wait_for(lambda: not any(alive(pid) for pid in processes), 12,
                 "every process of make run to stop: " + ", ".join(str(pid) for pid in processes if alive(pid)))
        assert status == 0, output.read_text()
        assert "Stopped." in output.read_text()
        assert not (instance / "redis.sock").exists()
    finally:
        kill_leftovers(run, instance)
