"""The app factory, configuration layering and the JSON API basics."""

from __future__ import annotations

from pathlib import Path

import pytest

from ae.app import create_app
from ae.errors import ConferenceError, ConfigError


def test_config_layers_test_config_over_defaults(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SANDBOX": "none"})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'ae.sqlite'}"
    assert app.config["DATA_DIR"] == str(tmp_path / "data")
    assert app.config["SANDBOX"] == "none"
    assert not (tmp_path / "ae.sqlite").exists(), "create_app must not touch the database"


def test_env_vars_override_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AE_DATA_DIR", "/srv/ae-data")
    monkeypatch.setenv("AE_JOB_TIMEOUT", "120")
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path)})
    assert app.config["DATA_DIR"] == "/srv/ae-data"
    assert app.config["JOB_TIMEOUT"] == 120


def test_instance_config_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "config.py").write_text('CONFERENCE = "from-instance"\n')
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["CONFERENCE"] == "from-instance"


def test_production_database_refuses_default_secret(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="AE_SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path),
                    "DATABASE_URL": "postgresql+psycopg://ae@db.example/ae"})
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "s3cret-value",
                      "DATABASE_URL": "postgresql+psycopg://ae@db.example/ae"})
    assert app.config["SECRET_KEY"] == "s3cret-value"


def test_conference_typo_stops_startup_naming_file_and_key(tmp_path: Path) -> None:
    conf_dir = tmp_path / "conferences"
    conf_dir.mkdir()
    text = (Path(__file__).parents[1] / "conferences" / "ppopp-2019.toml").read_text()
    (conf_dir / "ppopp-2019.toml").write_text(text.replace("max_repetitions", "max_repetitons"))
    with pytest.raises(ConferenceError) as info:
        create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CONFERENCES_DIR": str(conf_dir)})
    message = str(info.value)
    assert "ppopp-2019.toml" in message and "max_repetitons" in message
    assert "did you mean 'max_repetitions'" in message


def test_health_and_empty_list(client, people) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/health").get_json() == {"status": "ok"}
    assert client.get("/api/artifacts", headers=people.headers("author")).get_json() == []
    page = client.get("/")
    assert page.status_code == 200 and b"Sign in</a> to see and submit artifacts" in page.data


def test_api_rejects_bad_submissions_with_problem_details(client, people) -> None:  # type: ignore[no-untyped-def]
    author = people.headers("author")
    response = client.post("/api/artifacts", json={"conference": "ppopp-2019", "title": "x"}, headers=author)
    assert response.status_code == 400 and response.content_type == "application/problem+json"
    assert response.get_json() == {"type": "about:blank", "title": "AeError", "status": 400,
                                   "detail": "missing field 'source'"}
    response = client.post("/api/artifacts", json={"conference": "nope", "title": "x", "source": "/tmp"},
                           headers=author)
    assert response.status_code == 403, "submitting needs the author role in that conference"
    assert client.get("/api/artifacts/does-not-exist", headers=author).status_code == 404
    assert client.post("/api/artifacts", json={}).status_code == 401, "no token, no change"


@pytest.fixture
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An operator's git config mirroring https://mirror.ae.test/ in a local directory; its URL base."""
    (tmp_path / "mirror").mkdir()
    config = tmp_path / "gitconfig"
    config.write_text(f'[url "{tmp_path / "mirror"}/"]\n\tinsteadOf = https://mirror.ae.test/\n')
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return "https://mirror.ae.test/"


def test_api_submission_returns_the_checklist_at_once(client, mirror: str, people) -> None:  # type: ignore[no-untyped-def]
    appendix = (Path(__file__).parents[1] / "examples" / "pi-python" / "ARTIFACT-APPENDIX.md").read_text()
    response = client.post("/api/artifacts", json={
        "conference": "ppopp-2019", "title": "Pi", "source": f"{mirror}pi", "appendix": appendix,
        "badges": ["reproduced"]}, headers=people.headers("author"))
    assert response.status_code == 201
    body = response.get_json()
    assert body["checklist"]["family"].startswith("ctuning")
    assert [c["id"] for c in body["checklist"]["claims"]] == ["pi", "fast"]
    listed = client.get(f"/api/artifacts/{body['artifact']}", headers=people.headers("author")).get_json()
    assert listed["status"] == "submitted" and listed["title"] == "Pi"
    hidden = client.get(f"/api/artifacts/{body['artifact']}", headers=people.headers("other_author"))
    assert hidden.status_code == 404, "another author cannot see it"


def test_api_resubmission_adds_the_next_version(client, mirror: str, people) -> None:  # type: ignore[no-untyped-def]
    author = people.headers("author")
    first = client.post("/api/artifacts", json={
        "conference": "ppopp-2019", "title": "Pi", "source": f"{mirror}pi"}, headers=author).get_json()
    stranger = client.post(f"/api/artifacts/{first['artifact']}/versions", json={"ref": "v2"},
                           headers=people.headers("other_author"))
    assert stranger.status_code == 404, "another author cannot add a version (nor learn it exists)"
    response = client.post(f"/api/artifacts/{first['artifact']}/versions", json={"ref": "v2"}, headers=author)
    assert response.status_code == 201
    assert response.get_json()["version"] != first["version"]
    assert client.get(f"/api/artifacts/{first['artifact']}", headers=author).get_json()["version"] == 2
    assert client.post("/api/artifacts/nope/versions", json={}, headers=author).status_code == 404


@pytest.mark.parametrize("source", ["/etc", "file:///etc", "./relative"])
def test_api_refuses_local_paths_whatever_the_config(client, app, source: str, people) -> None:  # type: ignore[no-untyped-def]
    app.config["SOURCE_ALLOW_LOCAL"] = True
    response = client.post("/api/artifacts", json={"conference": "ppopp-2019", "title": "x",
                                                    "source": source}, headers=people.headers("author"))
    assert response.status_code == 400
    assert "is a path on the server" in response.get_json()["detail"]
    assert client.get("/api/artifacts", headers=people.headers("admin")).get_json() == []


def test_api_refuses_a_new_version_of_a_local_source(client, runner, example_repo, people) -> None:  # type: ignore[no-untyped-def]
    repo = example_repo("pi-python")
    assert runner.invoke(["submit", str(repo), "--title", "Pi"]).exit_code == 0
    artifact = client.get("/api/artifacts", headers=people.headers("chair")).get_json()[0]["id"]
    response = client.post(f"/api/artifacts/{artifact}/versions", json={"ref": "HEAD"},
                           headers=people.headers("chair"))
    assert response.status_code == 400
    assert "is a path on the server" in response.get_json()["detail"]


def test_credentials_in_a_source_url_are_never_shown(client, app, people) -> None:  # type: ignore[no-untyped-def]
    from ae.storage.db import session_scope
    from ae.storage.queries import create_artifact

    with session_scope() as session:
        artifact, _ = create_artifact(session=session, conference="ppopp-2019", title="private",
                                      source="https://alice:s3cret-token@example.org/x.git", ref=None)
        artifact_id = artifact.id
    people.sign_in(client, "chair")
    for url in ("/api/artifacts", f"/api/artifacts/{artifact_id}", f"/artifacts/{artifact_id}", "/"):
        body = client.get(url).get_data(as_text=True)
        assert "s3cret-token" not in body and "private" in body, url
    assert "https://alice:***@example.org/x.git" in client.get("/api/artifacts").get_data(as_text=True)
