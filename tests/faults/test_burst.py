"""A burst of 200 submissions through the JSON API from four authors: per-user and per-conference
limits answer 429 with the rule and when to come back, nothing refused is stored, everything
accepted is evaluated although a worker is killed and Redis restarted meanwhile."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from ae.errors import Overloaded
from ae.storage.models import Artifact, ArtifactVersion
from ae.submission import submit
from tests.conftest import wait_for
from tests.faults.conftest import check_nothing_lost, rows, sleepy_repo

AUTHORS = 4


@pytest.fixture
def config(config: dict[str, Any]) -> dict[str, Any]:
    """Limits small enough to be met by the burst."""
    return {**config, "RATELIMIT_SUBMIT": "15 per hour", "RATELIMIT_SUBMIT_CONFERENCE": "10 per hour"}


def _authors(app: Any) -> list[str]:
    from ae.accounts import tokens, users
    from ae.storage.db import session_scope
    from ae.storage.states import Role

    found = []
    with app.app_context(), session_scope() as session:
        for n in range(AUTHORS):
            user = users.create_user(session=session, email=f"burst{n}@ae.test", name=f"Burst {n}")
            session.flush()
            users.grant(session=session, user=user, conference="fleet-2026", role=Role.AUTHOR)
            _, token = tokens.create(session=session, user=user, name="burst", scopes=["submit", "read"])
            found.append(token)
    return found


@pytest.fixture
def served_repo(tmp_path: Path) -> Any:
    """The sleepy artifact over git's dumb HTTP protocol (web submissions take no local paths)."""
    import http.server
    import threading

    bare = tmp_path / "served" / "quick.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(sleepy_repo(tmp_path / "src", sleep_s=0)),
                    str(bare)], check=True)
    subprocess.run(["git", "update-server-info"], cwd=bare, check=True)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             lambda *a: Quiet(*a, directory=str(bare.parent)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/quick.git"
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_burst_of_200_submissions(app, client, chaos, served_repo, redis_server) -> None:  # type: ignore[no-untyped-def]
    tokens = _authors(app)
    answers = []
    for n in range(200):
        body = {"conference": "fleet-2026", "title": f"burst {n}", "source": served_repo}
        response = client.post("/api/artifacts", json=body,
                               headers={"Authorization": f"Bearer {tokens[n % AUTHORS]}"})
        answers.append((response.status_code, response.get_json(silent=True) or {}, response.headers))
    chaos.fault("burst of 200 submissions")
    codes = [code for code, _, _ in answers]
    assert codes.count(201) == 10 and codes.count(429) == 190, sorted(set(codes))
    per_conference = [body for code, body, _ in answers if code == 429 and "AE_RATELIMIT_SUBMIT_CONFERENCE"
                      in body.get("detail", "")]
    per_user = [body for code, body, _ in answers if code == 429 and "per 1 hour" in body.get("detail", "")]
    assert len(per_conference) == 50 and len(per_user) == 140, (len(per_conference), len(per_user))
    assert all(headers.get("Retry-After") for code, _, headers in answers if code == 429)
    assert len(rows(Artifact)) == 10, "nothing refused was stored"

    first = chaos.start_cpu("first")
    chaos.start_cpu("second")
    wait_for(lambda: sum(v.status == "done" for v in rows(ArtifactVersion)) >= 2, what="some progress")
    chaos.kill(first)
    chaos.fault("kill -9 worker during the burst")
    redis_server.kill()
    chaos.fault("redis killed during the burst")
    redis_server.start()
    chaos.start_cpu("third")
    wait_for(lambda: all(v.status in ("done", "failed") for v in rows(ArtifactVersion)), timeout=600,
             what="every accepted submission evaluated")
    counts = check_nothing_lost([a.id for a in rows(Artifact)])
    assert counts["artifacts"] == 10 and counts["succeeded"] == counts["runs"] == 10, counts


def test_full_intake_queue_refuses_the_cli_too(app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app.config["MAX_WAITING_INTAKE"] = 2
    repo = str(sleepy_repo(tmp_path, sleep_s=0))
    for n in range(2):
        submit(conference="fleet-2026", title=f"q{n}", source=repo)
    with pytest.raises(Overloaded, match="2 submissions are waiting for intake") as refused:
        submit(conference="fleet-2026", title="one too many", source=repo)
    assert refused.value.http_status == 429 and refused.value.retry_after > 0
    assert len(rows(Artifact)) == 2
