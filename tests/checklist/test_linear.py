"""Every reader is linear in its input: pathological texts of size n and 4n take about 4x as long.

Wall-clock thresholds race a loaded machine, so the tests compare the CPU time of one input with
that of the same input four times as long (best of three runs each): a linear reader gives a ratio
near 4, a quadratic one 16. The ratio allowed is 9, plus a small constant for timer resolution.
The megabyte inputs that were reported slow (backticks, `\\subsection{`, a long check-list,
100,000-item lists) get one generous absolute bound each: 5 s, where a linear reader needs a
fraction of a second. And a text over the size cap is refused before it is read.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from ae.checklist import lint
from ae.checklist.decoding import MAX_APPENDIX_BYTES
from ae.checklist.labels import ITEMS
from ae.errors import AppendixError, AppendixTooLarge

RATIO = 9.0
SLACK = 0.03  # seconds: timer resolution and interpreter noise on tiny inputs
BASE = 40_000


def _repeat(fragment: str) -> Callable[[int], str]:
    return lambda size: fragment * max(1, size // len(fragment))


CHECKLIST_MD = "".join(f"* **{label}:** x\n" for _, label in ITEMS)
PATHOLOGICAL: dict[str, Callable[[int], str]] = {
    "backticks": _repeat("`"),
    "backtick-lines": _repeat("`\n"),
    "fences": _repeat("```\n"),
    "unclosed-fence": lambda n: "# A\n```\n" + "x " * (n // 2),
    "subsection-open": _repeat("\\subsection{"),
    "subsection": _repeat("\\subsection{A}\nx\n"),
    "optional-title": _repeat("\\section*["),
    "braces": _repeat("{"),
    "bold-braces": _repeat("{\\bf x\\section{"),
    "items-tex": lambda n: "\\subsection{Artifact check-list}\\begin{itemize}"
    + "\\item {\\bf Program:} x\n" * (n // 24),
    "items-md": lambda n: "## Artifact check-list\n" + CHECKLIST_MD * (n // len(CHECKLIST_MD)),
    "nested-bullets": lambda n: "## Notes\n" + "- a\n" + "    - b\n" * (n // 8),
    "headings": _repeat("## Abstract\ntext\n"),
    "hashes": _repeat("#"),
    "setext": _repeat("a\n===\n"),
    "rules": _repeat("---\n"),
    "newlines": _repeat("\n"),
    "crlf-tabs": _repeat("\r\n\t"),
    "spaces": _repeat(" "),
    "stars": _repeat("*"),
    "underscores": _repeat("_"),
    "brackets": _repeat("["),
    "links": _repeat("[x]("),
    "empty-links": _repeat("[](#x) "),
    "angles": _repeat("<"),
    "placeholders": _repeat("<your DOI> "),
    "comments": _repeat("<!--"),
    "percent": _repeat("\\%"),
    "backslashes": _repeat("\\\\"),
    "todos": _repeat("TODO "),
    "x-runs": _repeat("XXX"),
    "doi-words": _repeat("DOI "),
    "dois": _repeat("10.5281/zenodo.1 "),
    "promises": _repeat("available at\n"),
    "template": _repeat("Replace this with "),
    "claims": _repeat("- **(C1)**: y (E1)\n"),
    "experiments": _repeat("### Experiment (E1): x [1 human-hour]\n"),
    "mentions": _repeat("(E2) "),
    "sc-ids": _repeat("$C_1$ A_1 "),
    "sc-macros": _repeat("\\%\\newartifact"),
    "verbatim": _repeat("\\begin{verbatim}"),
    "inline-code": _repeat("`a"),
    "conflicts": _repeat("<<<<<<< HEAD\n=======\n>>>>>>> x\n"),
    "clone-cd": lambda n: "```\n" + "git clone https://x/y\ncd z\n" * (n // 28) + "```\n",
    "claims-fences": _repeat("```claims\n"),
    "tables": _repeat("| a | b |\n"),
}


def _cpu(text: str, filename: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        try:
            lint(text, filename=filename, badges=("available", "functional", "reproduced"),
                 max_bytes=None)
        except AppendixError:
            pass
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.slow
@pytest.mark.parametrize("filename", ["appendix.md", "ae.tex"])
@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_four_times_the_input_takes_about_four_times_as_long(name: str, filename: str) -> None:
    make = PATHOLOGICAL[name]
    small, large = make(BASE), make(4 * BASE)
    assert len(large) >= 3.5 * len(small)
    once, four = _cpu(small, filename), _cpu(large, filename)
    assert four <= RATIO * once + SLACK, (
        f"{name}: {len(small):,} chars took {once * 1000:.1f} ms, "
        f"{len(large):,} chars {four * 1000:.1f} ms")


MEGABYTE = 1_000_000
REPORTED: dict[str, str] = {
    "200 KB of backticks": "`" * 200_000,
    "1 MB of backticks": "`" * MEGABYTE,
    "1 MB of \\subsection{": "\\subsection{" * (MEGABYTE // 12),
    "1 MB check-list": "## Artifact check-list\n" + CHECKLIST_MD * (MEGABYTE // len(CHECKLIST_MD)),
    "100,000-item Markdown list": "## Notes\n" + "- item\n" * 100_000,
    "100,000-item LaTeX list": "\\begin{itemize}" + "\\item x\n" * 100_000 + "\\end{itemize}",
}


@pytest.mark.parametrize("name", sorted(REPORTED))
def test_the_reported_slow_inputs_finish_far_within_bounds(name: str) -> None:
    text = REPORTED[name]
    for filename in ("appendix.md", "ae.tex"):
        start = time.process_time()
        lint(text, filename=filename, max_bytes=None)
        assert time.process_time() - start < 5.0


def test_a_five_megabyte_checklist_is_refused_at_once() -> None:
    text = "## Artifact check-list\n" + CHECKLIST_MD * (5 * MEGABYTE // len(CHECKLIST_MD))
    start = time.process_time()
    with pytest.raises(AppendixTooLarge) as info:
        lint(text, filename="appendix.md")
    assert time.process_time() - start < 1.0
    assert f"at most {MAX_APPENDIX_BYTES:,} bytes" in str(info.value)
    assert info.value.http_status == 413


def test_structure_past_the_bounds_is_reported_not_read() -> None:
    report = lint("\\subsection{A}\nx\n" * 3000, filename="ae.tex")
    truncated = [f for f in report.findings if f.code == "structure-truncated"]
    assert truncated and "headings" in truncated[0].message
    assert len(report.sections) == 1000
