"""Remote workers: a worker with its own data dir fetches the snapshot from a real `ae serve` by
digest with the worker token, verifies it, caches it, and reports through the shared database."""

from __future__ import annotations

import hashlib
import http.server
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from ae.errors import SourceError
from ae.storage.db import session_scope
from ae.storage.models import ArtifactVersion, Run, Worker
from ae.submission import submit
from ae.workers.remote import fetch_snapshot

TOKEN = "worker-token-for-tests"
APPENDIX = """# Artifact Appendix

```claims
[[claim]]
id = "pi"
text = "pi within 0.01 %"
metric = "run_time_state.pi"
expected = 3.14159265
relation = "approx"
tolerance = "0.01%"
hardware = "gpu"
```
"""


@pytest.fixture
def config(config: dict[str, Any]) -> dict[str, Any]:
    """The fleet configuration with a worker token on the service."""
    return {**config, "WORKER_TOKEN": TOKEN}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(fleet: Any, port: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", "from ae.cli import cli; cli()", "serve", "--port", str(port)],
        env=fleet.env("cpu"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    fleet.processes.append(process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            assert process.poll() is None, process.communicate()[0]
            time.sleep(0.2)
    raise AssertionError("ae serve did not start")


def _intake_on_the_service(example_repo: Any, fleet: Any) -> str:
    """Submit a pi artifact whose run needs the gpu pool; a CPU worker does its intake only."""
    submit(conference="fleet-2026", title="remote", source=str(example_repo("pi-python")),
           appendix_name="ARTIFACT-APPENDIX.md", appendix_text=APPENDIX)
    fleet.burst("cpu", "service-side")
    with session_scope() as session:
        assert session.exec(select(Run)).one().status == "queued"
        return str(session.exec(select(ArtifactVersion)).one().snapshot_digest)


@pytest.mark.slow
def test_remote_worker_fetches_the_snapshot_and_reports(app, example_repo, fleet, tmp_path) -> None:  # type: ignore[no-untyped-def]
    digest = _intake_on_the_service(example_repo, fleet)
    port = _free_port()
    _serve(fleet, port)
    remote_data = tmp_path / "remote-data"
    out = fleet.burst("gpu", "remote-1", DATA_DIR=remote_data, SERVICE_URL=f"http://127.0.0.1:{port}",
                      WORKER_TOKEN=TOKEN)
    assert "ae:intake" not in out, "a remote worker does no intake"
    cached = remote_data / "snapshots" / f"{digest}.tar"
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == digest
    with session_scope() as session:
        run = session.exec(select(Run)).one()
        worker = session.get(Worker, "remote-1")
    assert (run.status, run.worker) == ("succeeded", "remote-1"), run.message
    assert worker.remote and worker.queues == ["ae:pool:gpu", "ae:pool:default"]


@pytest.mark.slow
def test_snapshot_api_needs_the_token_and_a_stored_digest(app, client, example_repo, fleet) -> None:  # type: ignore[no-untyped-def]
    digest = _intake_on_the_service(example_repo, fleet)
    good = {"Authorization": f"Bearer {TOKEN}"}
    with client.get(f"/api/snapshots/{digest}", headers=good) as response:
        assert response.status_code == 200
        assert hashlib.sha256(response.data).hexdigest() == digest
    assert client.get(f"/api/snapshots/{digest}").status_code == 401
    assert client.get(f"/api/snapshots/{digest}", headers={"Authorization": "Bearer x"}).status_code == 401
    assert client.get("/api/snapshots/" + "0" * 64, headers=good).status_code == 404
    assert client.get("/api/snapshots/..%2F..%2Fae.sqlite", headers=good).status_code == 404
    app.config["WORKER_TOKEN"] = None
    assert client.get(f"/api/snapshots/{digest}", headers=good).status_code == 403


class _Liar(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        status = 401 if "secret" not in self.headers.get("Authorization", "") else 200
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"not the snapshot you asked for")

    def log_message(self, *args: Any) -> None:
        return


def test_fetch_refuses_content_that_is_not_its_digest(tmp_path: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Liar)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    digest = hashlib.sha256(b"the real one").hexdigest()
    try:
        with pytest.raises(SourceError, match="not its name; refused"):
            fetch_snapshot(url, "secret", digest, tmp_path)
        with pytest.raises(SourceError, match="answered 401"):
            fetch_snapshot(url, "wrong", digest, tmp_path)
        with pytest.raises(SourceError, match="not a sha256 digest"):
            fetch_snapshot(url, "secret", "../etc", tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    assert list(tmp_path.iterdir()) == [], "nothing half-written is left behind"
