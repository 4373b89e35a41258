"""Hostile sources through the real intake job (`ae worker --burst`): each fails with its rule."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ae.status import all_status
from ae.storage.db import session_scope
from ae.submission import submit

Git = Callable[..., str]


@pytest.fixture
def config(config: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    """The test configuration, with the settings a test passes as its `config` parameter."""
    return {**config, **getattr(request, "param", {})}


def _errors(app: Any) -> dict[str, tuple[str, str]]:
    with app.app_context(), session_scope() as session:
        return {item["title"]: (item["status"], item["error"]) for item in all_status(session=session)}


def _crafted(path: Path, git: Git, stream: str) -> Path:
    git("init", "-q", "-b", "main", str(path))
    git("fast-import", "--quiet", cwd=path, stdin=stream.encode())
    return path


def _commit(files: list[str]) -> str:
    lines = ["commit refs/heads/main", "committer a <a@ae.invalid> 0 +0000", "data 2", "c"]
    for name in files:
        lines += [f"M 100644 inline {name}", "data 3", "hi"]
    return "\n".join(lines) + "\n\n"


@pytest.mark.slow
@pytest.mark.parametrize("config", [{"SOURCE_ALLOW_PRIVATE": True, "CLONE_TIMEOUT": 3}], indirect=True)
def test_a_silent_host_fails_intake_at_the_clone_timeout(
        app: Any, burst_worker: Any, listener: Callable[[bytes | None], int]) -> None:
    silent = f"git://127.0.0.1:{listener(None)}/x.git"  # accepts, never answers
    submit(conference="ppopp-2019", title="silent", source=silent)
    burst_worker()  # returns: the clone's whole process group was killed, nothing hangs the worker
    assert _errors(app)["silent"] == ("failed", f"{silent} cannot be fetched: no git repository answered "
                                                "there within the 3 s limit (check the URL, and that the "
                                                "repository is public)")


@pytest.mark.slow
@pytest.mark.parametrize("config", [{"SNAPSHOT_MAX_FILES": 500}], indirect=True)
def test_trees_past_the_caps_fail_intake_with_the_rule(app: Any, tmp_path: Path, git: Git,
                                                      burst_worker: Any) -> None:
    many = _crafted(tmp_path / "many", git, _commit([".ckr.json", *(f"f{i}" for i in range(600))]))
    deep = _crafted(tmp_path / "deep", git, _commit([".ckr.json", "d/" * 1200 + "f"]))
    for title, source in (("many", many), ("deep", deep)):
        submit(conference="ppopp-2019", title=title, source=str(source))
    burst_worker()
    errors = _errors(app)
    assert errors["many"][0] == "failed"
    assert errors["many"][1].endswith("it holds more than 500 files (AE_SNAPSHOT_MAX_FILES)")
    assert errors["deep"][0] == "failed", "refused, not a RecursionError"
    assert errors["deep"][1].endswith("is 1201 levels deep, past the cap of 64 (AE_SNAPSHOT_MAX_DEPTH)")
    incoming = Path(app.config["DATA_DIR"]) / "incoming"
    assert not incoming.exists() or os.listdir(incoming) == [], "nothing is left in incoming/"


@pytest.mark.slow
def test_the_intake_job_checks_the_source_again(app: Any, tmp_path: Path, burst_worker: Any,
                                                listener: Callable[[bytes | None], int]) -> None:
    # allowed when submitted; the worker's own configuration (as DNS may have changed) refuses it
    source = f"git://127.0.0.1:{listener(None)}/x.git"
    app.config["SOURCE_ALLOW_PRIVATE"] = True
    submit(conference="ppopp-2019", title="recheck", source=source)
    burst_worker()
    assert _errors(app)["recheck"] == ("failed", f"source refused: {source} resolves to a loopback "
                                                 "address; the operator can allow it with "
                                                 "AE_SOURCE_ALLOW_PRIVATE or AE_SOURCE_ALLOWED_HOSTS")


def test_the_cli_submits_a_local_path_on_the_embedded_default(config: dict[str, Any], tmp_path: Path,
                                                               example_repo: Any) -> None:
    from ae.app import create_app
    from ae.cli import cli
    from ae.storage import migrate
    from ae.storage.db import get_engine

    embedded = create_app({**config, "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite'}",
                           "SOURCE_ALLOW_LOCAL": "auto"})
    migrate.upgrade(get_engine(embedded))
    try:
        result = embedded.test_cli_runner().invoke(cli, ["submit", str(example_repo("pi-python"))])
        assert result.exit_code == 0 and "submitted artifact" in result.output, result.output
        from ae.accounts import tokens, users
        from ae.storage.db import session_scope
        from ae.storage.states import Role

        with embedded.app_context(), session_scope() as session:
            author = users.create_user(session=session, email="a@ae.test", name="A",
                                       password="correct horse battery staple")
            session.flush()
            users.grant(session=session, user=author, conference="ppopp-2019", role=Role.AUTHOR)
            _, token = tokens.create(session=session, user=author, name="t", scopes=["submit"])
        response = embedded.test_client().post("/api/artifacts", json={
            "conference": "ppopp-2019", "title": "x", "source": str(example_repo("matmul-c"))},
            headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 400 and "is a path on the server" in response.get_json()["detail"]
    finally:
        get_engine(embedded).dispose()
