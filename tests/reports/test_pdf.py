"""The PDF report: a real PDF written by WeasyPrint, holding the report's text."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from ae.reports.artifact import to_html, write
from ae.reports.pdf import write_pdf

from .test_artifact import REPORT


def pdf_text(path: Path) -> str:
    """Return the text of a PDF as poppler's pdftotext reads it (reading order, whitespace folded)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian package poppler-utils) is not installed")
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                            text=True, check=True, timeout=60)
    return " ".join(result.stdout.split())


def test_write_pdf_renders_html_to_a_real_pdf(tmp_path: Path) -> None:
    path = write_pdf("<h1>Hello &lt;PDF&gt;</h1><p>second line</p>", tmp_path / "out.pdf")
    assert path == tmp_path / "out.pdf"
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert pdf_text(path) == "Hello <PDF> second line"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_the_report_pdf_holds_the_report_text(tmp_path: Path) -> None:
    paths = write(REPORT, tmp_path)
    assert paths == {"md": tmp_path / "report.md", "html": tmp_path / "report.html",
                     "pdf": tmp_path / "report.pdf"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.md", "report.pdf"]
    text = pdf_text(paths["pdf"])
    for shown in [  # running text; it wraps at the page width only
        "Evaluation report: Fast <script>alert(1)</script> sorting",
        "Dependency repositories", "Claims and results", "Runs", "Environment of the reproduction",
        "• c1 — median of 3 runs within ±8 % • out — output differs",
        '"Time from" says where each repetition\'s execution time came from: the program\'s own timer file',
        "Badge recommendations • Artifacts Available: recommended — DOI 10.5281/zenodo.1 and commit "
        "0123456789ab are pinned • Results Reproduced: not-recommended — 1 of 2 claims not reproduced",
        "Check-list • error: no <DOI> given • warning: no licence",
    ]:
        assert shown in text, shown
    # Table cells wrap inside their columns, in an order that depends on the fonts: words only.
    words = set(text.split())
    cells = {"ppopp-2019", "0123456789abcdef0123456789abcdef01234567", "abc1234", "conference",
             "execution_time", "[1.010,", "1.030]", "reproduced", "output", "succeeded", "failed",
             "list-1m", "timer", "×2", "timeout:", "x86_64"}
    assert cells - words == set()


def test_the_pdf_of_a_hostile_title_shows_it_as_text(tmp_path: Path) -> None:
    hostile = replace(REPORT, title='<img src="file:///etc/passwd"> & <b>bold</b>')
    path = write_pdf(to_html(hostile), tmp_path / "report.pdf")
    assert "Evaluation report: <img src=\"file:///etc/passwd\"> & <b>bold</b>" in pdf_text(path)
