"""`ae tournament import|show|export|publish|list` on the test database (SQLite or PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from tests.tournaments.ckdata import request_like, write_repo

ROOT = Path(__file__).resolve().parents[2]
SLUG = "request-asplos18"


def test_import_show_export_publish(runner: Any, tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "results", request_like())
    done = runner.invoke(["tournament", "import", str(repo), "--conference", SLUG])
    assert done.exit_code == 0, done.output
    assert "imported 7 points of 4 entries from 4 experiment entries into request-asplos18" in done.output
    assert "note: validated-request-iot-farm-alexnet-rpi-cpu: NUL characters removed" in done.output
    assert "meta says 3 points but 2 are present" in done.output
    again = runner.invoke(["tournament", "import", str(repo), "--conference", SLUG])  # replaced, not doubled
    assert "imported 7 points" in again.output

    shown = runner.invoke(["tournament", "show", SLUG, "--sort", "latency"])
    assert shown.exit_code == 0, shown.output
    assert "7 points of 4 entries, 3 ranked, 2 fronts over top1, latency, price, power" in shown.output
    lines = shown.output.splitlines()
    assert "Latency (s) ↓" in lines[1] and "Top-1 accuracy ↑" in lines[1]
    first = lines[3]
    assert "hikey960-224-1.0 · e1f2a3b4" in first
    assert "breaks top1 >= 0.7 (0.5720)" in first  # shown, not hidden

    exported = runner.invoke(["tournament", "export", SLUG, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert len(rows) == 7 and rows[0]["front"] == "1"
    iot = next(r for r in rows if "iot-farm" in r["configuration"])
    assert iot["top1"] == "" and "read as not measured" in iot["top1_note"] and iot["platform_price"] == "35"
    data = json.loads(runner.invoke(["tournament", "export", SLUG, "--format", "json"]).output)
    assert data["frontier"] == 2 and data["front_metrics"] == ["top1", "latency", "price", "power"]
    svg = runner.invoke(["tournament", "export", SLUG, "--format", "svg", "--x", "latency",
                         "--y", "top1"]).output
    assert svg.startswith("<?xml") and "Pareto front" in svg
    out = tmp_path / "report.html"
    assert runner.invoke(["tournament", "export", SLUG, "--format", "html", "-o", str(out)]).exit_code == 0
    page = out.read_text()
    assert "<h2>Pareto frontier</h2>" in page and "data:image/svg+xml;base64," in page
    markdown = runner.invoke(["tournament", "export", SLUG, "--format", "md"]).output
    assert ("| Top-1 accuracy (top1) | `##characteristics#run#accuracy_top1#mean` | ↑ higher is better |"
            in markdown)

    bad = runner.invoke(["tournament", "show", SLUG, "--sort", "latncy"])
    assert bad.exit_code == 2 and "unknown column 'latncy' (did you mean 'latency'?)" in bad.output
    listed = runner.invoke(["tournament", "list"])
    assert "request-asplos18" in listed.output and "not published" in listed.output
    assert "published" in runner.invoke(["tournament", "publish", SLUG]).output
    assert "(published" in runner.invoke(["tournament", "list"]).output
    missing = runner.invoke(["tournament", "show", "ppopp-2019"])
    assert missing.exit_code == 2 and "conference 'ppopp-2019' has no tournament" in missing.output
