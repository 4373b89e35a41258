"""The embedded redis-server: started once, shared, reused, stopped explicitly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from redis import Redis

from ae.workers import embedded_redis


def test_start_reuse_stop(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    assert embedded_redis.ensure(instance) is True
    try:
        assert embedded_redis.ensure(instance) is False, "a live server is reused"
        client = Redis.from_url(embedded_redis.url(instance))
        client.set("k", "v")
        # another process of the same instance sees the same server
        code = ("from pathlib import Path; from redis import Redis;"
                "from ae.workers import embedded_redis as e;"
                f"i=Path({str(instance)!r}); assert e.ensure(i) is False;"
                "print(Redis.from_url(e.url(i)).get('k').decode())")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "v"
        pid = int((instance / "redis.pid").read_text())
    finally:
        assert embedded_redis.stop(instance) is True
    assert not embedded_redis.is_alive(instance)
    assert not (instance / "redis.sock").exists()
    try:
        os.kill(pid, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive, "the daemon is gone after stop"
    assert embedded_redis.stop(instance) is False


def test_stale_socket_is_replaced(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "redis.sock").write_text("stale")
    try:
        assert embedded_redis.ensure(instance) is True
        assert embedded_redis.is_alive(instance)
    finally:
        embedded_redis.stop(instance)
