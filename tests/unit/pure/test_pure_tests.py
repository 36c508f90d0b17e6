"""Tests of pure code start no server: not the embedded Redis, not the SMTP sink (see tests/conftest.py).

Both checks run pytest in a separate process, the way a developer runs the pure tests on their own."""

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPOSITORY_ROOT

EMBEDDED_REDIS_FOLDER = "/tmp/plaza-test-redis-{pid}"  # where the redis_url fixture would start one


def run_pytest(*args: str, timeout: int = 300) -> tuple[subprocess.CompletedProcess, int]:
    """pytest in a fresh process without PLAZA_TEST_REDIS_URL, so that asking for Redis would start the
    embedded one; returns the result and the process id (which names the embedded Redis folder)."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}
    environment.pop("PLAZA_TEST_REDIS_URL", None)
    environment["PYTHONPATH"] = os.pathsep.join([str(REPOSITORY_ROOT / "platform"), str(REPOSITORY_ROOT)])
    process = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                               cwd=REPOSITORY_ROOT, env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    output, _ = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, output), process.pid


def test_setting_up_every_pure_test_starts_no_server():
    result, pid = run_pytest("--setup-only", "-q", "-m", "pure", "tests/unit")
    assert result.returncode == 0, result.stdout
    set_up = re.findall(r"SETUP\s+[SMCF] (\w+)", result.stdout)
    assert "tmp_path" in set_up, result.stdout  # the pure tests' own fixtures were set up
    for server in ("redis_url", "smtp", "app", "database_url"):
        assert server not in set_up, result.stdout
    assert not Path(EMBEDDED_REDIS_FOLDER.format(pid=pid)).exists()
    set_up_tests = re.findall(r"^\s+(tests/[^:\s]+)::", result.stdout, re.MULTILINE)
    assert {"tests/unit/voting/test_ranked_methods.py", "tests/unit/pure/test_spreadsheets.py"} <= set(set_up_tests)
    assert len(set_up_tests) >= 200, result.stdout


def test_a_pure_test_that_asks_for_a_server_fails_before_the_server_starts(tmp_path):
    (tmp_path / "test_needs_servers.py").write_text(
        "import pytest\n"
        "\n"
        "pytestmark = pytest.mark.pure\n"
        "\n"
        "def test_wants_mail(smtp):\n"
        "    pass\n"
        "\n"
        "def test_wants_the_app(client):\n"
        "    pass\n"
        "\n"
        "def test_asks_for_redis_on_the_way(request):\n"
        "    request.getfixturevalue('redis_url')\n"
        "\n"
        "def test_needs_nothing():\n"
        "    pass\n"
    )
    # The fixtures and checks of tests/conftest.py, loaded as a plugin for a test file outside tests/.
    result, pid = run_pytest("-p", "tests.conftest", "-c", "setup.cfg", "-rA",
                             str(tmp_path / "test_needs_servers.py"), timeout=120)
    output = result.stdout
    assert result.returncode == 1, output
    assert re.search(r"test_wants_mail is a test of pure code but needs smtp", output), output
    assert re.search(r"test_wants_the_app is a test of pure code but needs redis_url, smtp", output), output
    assert re.search(r"test_asks_for_redis_on_the_way is a test of pure code but starts redis_url", output), output
    assert re.search(r"PASSED \S*test_needs_nothing", output), output
    assert "1 passed" in output and "1 failed" in output and "2 errors" in output, output
    assert not Path(EMBEDDED_REDIS_FOLDER.format(pid=pid)).exists()
