"""The conference report and `ae report` on the real database: counts per badge, the timeline against
the phases, the results table with its CSV and JSON, one line per artifact, the chairs' web route, and
PDFs whose every word lies inside the printable area."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ae.reports import conference as report
from tests.reports import layout
from tests.review.helpers import make_artifact

C = "ppopp-2019"


@pytest.fixture
def two(app: Any, people: Any, tmp_path: Path) -> list[Any]:
    """Two evaluated artifacts submitted during artifact-submission; the first accepted and badged."""
    from ae import conferences
    from ae.issuance import issue, issuer_for
    from ae.review import decisions
    from ae.storage.db import session_scope
    from ae.storage.models import Artifact

    made = [make_artifact(app, people.ids["author"], title=title, data_dir=tmp_path / "data", evaluated=True)
            for title in ("=HYPERLINK(1) pi", "Second <pi>")]
    conference = conferences.get(C)
    with app.app_context(), session_scope() as session:
        for n, item in enumerate(made):
            artifact = session.get(Artifact, item.artifact)
            assert artifact is not None
            artifact.created_at = dt.datetime(2018, 11, 24 + n, 12, tzinfo=dt.UTC)
        decisions.decide(session=session, conference=C, offered=conference.badges,
                         artifact_id=made[0].artifact, outcome="accepted", badges=["replicated"], text="",
                         decided_by=people.ids["chair"])
        issuer = issuer_for(base_url="https://ae.example.org", instance_path=tmp_path / "k")
        issue(session=session, issuer=issuer, conference=conference, artifact_id=made[0].artifact,
              badge="replicated", actor_id=None)
    return made


def test_ae_report_conference_writes_every_format(app: Any, runner: Any, two: list[Any],
                                                  tmp_path: Path) -> None:
    out = tmp_path / "conf"
    done = runner.invoke(["report", "conference", C, "--output", str(out)])
    assert done.exit_code == 0, done.output
    assert done.output.splitlines() == [f"{kind}: {out / f'conference.{kind}'}"
                                        for kind in ("csv", "html", "json", "md", "pdf")]
    data = json.loads((out / "conference.json").read_text(encoding="utf-8"))
    assert (data["conference"], data["scheme"], data["summary"]) == (C, "acm-1.0", {
        "artifacts": 2, "statuses": {"done": 2}})
    replicated = next(b for b in data["badges"] if b["badge"] == "replicated")
    assert {k: replicated[k] for k in ("requested", "recommended", "awarded", "issued", "revoked")} == {
        "requested": 0, "recommended": 2, "awarded": 1, "issued": 1, "revoked": 0}
    submission = next(t for t in data["timeline"] if t["phase"] == "artifact-submission")
    assert submission == {"phase": "artifact-submission", "starts": "2018-11-23", "ends": "2018-12-19",
                          "state": "over", "submitted": 2, "evaluated": 0, "reviews": 0, "decisions": 0,
                          "issued": 0}
    assert sum(t["issued"] for t in data["timeline"]) == 1
    results = [(r["title"], r["reproduced"], r["claims"], r["decision"], r["issued"])
               for r in data["results"]]
    assert results == [
        ("=HYPERLINK(1) pi", 1, 1, "accepted", ["Results Replicated"]), ("Second <pi>", 1, 1, "pending", [])]
    rows = list(csv.reader(io.StringIO((out / "conference.csv").read_text(encoding="utf-8"))))
    assert rows[0] == list(report.RESULT_COLUMNS)
    assert rows[1][1] == "'=HYPERLINK(1) pi", "no formula reaches a spreadsheet"
    text = layout.text(out / "conference.pdf")
    for shown in ["Conference report: PPoPP 2019 Artifact Evaluation", "Badges", "Timeline", "Results",
                  "Second <pi> (", "1 of 1 claims reproduced; runs: 1 succeeded; recommended:",
                  "decision: accepted (Results Replicated); issued: Results Replicated"]:
        assert shown in text, shown
    layout.assert_inside(out / "conference.pdf", tmp_path / "pages")


def test_ae_report_artifact_writes_the_current_report(app: Any, runner: Any, two: list[Any],
                                                      tmp_path: Path) -> None:
    done = runner.invoke(["report", "artifact", two[0].artifact[:10]])
    assert done.exit_code == 0, done.output
    out = Path(app.config["DATA_DIR"]) / "reports" / two[0].version
    assert done.output.splitlines() == [f"{kind}: {out / f'report.{kind}'}" for kind in ("html", "md", "pdf")]
    text = layout.text(out / "report.pdf").replace("/ ", "/")  # a URL wraps after a slash
    for shown in ["Evaluation report: =HYPERLINK(1) pi", "Outcome", "Results Reproduced yes not awarded",
                  "Results Replicated no awarded",
                  "Issued badges", f"{app.config['BASE_URL']}/badges/verify", "Claim pi: samples",
                  "Figure 1"]:
        assert shown in text, shown
    layout.assert_inside(out / "report.pdf", tmp_path / "pages")


@pytest.mark.parametrize(("args", "message"), [
    (["report", "artifact", "feedbeef"], "feedbeef"),
    (["report", "conference", "no-such-conf"], "no-such-conf"),
])
def test_bad_ids_are_refused_in_one_line(runner: Any, args: list[str], message: str) -> None:
    done = runner.invoke(args)
    assert done.exit_code == 2
    assert done.output.startswith("Error:") and message in done.output


def test_an_unknown_version_is_refused(runner: Any, two: list[Any]) -> None:
    done = runner.invoke(["report", "artifact", two[0].artifact, "--version", "9", "--no-pdf"])
    assert done.exit_code == 2 and "has no version 9 (its versions: 1)" in done.output


def test_the_chairs_get_the_report_on_the_web(app: Any, client: Any, people: Any, two: list[Any]) -> None:
    people.sign_in(client, "chair")
    page = client.get(f"/conferences/{C}/report.html")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "<h1>Conference report: PPoPP 2019 Artifact Evaluation</h1>" in page.get_data(as_text=True)
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    pdf = client.get(f"/conferences/{C}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    got = client.get(f"/conferences/{C}/report.json")
    assert [r["title"] for r in got.get_json()["results"]] == ["=HYPERLINK(1) pi", "Second <pi>"]
    assert client.get(f"/conferences/{C}/report.csv").data.startswith(b"artifact_id,title,")
    assert client.get(f"/conferences/{C}/report.txt").status_code == 404
    people.sign_in(client, "author")
    assert client.get(f"/conferences/{C}/report.html").status_code == 403


def test_same_data_same_bytes_but_the_date_line(app: Any, two: list[Any]) -> None:
    from ae import conferences
    from ae.reporting.conference import conference_report
    from ae.storage.db import session_scope

    with app.app_context(), session_scope() as session:
        first = conference_report(session=session, conference=conferences.get(C), today=dt.date(2018, 12, 1),
                                  generated_at="2026-11-30 10:00 UTC")
        second = conference_report(session=session, conference=conferences.get(C), today=dt.date(2018, 12, 1),
                                   generated_at="2026-11-30 10:00 UTC")
    assert report.to_html(first) == report.to_html(second) and report.to_csv(first) == report.to_csv(second)
    later = report.to_html(replace(second, generated_at="2026-12-02 09:00 UTC")).splitlines()
    assert [(a, b) for a, b in zip(report.to_html(first).splitlines(), later, strict=True) if a != b] == [
        ("<p>Generated by ae 0.1.0 on 2026-11-30 10:00 UTC.</p>",
         "<p>Generated by ae 0.1.0 on 2026-12-02 09:00 UTC.</p>")]
    assert [t["state"] for t in first.timeline] == ["over", "current", "upcoming", "upcoming"]
