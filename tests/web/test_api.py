"""The JSON API: identity, submission as JSON or multipart uploads, versions, runs, logs, reports,
and problem details for every error (Werkzeug's and Flask-Limiter's included)."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PI = ROOT / "examples" / "pi-python"
PROBLEM = "application/problem+json"


@pytest.fixture
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An operator's git config mirroring https://mirror.ae.test/ in a local directory; its URL base."""
    (tmp_path / "mirror").mkdir()
    config = tmp_path / "gitconfig"
    config.write_text(f'[url "{tmp_path / "mirror"}/"]\n\tinsteadOf = https://mirror.ae.test/\n')
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return "https://mirror.ae.test/"


def tarball(extra: str = "") -> bytes:
    """Return a .tar.gz of the pi-python example (with `extra` as one more file, to tell two apart)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        tar.add(PI, arcname="pi-python")
        if extra:
            info = tarfile.TarInfo("pi-python/EXTRA")
            info.size = len(extra)
            tar.addfile(info, io.BytesIO(extra.encode()))
    return out.getvalue()


def problem(response: Any, status: int) -> dict[str, Any]:
    """Assert `response` is problem details with `status`; return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == PROBLEM
    body: dict[str, Any] = response.get_json()
    assert body["status"] == status and body["detail"]
    return body


def test_me_says_who_the_caller_is(client: Any, people: Any) -> None:
    me = client.get("/api/me", headers=people.headers("author")).get_json()
    assert me == {"id": people.ids["author"], "name": "Author", "email": "author@ae.test", "admin": False,
                  "roles": {"ppopp-2019": ["author"]}, "scopes": ["read", "review", "submit"]}
    assert "sign in first" in problem(client.get("/api/me"), 401)["detail"]
    bad = client.get("/api/me", headers={"Authorization": "Bearer ae_not-a-token"})
    assert "the API token is not valid" in problem(bad, 401)["detail"]
    people.sign_in(client, "chair")
    me = client.get("/api/me").get_json()
    assert me["roles"] == {"ppopp-2019": ["chair"]} and me["scopes"] is None, "a session has every scope"


def test_a_browser_session_reads_but_never_writes(client: Any, people: Any, mirror: str) -> None:
    people.sign_in(client, "author")
    assert client.get("/api/artifacts").status_code == 200
    refused = client.post("/api/artifacts", json={"conference": "ppopp-2019", "title": "Pi",
                                                  "source": f"{mirror}pi"})
    assert "need an API token" in problem(refused, 401)["detail"]
    assert client.get("/api/artifacts").get_json() == []


def test_an_archive_is_submitted_and_resubmitted_as_multipart(client: Any, people: Any) -> None:
    author = people.headers("author")
    response = client.post("/api/artifacts", headers=author, content_type="multipart/form-data", data={
        "conference": "ppopp-2019", "title": "Pi from a tarball", "badges": ["reproduced", "functional"],
        "archive": (io.BytesIO(tarball()), "pi.tar.gz"),
        "appendix": (io.BytesIO((PI / "ARTIFACT-APPENDIX.md").read_bytes()), "ARTIFACT-APPENDIX.md")})
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    artifact = created["artifact"]
    assert response.headers["Location"] == f"/api/artifacts/{artifact}"
    assert [c["id"] for c in created["checklist"]["claims"]] == ["pi", "fast"]
    shown = client.get(f"/api/artifacts/{artifact}", headers=author).get_json()
    assert shown["source"].startswith("archive:") and shown["report"] is None

    again = client.post(f"/api/artifacts/{artifact}/versions", headers=author,
                        content_type="multipart/form-data",
                        data={"archive": (io.BytesIO(tarball("v2")), "pi-2.tar.gz")})
    assert again.status_code == 201, again.get_data(as_text=True)
    versions = client.get(f"/api/artifacts/{artifact}/versions", headers=author).get_json()
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[0]["ref"] != versions[1]["ref"] and versions[1]["ref"].startswith("archive:")
    assert versions[0]["appendix"] == "ARTIFACT-APPENDIX.md" and versions[0]["checklist"]["error"] >= 0

    assert "has no refs" in problem(client.post(f"/api/artifacts/{artifact}/versions", headers=author,
                                                json={"ref": "v2"}), 400)["detail"]
    assert client.get(f"/api/artifacts/{artifact}/versions",
                      headers=people.headers("other_author")).status_code == 404


@pytest.mark.parametrize("fields, detail", [
    ({"source": "https://mirror.ae.test/pi"}, "either a git source (and ref) or an archive, not both"),
    ({"appendix": "# text"}, "as a file or as text, not both"),
])
def test_a_multipart_submission_is_one_thing_or_the_other(client: Any, people: Any, mirror: str,
                                                          fields: dict[str, str], detail: str) -> None:
    data: dict[str, Any] = {"conference": "ppopp-2019", "title": "Pi", **fields,
                            "archive": (io.BytesIO(tarball()), "pi.tar.gz")}
    if "appendix" in fields:
        data["appendix"] = [fields["appendix"], (io.BytesIO(b"# file"), "appendix.md")]
    response = client.post("/api/artifacts", headers=people.headers("author"),
                           content_type="multipart/form-data", data=data)
    assert detail in problem(response, 400)["detail"]
    not_an_archive = client.post("/api/artifacts", headers=people.headers("author"),
                                 content_type="multipart/form-data",
                                 data={"conference": "ppopp-2019", "title": "Pi",
                                       "archive": (io.BytesIO(b"just text"), "pi.tar.gz")})
    assert "is not a" in problem(not_an_archive, 400)["detail"]


def test_a_git_artifact_takes_refs_as_json_and_refuses_an_archive(client: Any, people: Any,
                                                                  mirror: str) -> None:
    author = people.headers("author")
    created = client.post("/api/artifacts", headers=author, json={
        "conference": "ppopp-2019", "title": "Pi", "source": f"{mirror}pi", "ref": "main"}).get_json()
    artifact = created["artifact"]
    assert client.post(f"/api/artifacts/{artifact}/versions", headers=author).status_code == 201, \
        "an empty body resubmits the same source"
    refused = client.post(f"/api/artifacts/{artifact}/versions", headers=author,
                          content_type="multipart/form-data",
                          data={"archive": (io.BytesIO(tarball()), "x.tgz")})
    assert "comes from git" in problem(refused, 400)["detail"]
    versions = client.get(f"/api/artifacts/{artifact}/versions", headers=author).get_json()
    assert [(v["number"], v["ref"]) for v in versions] == [(1, "main"), (2, None)]
    listed = client.get("/api/artifacts?conference=ppopp-2019", headers=people.headers("chair")).get_json()
    assert [a["id"] for a in listed] == [artifact]
    elsewhere = client.get("/api/artifacts?conference=micro-2023", headers=people.headers("chair"))
    assert elsewhere.get_json() == []
    assert client.get("/api/artifacts", headers=people.headers("evaluator")).get_json() == [], \
        "an evaluator lists only what a chair assigned"


@pytest.fixture
def run(app: Any, people: Any) -> dict[str, Any]:
    """An author's artifact with one run whose logs lie in its work dir (stderr is a planted link)."""
    from ae.storage.db import session_scope
    from ae.storage.models import Run
    from ae.storage.queries import create_artifact

    with session_scope() as session:
        artifact, version = create_artifact(session=session, conference="ppopp-2019", title="Pi",
                                            source="https://example.org/pi.git", ref=None,
                                            owner_id=people.ids["author"])
        found = Run(version_id=version.id, program="pi", cmd_key="default", status="failed",
                    failure_kind="exit-code", message="exit 1",
                    record={"logs": {"stdout": ".ae/stdout.log", "stderr": ".ae/stderr.log"}})
        session.add(found)
        ids = {"artifact": artifact.id, "version": version.id, "run": found.id}
    own = Path(app.config["DATA_DIR"]) / "runs" / ids["run"] / ".ae"
    own.mkdir(parents=True)
    (own / "stdout.log").write_text("computing pi\n3.14159\n")
    os.symlink("/etc/passwd", own / "stderr.log")
    people.assign(ids["artifact"], "evaluator")
    return ids


def test_a_run_shows_its_status_and_its_logs_safely(client: Any, people: Any, run: dict[str, Any]) -> None:
    url = f"/api/runs/{run['run']}"
    shown = client.get(url, headers=people.headers("author")).get_json()
    assert shown["artifact"] == run["artifact"] and shown["version"] == 1
    assert shown["status"] == "failed" and shown["failure_kind"] == "exit-code" and shown["progress"] is None
    log = client.get(f"{url}/logs/stdout", headers=people.headers("evaluator"))
    assert log.status_code == 200 and log.mimetype == "text/plain"
    assert log.get_data(as_text=True) == "computing pi\n3.14159\n"
    assert client.get(f"{url}/logs/stdout?bytes=8", headers=people.headers("author")).data == b"3.14159\n"
    planted = client.get(f"{url}/logs/stderr", headers=people.headers("author"))
    assert "symbolic link" in problem(planted, 404)["detail"]
    assert "root:" not in planted.get_data(as_text=True)
    problem(client.get(f"{url}/logs/environ", headers=people.headers("author")), 404)
    for size in ("0", "x", str((1 << 20) + 1)):
        problem(client.get(f"{url}/logs/stdout?bytes={size}", headers=people.headers("author")), 400)
    assert client.get(url, headers=people.headers("organizer")).status_code == 200
    problem(client.get(f"{url}/logs/stdout", headers=people.headers("organizer")), 404)
    for name in ("other_author", "other_evaluator"):
        problem(client.get(url, headers=people.headers(name)), 404)
        problem(client.get(f"{url}/logs/stdout", headers=people.headers(name)), 404)
    problem(client.get("/api/runs/nope", headers=people.headers("admin")), 404)


def test_the_report_is_served_by_url(app: Any, client: Any, people: Any, run: dict[str, Any]) -> None:
    from ae.storage.db import session_scope
    from ae.storage.models import ArtifactVersion

    author, url = people.headers("author"), f"/api/artifacts/{run['artifact']}/report"
    assert "no report yet" in problem(client.get(url, headers=author), 404)["detail"]
    out = Path(app.config["DATA_DIR"]) / "reports" / run["version"]
    out.mkdir(parents=True)
    (out / "report.html").write_text("<h1>Pi</h1>")
    with session_scope() as session:
        version = session.get(ArtifactVersion, run["version"])
        assert version is not None
        version.report_path = str(out / "report.html")
    with client.get(url, headers=author) as page:
        assert page.status_code == 200 and page.mimetype == "text/html" and page.data == b"<h1>Pi</h1>"
        assert "sandbox" in page.headers["Content-Security-Policy"]
    with client.get(f"{url}?version=1&format=html", headers=author) as page:
        assert page.status_code == 200
    shown = client.get(f"/api/artifacts/{run['artifact']}", headers=author).get_json()
    assert shown["report"] == f"http://localhost{url}", "a URL, never a path on the server"
    versions = client.get(f"/api/artifacts/{run['artifact']}/versions", headers=author).get_json()
    assert versions[0]["report"] == f"http://localhost{url}?version=1"
    assert "no PDF report" in problem(client.get(f"{url}?format=pdf", headers=author), 404)["detail"]
    assert "no version 2" in problem(client.get(f"{url}?version=2", headers=author), 404)["detail"]
    problem(client.get(f"{url}?format=doc", headers=author), 400)
    problem(client.get(f"{url}?version=x", headers=author), 400)
    problem(client.get(url, headers=people.headers("other_author")), 404)


def test_http_errors_are_problem_details(app: Any, client: Any, people: Any) -> None:
    author = people.headers("author")
    problem(client.get("/api/no-such-route", headers=author), 404)
    wrong = client.delete("/api/artifacts", headers=author)
    problem(wrong, 405)
    assert set(wrong.headers["Allow"].split(", ")) >= {"GET", "POST"}
    app.config.update(MAX_UPLOAD_BYTES=1000, MAX_APPENDIX_BYTES=1000)
    large = client.post("/api/artifacts", headers=author, content_type="multipart/form-data",
                        data={"conference": "ppopp-2019", "title": "x",
                              "archive": (io.BytesIO(b"x" * 200_000), "big.tar")})
    problem(large, 413)
    app.config["RATELIMIT_SUBMIT"] = "2 per hour"
    for _ in range(2):
        problem(client.post("/api/artifacts", headers=author, json={}), 400)
    limited = problem(client.post("/api/artifacts", headers=author, json={}), 429)
    assert "try again later" in limited["detail"]
