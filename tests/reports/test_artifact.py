"""The per-artifact report from plain data: Markdown and HTML content, escaping and determinism."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from ae.reports.artifact import to_html, to_markdown, write

from .samples import EMPTY, REPORT, full

MARKDOWN = """\
# Evaluation report: Fast &lt;script&gt;alert(1)&lt;/script&gt; sorting

## Identity

| | |
|---|---|
| Conference | ppopp-2019 |
| Source | `https://example.org/sort.git` |
| Version | 2 |
| Commit | `0123456789abcdef0123456789abcdef01234567` |
| Snapshot (sha256) | `abababababababababababababababababababababababababababababababab` |
| Status | done |

## Dependency repositories

| Repository | URL | Commit | Pinned by | Needed by |
|---|---|---|---|---|
| ck-env | `https://github.com/ctuning/ck-env` | `abc1234` | conference | sort |

## Check-list

| Severity | Finding | Line |
|---|---|---|
| error | no &lt;DOI&gt; given | 3 |
| warning | no licence | — |

## Claims and results

| Claim | Metric | Claimed | Measured (median) | 95 % CI of ratio | Verdict |
|---|---|---|---|---|---|
| c1: 1\\|2 &lt;b&gt;10 s&lt;/b&gt; | `execution_time` | ≈ 10 s | 10.2 s | [1.010, 1.030] | **reproduced** |
| out: prints the sorted list | `output` | reference output | — | — | **not-reproduced** |

- **c1** — median of 3 runs within ±8 %
- **out** — output differs

## Runs

| Program | Command | Dataset | Repetitions | Status | Median time (s) | Time from | Failure |
|---|---|---|---|---|---|---|---|
| sort | default | — | 3 | succeeded | 10.2 | program timer |  |
| sort | big | list-1m | 5 | failed | — | wall clock ×3, program timer ×2 | timeout: killed after 60 s |

"Time from" says where each repetition's execution time came from: the program's own timer file, or
the wall clock measured inside the sandbox (when the program declares no timer file).

## Badge recommendations

- **Artifacts Available**: recommended — DOI 10.5281/zenodo.1 and commit 0123456789ab are pinned
- **Results Reproduced**: not-recommended — 1 of 2 claims not reproduced

## Environment of the reproduction

| | |
|---|---|
| arch | x86\\_64 |
| os | linux |
| cores | 2 |
"""


def table_rows(html: str, heading: str) -> list[list[str]]:
    """Return the body cells of the first table after a heading."""
    found = re.search(rf"<h[23]>{re.escape(heading)}</h[23]>", html)
    assert found, heading
    section = html[found.start():]
    body = section[section.index("<tbody>"):section.index("</tbody>")]
    return [re.findall(r"<td>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_markdown_holds_every_section_exactly() -> None:
    assert to_markdown(REPORT) == MARKDOWN


def test_an_empty_report_says_what_is_missing() -> None:
    assert to_markdown(EMPTY) == """\
# Evaluation report: Bare

## Identity

| | |
|---|---|
| Conference | usenix-sec-2024 |
| Source | `/srv/bare.tar.gz` |
| Version | 1 |
| Commit | `not pinned` |
| Snapshot (sha256) | `none` |
| Status | failed |

## Check-list

No check-list findings recorded.

## Claims and results

The appendix states no machine-checkable claims.

## Runs

| Program | Command | Dataset | Repetitions | Status | Median time (s) | Time from | Failure |
|---|---|---|---|---|---|---|---|

"Time from" says where each repetition's execution time came from: the program's own timer file, or
the wall clock measured inside the sandbox (when the program declares no timer file).

## Badge recommendations

No badge is recommended yet: the evaluation has not finished.

## Environment of the reproduction

No worker recorded its platform.
"""


def test_html_claims_table_rows() -> None:
    assert table_rows(to_html(REPORT), "Claims and results") == [
        ["c1: 1|2 &lt;b&gt;10 s&lt;/b&gt;", "<code>execution_time</code>", "≈ 10 s", "10.2 s",
         "[1.010, 1.030]", "<strong>reproduced</strong>"],
        ["out: prints the sorted list", "<code>output</code>", "reference output", "—", "—",
         "<strong>not-reproduced</strong>"],
    ]


def test_html_dependency_repositories_and_runs_with_their_time_source() -> None:
    page = to_html(REPORT)
    assert table_rows(page, "Dependency repositories") == [
        ["ck-env", "<code>https://github.com/ctuning/ck-env</code>", "<code>abc1234</code>", "conference",
         "sort"]]
    assert table_rows(page, "Runs") == [
        ["sort", "default", "—", "3", "succeeded", "10.2", "program timer", ""],
        ["sort", "big", "list-1m", "5", "failed", "—", "wall clock ×3, program timer ×2",
         "timeout: killed after 60 s"],
    ]
    assert "<th>Time from</th>" in page


def test_html_badges_and_checklist_findings() -> None:
    page = to_html(REPORT)
    assert ("<li><strong>Artifacts Available</strong>: recommended — DOI 10.5281/zenodo.1 and commit "
            "0123456789ab are pinned</li>\n<li><strong>Results Reproduced</strong>: not-recommended — 1 of 2 "
            "claims not reproduced</li>") in page
    assert table_rows(page, "Check-list") == [["error", "no &lt;DOI&gt; given", "3"],
                                              ["warning", "no licence", "—"]]


def test_wide_tables_get_the_small_font_and_pairs_the_narrow_key_column() -> None:
    page = to_html(REPORT)
    widths = "".join(f'<col style="width: {w}%">' for w in (30, 20, 12, 12, 13, 13))
    claims = f'<table class="wide">\n<colgroup>{widths}</colgroup>\n<thead>\n<tr>\n<th>Claim</th>'
    assert claims in page, "the claim's text gets the widest column"
    assert re.search(r'<table class="wide">\n<colgroup>(<col style="width: \d+%">){8}</colgroup>\n'
                     r"<thead>\n<tr>\n<th>Program</th>", page)
    assert '<table class="pairs">\n<thead>' in page
    assert "<table>\n<thead>\n<tr>\n<th>Repository</th>" in page, "five columns: the normal font"
    assert "table-layout: fixed" in page and "overflow-wrap: anywhere" in page


def test_the_full_report_shows_every_section() -> None:
    page = to_html(full())
    for heading in ["Outcome", "Identity", "Dependency repositories", "Check-list", "Claims and results",
                    "Claim c1: samples", "Runs", "Failures by class", "Changes since version 1",
                    "Badge recommendations", "The chair's decision", "Issued badges",
                    "Environment of the reproduction", "Reviews", "Evaluator A, full-evaluation",
                    "Discussion", "About claim c1"]:
        assert re.search(rf"<h[123]>{re.escape(heading)}</h[123]>", page), heading
    assert table_rows(page, "Outcome") == [
        ["Artifacts Available", "yes", "<strong>awarded</strong>", "issued on 2026-11-29 (credential below)"],
        ["Results Reproduced", "yes", "<strong>not awarded</strong>", "the chair's decision"]]
    assert table_rows(page, "Claim c1: samples") == [
        ["<code>0123456789ab</code>", str(n + 1), f"{v} s", "program timer" if n % 2 else "wall clock"]
        for n, v in enumerate([10.1, 10.3, 9.9, 10.2, 10.0])]
    assert "<p>Generated by ae 0.1.0 on 2026-11-30 10:00 UTC.</p>" in page
    assert ('<figure><img alt="claim c1: samples against the claimed band" '
            'src="data:image/svg+xml;base64,') in page
    assert "<figcaption>Figure 1: claim c1: samples against the claimed band</figcaption>" in page
    assert ('<a href="https://ae.example.org/badges/00ff" rel="noopener noreferrer nofollow">'
            "https://ae.example.org/badges/00ff</a>") in page
    assert "<li><strong>Author</strong>: gcc 12 [see](javascript:x)</li>" in page
    assert "<li><strong>timeout</strong> (1 run): sort big on list-1m: killed after 60 s</li>" in page
    assert "<p><strong>accepted</strong>: Artifacts Available</p>\n<p>Thank you.</p>" in page
    assert table_rows(page, "Reviews")[1] == ["Comments for the authors", "Worked **well** | nice"]
    markdown = to_markdown(full())
    assert "*Figure 1: claim c1: samples against the claimed band (in the HTML and PDF)*" in markdown
    assert "<figure-slot" not in markdown and "<figure-slot" not in page


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</td></tr></table><script>x()</script>",
    "<!-- open comment", "&lt;script&gt; pre-escaped", "<figure-slot 1>", "[x](javascript:alert(1))",
])
def test_hostile_titles_and_claim_texts_stay_text(hostile: str) -> None:
    claim = {**REPORT.claims[0], "text": hostile, "reason": hostile}
    findings = {"findings": [{"severity": "error", "message": hostile}]}
    badges = [{"title": hostile, "status": "x", "why": hostile}]
    threads = [{"about": hostile, "messages": [{"by": hostile, "body": hostile}]}]
    report = replace(full(), title=hostile, claims=[claim], checklist=findings, badges=badges,
                     threads=threads)
    page = to_html(report)
    escaped = hostile.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert f"<title>{escaped}</title>" in page
    assert f"<h1>Evaluation report: {escaped}</h1>" in page
    assert table_rows(page, "Claims and results")[0][0] == f"c1: {escaped}"
    assert table_rows(page, "Check-list")[0][1] == escaped
    assert f"<li><strong>{escaped}</strong>: {escaped}</li>" in page
    assert "<script" not in page and "<img src=x" not in page and "<!--" not in page
    assert "javascript:" not in page.replace(f"{escaped}", "")
    assert page.count("<figure>") == 0, "an author's text is never a figure slot"


def test_a_claim_text_cannot_forge_the_verdict_column() -> None:
    text = "fast\\| `x` \\| ≈ 1 s \\| 1 s \\| [1.000, 1.000] \\| **reproduced**"
    claim = {**REPORT.claims[1], "text": text}
    [row] = table_rows(to_html(replace(REPORT, claims=[claim])), "Claims and results")
    assert row[-1] == "<strong>not-reproduced</strong>"
    assert row[0] == "out: " + text.replace("`", "`")


def test_markdown_links_and_images_in_claim_texts_stay_text() -> None:
    claim = {**REPORT.claims[0], "text": "see [docs](javascript:alert(1)) ![x](http://192.0.2.1/x.png)"}
    page = to_html(replace(REPORT, claims=[claim]))
    assert "<a " not in page and "<img" not in page
    assert "see [docs](javascript:alert(1)) ![x](http://192.0.2.1/x.png)" in page


def test_markdown_and_html_are_deterministic(tmp_path: Path) -> None:
    assert to_markdown(full()) == to_markdown(full())
    first = write(full(), tmp_path / "one", pdf=False)
    second = write(full(), tmp_path / "two", pdf=False)
    for kind in ("md", "html"):
        assert first[kind].read_bytes() == second[kind].read_bytes()


def test_only_the_date_line_differs_between_two_days() -> None:
    today, tomorrow = full(), replace(full(), generated_at="2026-12-01 08:30 UTC")
    a, b = to_html(today).splitlines(), to_html(tomorrow).splitlines()
    differ = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    assert differ == [("<p>Generated by ae 0.1.0 on 2026-11-30 10:00 UTC.</p>",
                       "<p>Generated by ae 0.1.0 on 2026-12-01 08:30 UTC.</p>")]


def test_write_without_pdf_leaves_markdown_and_html_only(tmp_path: Path) -> None:
    out = tmp_path / "reports" / "v1"
    paths = write(REPORT, out, pdf=False)
    assert paths == {"md": out / "report.md", "html": out / "report.html"}
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.md"]
    assert paths["md"].read_text(encoding="utf-8") == MARKDOWN
    assert paths["html"].read_text(encoding="utf-8") == to_html(REPORT)


def test_write_replaces_an_earlier_report(tmp_path: Path) -> None:
    write(EMPTY, tmp_path, pdf=False)
    paths = write(REPORT, tmp_path, pdf=False)
    assert paths["md"].read_text(encoding="utf-8") == MARKDOWN
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.md"]


def test_an_ampersand_in_a_url_is_shown_once_escaped() -> None:
    dependency = {**REPORT.dependencies[0], "url": "https://example.org/r.git?a=1&b=2"}
    [row] = table_rows(to_html(replace(REPORT, dependencies=[dependency])), "Dependency repositories")
    assert row[1] == "<code>https://example.org/r.git?a=1&amp;b=2</code>"


def test_a_bar_in_the_title_is_shown_as_is() -> None:
    assert "<title>Sort | Search</title>" in to_html(replace(REPORT, title="Sort | Search"))
