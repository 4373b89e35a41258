"""The author's pages through the Flask test client: submit, lint at once, the artifact page with its
versions, live progress, log stream, downloads and reports, resubmit, and the chair's conference page."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PI_APPENDIX = (ROOT / "examples" / "pi-python" / "ARTIFACT-APPENDIX.md").read_bytes()
HOSTILE_APPENDIX = b"""# Artifact Appendix

## Abstract

We do things. <script>alert(1)</script> See [docs](javascript:alert(2)) and ![x](http://192.0.2.1/x.png).

## Artifact check-list (meta-information)

- **Program:** `program:x`
"""


@pytest.fixture
def config(config: dict[str, Any]) -> dict[str, Any]:
    """Small caps, so oversize uploads are cheap to make."""
    return {**config, "MAX_APPENDIX_BYTES": 8 << 10, "MAX_UPLOAD_BYTES": 64 << 10}


@pytest.fixture
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An operator's git config mirroring https://mirror.ae.test/ in a local directory; its URL base."""
    (tmp_path / "mirror").mkdir()
    config = tmp_path / "gitconfig"
    config.write_text(f'[url "{tmp_path / "mirror"}/"]\n\tinsteadOf = https://mirror.ae.test/\n')
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return "https://mirror.ae.test/"


def csrf(client: Any, url: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))
    assert found, f"{url} has no CSRF token"
    return found.group(1)


def submit_form(client: Any, **fields: Any) -> Any:
    """Post the submission form (multipart, with its CSRF token)."""
    data = {"csrf_token": csrf(client, "/submit"), "conference": "ppopp-2019", "title": "Pi",
            "source": "", "ref": "", **fields}
    return client.post("/submit", data=data, content_type="multipart/form-data")


def artifact_id_of(response: Any) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    found = re.fullmatch(r"/artifacts/([0-9a-f]{32})", response.headers["Location"])
    assert found, response.headers["Location"]
    return found.group(1)


def table_rows(page: str, css_class: str) -> list[list[str]]:
    """Return the text of each cell of each data row of the table with `css_class`."""
    table = re.search(rf'<table class="{css_class}">(.*?)</table>', page, re.DOTALL)
    assert table, f"no table {css_class}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.DOTALL)[1:]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL) for row in rows]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in row] for row in cells]


def test_submit_form_from_git_with_an_uploaded_appendix_shows_the_lint_at_once(
        client: Any, people: Any, mirror: str) -> None:
    people.sign_in(client, "author")
    form = client.get("/submit").get_data(as_text=True)
    assert 'name="csrf_token"' in form and 'enctype="multipart/form-data"' in form
    assert 'value="reproduced"' in form and "Results Reproduced" in form
    response = submit_form(client, source=f"{mirror}pi", badges=["reproduced", "available"],
                           appendix=(io.BytesIO(PI_APPENDIX), "ARTIFACT-APPENDIX.md"))
    artifact = artifact_id_of(response)
    page = client.get(f"/artifacts/{artifact}").get_data(as_text=True)
    assert "Submitted. The check-list of your appendix is below" in page
    assert "1 error, 0 warnings, 0 notes" in page
    [finding] = table_rows(page, "checklist")
    assert finding[:2] == ["25", "error"] and "available badge needs the artifact" in finding[2]
    assert "Version 1" in page and "submitted" in page and "ref <code>default branch</code>" in page
    assert "badges requested: reproduced, available" in page


def test_lint_errors_show_with_their_lines_and_markdown_is_sanitised(client: Any, people: Any,
                                                                      mirror: str) -> None:
    people.sign_in(client, "author")
    artifact = artifact_id_of(submit_form(client, source=f"{mirror}x", ref="main",
                                          appendix=(io.BytesIO(HOSTILE_APPENDIX), "appendix.md")))
    page = client.get(f"/artifacts/{artifact}").get_data(as_text=True)
    rows = table_rows(page, "checklist")
    assert ["7", "error"] == rows[0][:2] and 'section "How to access" is missing' in rows[0][2]
    appendix = page[page.index('<div class="markdown">'):]
    assert "<h4>Artifact Appendix</h4>" in appendix and "<h5>Abstract</h5>" in appendix, \
        "the appendix is rendered as Markdown, its headings below the page's"
    assert "<script>alert(1)" not in page and "javascript:" not in page and "192.0.2.1" not in page
    assert "ref <code>main</code>" in page


def test_an_archive_upload_is_the_source(client: Any, people: Any, tmp_path: Path) -> None:
    import tarfile

    tree = ROOT / "examples" / "pi-python"
    archive = tmp_path / "pi.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tree, arcname="pi-python")
    people.sign_in(client, "author")
    artifact = artifact_id_of(submit_form(client, archive=(io.BytesIO(archive.read_bytes()), "pi.tar.gz")))
    page = client.get(f"/artifacts/{artifact}").get_data(as_text=True)
    assert "uploaded archive" in page and re.search(r"archive sha256 <code>[0-9a-f]{64}</code>", page)
    assert 'type="file" name="archive"' in page, "an archive artifact is resubmitted with an archive"
    both = submit_form(client, source="https://mirror.ae.test/pi",
                       archive=(io.BytesIO(archive.read_bytes()), "pi.tar.gz"))
    assert both.status_code == 400 and "not both" in both.get_data(as_text=True)


def test_oversize_appendix_archive_and_body_get_a_clear_413(app: Any, client: Any, people: Any,
                                                            mirror: str) -> None:
    people.sign_in(client, "author")
    big_appendix = submit_form(client, source=f"{mirror}pi",
                               appendix=(io.BytesIO(b"x" * (9 << 10)), "appendix.md"))
    assert big_appendix.status_code == 413
    assert "AE_MAX_APPENDIX_BYTES" in big_appendix.get_data(as_text=True)
    assert 'name="title" value="Pi"' in big_appendix.get_data(as_text=True), "the form is kept"
    big_archive = submit_form(client, archive=(io.BytesIO(b"\x1f\x8b" + b"x" * (70 << 10)), "a.tar.gz"))
    assert big_archive.status_code == 413
    assert "AE_MAX_UPLOAD_BYTES" in big_archive.get_data(as_text=True)
    assert app.config["MAX_CONTENT_LENGTH"] == (64 << 10) + (8 << 10) + (1 << 20)
    huge = client.post("/submit", data=b"x" * (2 << 20), content_type="multipart/form-data; boundary=b")
    assert huge.status_code == 413 and "The upload is too large" in huge.get_data(as_text=True)
    assert not list((Path(app.config["DATA_DIR"]) / "archives").glob("*")) if \
        (Path(app.config["DATA_DIR"]) / "archives").exists() else True, "nothing refused is kept"


def test_who_may_submit_and_the_form_needs_its_token(client: Any, people: Any, mirror: str) -> None:
    assert client.get("/submit").status_code == 302, "anonymous: sign in first"
    people.sign_in(client, "evaluator")
    assert client.get("/submit").status_code == 403, "no conference where they are an author"
    people.sign_in(client, "author")
    no_token = client.post("/submit", data={"conference": "ppopp-2019", "title": "x",
                                            "source": f"{mirror}pi"})
    assert no_token.status_code == 400
    elsewhere = submit_form(client, conference="micro-2023", source=f"{mirror}pi")
    assert elsewhere.status_code in (403, 404)
    unknown_badge = submit_form(client, source=f"{mirror}pi", badges=["gold"])
    assert unknown_badge.status_code == 400 and "is not offered" in unknown_badge.get_data(as_text=True)


# --- a finished run, made by hand: logs, outputs, stream, reports -------------------------------

def finished_run(app: Any, people: Any, *, status: str = "succeeded", version_status: str = "done",
                 record: dict[str, Any] | None = None) -> dict[str, Any]:
    """Make an artifact of `author` with one run (finished by default) whose files lie in the data dir."""
    from ae.storage.db import session_scope
    from ae.storage.models import Artifact, ArtifactVersion, Run

    if record is None:
        record = {"logs": {"stdout": "tmp/stdout.log", "stderr": ".ae/stderr.log"},
                  "outputs": {"stdout.log": "0" * 64, "result.txt": "1" * 64, "linked.txt": "2" * 64},
                  "time_sources": ["timer"] * 3}
    with app.app_context(), session_scope() as session:
        artifact = Artifact(conference="ppopp-2019", title="Made", source="https://example.org/made.git",
                            owner_id=people.ids["author"])
        version = ArtifactVersion(artifact_id=artifact.id, status=version_status, commit="a" * 40)
        run = Run(version_id=version.id, program="pi-python", cmd_key="default", status=status,
                  repetitions=3, samples=[{"execution_time": 1.0}] * 3, record=record)
        session.add_all([artifact, version, run])
        ids = {"artifact": artifact.id, "version": version.id, "run": run.id}
    work = Path(app.config["DATA_DIR"]) / "runs" / ids["run"]
    (work / "tmp").mkdir(parents=True)
    (work / ".ae").mkdir()
    (work / "tmp" / "stdout.log").write_text("pi ~ 3.14\nsecond line\nno newline at the end")
    (work / ".ae" / "stderr.log").write_text("a warning\n")
    (work / "tmp" / "result.txt").write_text("42\n")
    (work / "tmp" / "linked.txt").symlink_to("/etc/passwd")
    return {**ids, "work": work}


def test_logs_and_outputs_download_as_attachments_only_by_listed_name(app: Any, client: Any,
                                                                      people: Any) -> None:
    made = finished_run(app, people)
    base = f"/artifacts/{made['artifact']}/runs/{made['run']}"
    people.sign_in(client, "author")
    stdout = client.get(f"{base}/logs/stdout")
    assert stdout.status_code == 200 and stdout.data.startswith(b"pi ~ 3.14\n")
    assert stdout.headers["Content-Disposition"].startswith("attachment;")
    assert stdout.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"{base}/logs/stderr").data == b"a warning\n"
    output = client.get(f"{base}/outputs/result.txt")
    assert output.data == b"42\n" and "attachment" in output.headers["Content-Disposition"]
    assert client.get(f"{base}/outputs/linked.txt").status_code == 404, "a link is never followed"
    for name in ("../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "missing.txt", "/etc/passwd"):
        assert client.get(f"{base}/outputs/{name}", follow_redirects=True).status_code == 404, name
    assert client.get(f"{base}/logs/environ").status_code == 404
    page = client.get(f"/artifacts/{made['artifact']}").get_data(as_text=True)
    assert f'href="{base}/logs/stdout"' in page and f'href="{base}/outputs/result.txt"' in page
    assert "3 of 3 repetitions measured" in page


def test_the_stream_of_a_finished_run_sends_its_log_lines_and_ends(app: Any, client: Any,
                                                                   people: Any) -> None:
    made = finished_run(app, people)
    people.sign_in(client, "author")
    response = client.get(f"/artifacts/{made['artifact']}/runs/{made['run']}/stream")
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    body = response.get_data(as_text=True)
    assert body.startswith("retry: ")
    assert re.search(r"event: stdout\nid: [0-9:]+\ndata: pi ~ 3.14\ndata: second line\n"
                     r"data: no newline at the end\n\n", body), body
    assert "event: stderr\n" in body and "data: a warning\n" in body
    assert body.endswith("event: end\ndata: succeeded\n\n")
    position = re.findall(r"^id: (.+)$", body, re.MULTILINE)[-1]
    again = client.get(f"/artifacts/{made['artifact']}/runs/{made['run']}/stream",
                       headers={"Last-Event-ID": position}).get_data(as_text=True)
    assert "data: pi ~ 3.14" not in again and again.endswith("event: end\ndata: succeeded\n\n"), \
        "a reconnecting browser resumes where it was"


def test_follower_reads_new_lines_and_starts_over_on_a_new_file(tmp_path: Path) -> None:
    from ae.workers.logs import Follower

    log = tmp_path / "out.log"
    log.write_text("one\ntw")
    follower = Follower.resume(tmp_path, {"stdout": "out.log"}, None)
    assert list(follower.poll(generation=1)) == [("stdout", ["one"])]
    with log.open("a") as handle:
        handle.write("o\nthree\n")
    assert list(follower.poll()) == [("stdout", ["two", "three"])]
    assert list(follower.poll()) == []
    log.unlink()
    log.write_text("next repetition\n")  # the pipeline writes each repetition's log anew
    assert list(follower.poll(generation=2)) == [("stdout", ["next repetition"])]
    resumed = Follower.resume(tmp_path, {"stdout": "out.log"}, follower.position)
    assert list(resumed.poll(final=True)) == []


def test_live_progress_from_the_worker_reaches_the_page(app: Any, client: Any, people: Any) -> None:
    from ae.workers import progress
    from ae.workers.queue import get_redis

    made = finished_run(app, people, status="running", version_status="running", record={})
    clock = iter([100.0, 101.0, 110.0, 113.0]).__next__
    reporter = progress.Reporter(get_redis(), made["run"], total=3, clock=clock)
    reporter.start()                       # t=100
    reporter.say("running 1/3")            # t=101
    reporter.streams(made["work"] / "tmp" / "stdout.log", made["work"] / ".ae" / "stderr.log",
                     made["work"])
    reporter.say("running 2/3")            # t=110: repetition 1 took 9 s
    shown = progress.read(get_redis(), made["run"], now=113.0)
    assert shown is not None and shown.to_dict() == {
        "stage": "running", "repetition": 2, "total": 3, "elapsed_s": 13.0, "remaining_s": 15.0,
        "logs": {"stdout": "tmp/stdout.log", "stderr": ".ae/stderr.log"}}
    people.sign_in(client, "author")
    data = client.get(f"/artifacts/{made['artifact']}/progress").get_json()
    assert data["status"] == "running" and data["settled"] is False
    [live] = data["runs"]
    assert live["id"] == made["run"] and live["progress"]["repetition"] == 2
    page = client.get(f"/artifacts/{made['artifact']}").get_data(as_text=True)
    assert re.search(r"repetition 2 of 3 · \d+ s elapsed", page)
    assert "data-live" in page and "watch log" in page
    assert client.get(f"/artifacts/{made['artifact']}/runs/{made['run']}/logs/stdout").status_code == 200, \
        "a running run's logs are found through its live progress"


def test_reports_are_served_by_routes(app: Any, client: Any, people: Any) -> None:
    from ae.reports.artifact import ArtifactReport, write
    from ae.storage.db import session_scope
    from ae.storage.models import ArtifactVersion

    made = finished_run(app, people)
    people.sign_in(client, "author")
    base = f"/artifacts/{made['artifact']}/versions/1"
    assert client.get(f"{base}/report.html").status_code == 404, "no report yet"
    report = ArtifactReport(title="Made <b>", conference="ppopp-2019", source="x", version=1,
                            commit=None, snapshot_digest=None, status="done")
    paths = write(report, Path(app.config["DATA_DIR"]) / "reports" / made["version"])
    with session_scope() as session:
        version = session.get(ArtifactVersion, made["version"])
        assert version is not None
        version.report_path = str(paths.get("pdf") or paths["html"])
    with client.get(f"{base}/report.html") as html:
        assert html.status_code == 200 and html.mimetype == "text/html"
        assert "Made &lt;b&gt;" in html.get_data(as_text=True)
        assert "default-src 'none'" in html.headers["Content-Security-Policy"]
    with client.get(f"{base}/report.pdf") as pdf:
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert client.get(f"/artifacts/{made['artifact']}/versions/2/report.html").status_code == 404
    page = client.get(f"/artifacts/{made['artifact']}").get_data(as_text=True)
    assert f'href="{base}/report.html"' in page and f'href="{base}/report.pdf"' in page
    assert str(app.config["DATA_DIR"]) not in page, "no server path on the page"


def test_another_author_is_told_nothing_exists(app: Any, client: Any, people: Any) -> None:
    made = finished_run(app, people)
    base = f"/artifacts/{made['artifact']}"
    urls = [base, f"{base}/progress", f"{base}/runs/{made['run']}/stream",
            f"{base}/runs/{made['run']}/logs/stdout", f"{base}/runs/{made['run']}/outputs/result.txt",
            f"{base}/versions/1/report.html"]
    people.sign_in(client, "other_author")
    for url in urls:
        assert client.get(url).status_code == 404, url
    token = csrf(client, "/")
    assert client.post(f"{base}/versions", data={"csrf_token": token, "ref": "v2"}).status_code == 404
    people.sign_in(client, "organizer")
    assert client.get(base).status_code == 200, "an organizer sees the artifact"
    assert client.get(f"{base}/runs/{made['run']}/logs/stdout").status_code == 404, "but not its logs"
    assert "watch log" not in client.get(base).get_data(as_text=True)
    other = finished_run(app, people)
    people.sign_in(client, "author")
    assert client.get(f"/artifacts/{other['artifact']}/runs/{made['run']}/stream").status_code == 404, \
        "a run is found only under its own artifact"


def test_resubmit_from_the_page_adds_the_next_version(client: Any, people: Any, mirror: str) -> None:
    people.sign_in(client, "author")
    artifact = artifact_id_of(submit_form(client, source=f"{mirror}pi"))
    page = client.get(f"/artifacts/{artifact}").get_data(as_text=True)
    assert "Resubmit as version 2" in page
    token = csrf(client, f"/artifacts/{artifact}")
    response = client.post(f"/artifacts/{artifact}/versions", content_type="multipart/form-data",
                           data={"csrf_token": token, "ref": "v2",
                                 "appendix": (io.BytesIO(PI_APPENDIX), "ARTIFACT-APPENDIX.md")})
    assert response.status_code == 303 and response.headers["Location"] == f"/artifacts/{artifact}"
    page = client.get(f"/artifacts/{artifact}").get_data(as_text=True)
    assert "Resubmitted" in page and "Version 2" in page and "Version 1" in page
    assert page.index("Version 2") < page.index("Version 1"), "newest first"
    assert "ref <code>v2</code>" in page and "Resubmit as version 3" in page
    big = client.post(f"/artifacts/{artifact}/versions", content_type="multipart/form-data",
                      data={"csrf_token": token, "appendix": (io.BytesIO(b"x" * (9 << 10)), "a.md")})
    assert big.status_code == 413 and "AE_MAX_APPENDIX_BYTES" in big.get_data(as_text=True)


def test_artifact_list_is_paginated_in_two_queries(app: Any, client: Any, people: Any) -> None:
    from sqlalchemy import event

    from ae.storage.db import get_engine, session_scope
    from ae.storage.listing import artifact_page
    from ae.storage.models import Run, VerdictRecord
    from ae.storage.queries import create_artifact

    with session_scope() as session:
        for n in range(60):
            artifact, version = create_artifact(session=session, conference="ppopp-2019", title=f"A{n:02d}",
                                                source="https://example.org/a.git", ref=None,
                                                owner_id=people.ids["author"] if n % 2 else None)
            session.add(Run(version_id=version.id, program="p", cmd_key="k"))
            session.add(VerdictRecord(version_id=version.id, claim_id="c", outcome="reproduced", reason="r"))
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(get_engine(), "before_cursor_execute", count)
    try:
        with session_scope() as session:
            first = artifact_page(session=session, page=1)
    finally:
        event.remove(get_engine(), "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2
    assert len(first.rows) == 50 and first.more and first.rows[0].runs == 1
    assert first.rows[0].verdicts == [("c", "reproduced")] and first.rows[0].version == 1
    people.sign_in(client, "chair")
    page1 = client.get("/").get_data(as_text=True)
    assert page1.count('<a href="/artifacts/') == 50 and "older →" in page1
    page2 = client.get("/?page=2").get_data(as_text=True)
    assert page2.count('<a href="/artifacts/') == 10 and "← newer" in page2 and "older →" not in page2
    people.sign_in(client, "author")
    mine = client.get("/").get_data(as_text=True)
    assert mine.count('<a href="/artifacts/') == 30, "an author lists only their own"
    assert "Submit an artifact" in mine


def test_chair_invites_and_assigns_and_authors_see_pseudonyms(app: Any, client: Any, people: Any) -> None:
    made = finished_run(app, people)
    people.sign_in(client, "author")
    assert client.get("/conferences/ppopp-2019").status_code == 404, "authors do not see the conference"
    people.sign_in(client, "chair")
    page = client.get("/conferences/ppopp-2019").get_data(as_text=True)
    assert "Made" in page and "Evaluator@ae.test" not in page and "evaluator@ae.test" in page
    token = csrf(client, "/conferences/ppopp-2019")
    invited = client.post("/conferences/ppopp-2019/invitations", follow_redirects=True,
                          data={"csrf_token": token, "email": "New@ae.test", "role": "evaluator"})
    text = invited.get_data(as_text=True)
    link = re.search(r"http://127\.0\.0\.1:5000(/invite/inv_[\w-]+)", text)
    assert link and "send new@ae.test this evaluator invitation yourself" in text
    assert b"<strong>evaluator</strong> of <strong>ppopp-2019</strong>" in client.get(link.group(1)).data
    bad_role = client.post("/conferences/ppopp-2019/invitations", follow_redirects=True,
                           data={"csrf_token": token, "email": "x@ae.test", "role": "king"})
    assert "Not invited: role must be one of" in bad_role.get_data(as_text=True)
    for name in ("evaluator", "other_evaluator"):
        done = client.post("/conferences/ppopp-2019/assignments", follow_redirects=True, data={
            "csrf_token": token, "artifact": made["artifact"], "evaluator": people.ids[name]})
        assert "Evaluator assigned." in done.get_data(as_text=True)
    refused = client.post("/conferences/ppopp-2019/assignments", follow_redirects=True, data={
        "csrf_token": token, "artifact": made["artifact"], "evaluator": people.ids["author"]})
    assert "Not assigned: that person is not an evaluator" in refused.get_data(as_text=True)
    assert "Evaluators: Evaluator, Other_Evaluator" in client.get(f"/artifacts/{made['artifact']}").get_data(
        as_text=True), "a chair sees names"
    people.sign_in(client, "author")
    page = client.get(f"/artifacts/{made['artifact']}").get_data(as_text=True)
    assert "Evaluators: Evaluator A, Evaluator B" in page and "Other_Evaluator" not in page
    people.sign_in(client, "other_evaluator")
    assert "Evaluators: Evaluator A, Evaluator B (you)" in client.get(
        f"/artifacts/{made['artifact']}").get_data(as_text=True)
    people.sign_in(client, "evaluator")
    token = csrf(client, "/")
    assert client.post("/conferences/ppopp-2019/assignments", data={
        "csrf_token": token, "artifact": made["artifact"], "evaluator": people.ids["evaluator"]}
    ).status_code == 403, "an evaluator cannot manage the conference"


def test_pseudonyms_run_past_z() -> None:
    from ae.accounts.roster import pseudonym

    assert [pseudonym(n) for n in (0, 1, 25, 26, 27)] == [
        "Evaluator A", "Evaluator B", "Evaluator Z", "Evaluator AA", "Evaluator AB"]


@pytest.mark.slow
def test_a_real_run_reports_progress_and_streams_its_log(app: Any, client: Any, people: Any, mirror: str,
                                                         burst_worker: Any, tmp_path: Path) -> None:
    from sqlmodel import select

    from ae.intake.git import init_repository
    from ae.storage.db import session_scope
    from ae.storage.models import Run
    from ae.workers import progress
    from ae.workers.queue import get_redis

    shutil.copytree(ROOT / "examples" / "pi-python", tmp_path / "mirror" / "pi")
    init_repository(tmp_path / "mirror" / "pi", message="pi")
    people.sign_in(client, "author")
    artifact = artifact_id_of(submit_form(client, source=f"{mirror}pi", badges=["reproduced"]))
    burst_worker()
    with session_scope() as session:
        [run] = session.exec(select(Run)).all()
        run_id, record = run.id, dict(run.record)
    assert record["logs"] == {"stdout": "tmp/stdout.log", "stderr": "tmp/stderr.log"}
    finished = progress.read(get_redis(), run_id)
    assert finished is not None and finished.stage == "finished" and finished.repetition == 3
    body = client.get(f"/artifacts/{artifact}/runs/{run_id}/stream").get_data(as_text=True)
    assert re.search(r"data: pi ~ 3\.14\d+ after 200000 terms", body), body
    assert body.endswith("event: end\ndata: succeeded\n\n")
    page = client.get(f"/artifacts/{artifact}").get_data(as_text=True)
    rows = table_rows(page, "verdicts")
    assert [r[0].split(":")[0] for r in rows] == ["pi", "fast"]
    assert rows[0][4] == "reproduced" and rows[0][3].startswith("[")
    assert "≈ 3.142" in rows[0][1] and rows[1][4] == "not-reproduced"
    assert "Results Reproduced" in page and "report.pdf" in page
