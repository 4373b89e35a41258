"""Serving the app: gunicorn in production (`ae serve`), Werkzeug's development server with `--dev`.

The only gunicorn import. gunicorn builds the app through a factory in its master process
(`preload_app`), so the import cost is paid once and the workers fork from it; each forked worker
drops the database connections it inherited. The worker class is `gthread`: one process per core
for the CPU-bound page rendering, threads for what waits (the database, Redis, file downloads,
server-sent event streams, each of which holds a thread while it is open).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from ae.storage.db import dispose_after_fork

#: Threads per worker process: requests that wait (database, streams) do not hold up the others.
DEFAULT_THREADS = 8
#: Seconds a worker finishes its open requests after SIGTERM before it is killed.
GRACEFUL_TIMEOUT = 10
#: One-time link tokens and API tokens, as they may appear in a request line or a referrer.
_SECRET = re.compile(r"\b(inv_|rst_|ae_)[A-Za-z0-9_-]{16,}")


def default_workers() -> int:
    """Return the number of worker processes: one per CPU this process may use, 2 to 8."""
    return max(2, min(8, len(os.sched_getaffinity(0))))


def redact(text: str) -> str:
    """Hide invitation, reset and API tokens in a log line (the links stay recognisable)."""
    return _SECRET.sub(r"\1…", text)


class AccessLogger(Logger):  # type: ignore[misc]  # gunicorn ships no type hints
    """gunicorn's logger with the access log on stderr (gunicorn sends "-" to stdout) and
    invitation/reset/API tokens hidden: an access log is read by more people than the links were
    meant for."""

    def setup(self, cfg: Any) -> None:
        """Set gunicorn's handlers up, then move the access log's console handler to stderr."""
        super().setup(cfg)
        for handler in self.access_log.handlers:
            if type(handler) is logging.StreamHandler and handler.stream is sys.stdout:
                handler.setStream(sys.stderr)

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> dict[str, Any]:
        """Return gunicorn's log atoms with secrets redacted from every text value."""
        return {key: redact(value) if isinstance(value, str) else value
                for key, value in super().atoms(resp, req, environ, request_time).items()}


class Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    """gunicorn configured from a dict, serving the app its factory builds."""

    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]) -> None:
        self.factory, self.options = factory, options
        super().__init__()

    def load_config(self) -> None:
        """Apply the options (never a gunicorn.conf.py or GUNICORN_CMD_ARGS: `ae serve` says it all)."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        """Build the app through the factory (once, in the master: the workers fork from it)."""
        return self.factory()


def run(factory: Callable[[], Flask], *, host: str, port: int, workers: int, threads: int) -> None:
    """Serve the app with gunicorn until SIGTERM or SIGINT (then gunicorn exits the process)."""
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def post_fork(_arbiter: Any, worker: Any) -> None:
        dispose_after_fork(worker.app.wsgi())  # never share a pooled connection across the fork

    Server(factory, {
        "bind": [address], "workers": workers, "threads": threads, "worker_class": "gthread",
        "preload_app": True, "post_fork": post_fork, "graceful_timeout": GRACEFUL_TIMEOUT,
        "accesslog": "-", "errorlog": "-", "logger_class": AccessLogger, "proc_name": "ae serve",
        "control_socket_disable": True,  # its default path ($HOME/.gunicorn) is shared by every instance
    }).run()


def run_dev(app: Flask, *, host: str, port: int) -> None:
    """Serve the app with Werkzeug's development server, one process (not for production)."""
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
