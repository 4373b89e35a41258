"""Property tests: the parser never raises on any string, and what it reports is consistent."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ae.checklist import lint, parse_appendix, parse_claims
from ae.checklist.placeholders import placeholder_reason
from ae.errors import AppendixError, ClaimsError

FRAGMENTS = [
    "\\section{", "\\subsection*{", "\\subsubsection{", "\\paragraph{", "\\item ", "\\item[",
    "]", "{\\bf ", "{\\em ", "\\textbf{", "\\textit{", "}", "{", "\\begin{itemize}",
    "\\end{itemize}", "\\begin{verbatim}", "\\end{verbatim}", "\\begin{description}",
    "\\artexpl{", "\\newartifact", "\\arteval{1}", "\\artinpart{", "\\appendixAE", "%", "\\%",
    "\\\\", "$A_1$", "$C_{2}$", "#", "## ", "### A.2 ", "**", "*", "_", "__", "`", "```claims\n",
    "```\n", "~~~\n", "[[claim]]\n", "id = 'c1'\n", "metric = 'm'\n", "expected = 1\n",
    "relation = 'about'\n", "<!--", "-->", "| ", " | ", "|---|\n", "- ", "* ", "1. ", ":", "?",
    "Hardware", "Artifact check-list", "Abstract", "Major Claims", "Experiments",
    "Computational Artifacts", "(C1): ", "Experiment (E1): ", "[30 human-minutes + 1 compute-hour]",
    "10.5281/zenodo.", "123", "XXXX", "TODO", "Provided after evaluation", "\n", "\n\n", " ",
    "===\n", "---\n", "é", "\t", "\r\n",
]
markup = st.lists(st.sampled_from(FRAGMENTS), max_size=80).map("".join)
texts = st.one_of(st.text(max_size=2000), markup)
# No per-example deadline: the machine is shared; speed is checked by test_adversarial_inputs.
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(texts)
def test_parse_appendix_never_raises(text: str) -> None:
    appendix = parse_appendix(text)
    lines = max(1, appendix.lines)
    for section in appendix.sections:
        assert 1 <= section.line <= section.end_line <= section.subtree_end_line <= lines + 1
        assert section.filled or section.empty
    for item in appendix.items:
        assert 1 <= item.line <= lines
        assert item.empty == (item.empty_reason is not None)
        assert not item.empty or item.value == ""
    for doi in appendix.dois:
        assert doi.value.startswith("10.")
    assert appendix.family in ("ctuning-latex", "ctuning-md", "usenix", "sc", "free")


@SETTINGS
@given(texts, st.sampled_from([(), ("available",), ("reusable", "reproduced")]))
def test_lint_returns_a_report_or_refuses_non_text(text: str, badges: tuple[str, ...]) -> None:
    try:
        report = lint(text, badges=badges)
    except AppendixError as exc:
        assert "\x00" in text or "binary" in str(exc)
        return
    assert report.ok == (not report.errors)
    for finding in report.findings:
        assert finding.severity in ("error", "warning", "info")
        assert finding.message and finding.hint
    report.to_dict()


@SETTINGS
@given(st.binary(max_size=500))
def test_lint_on_bytes_returns_or_raises_appendix_error(data: bytes) -> None:
    try:
        lint(data, filename="upload.bin")
    except AppendixError as exc:
        assert "upload.bin" in str(exc)


@SETTINGS
@given(texts)
def test_parse_claims_raises_only_claims_error(text: str) -> None:
    try:
        claims = parse_claims(text, source="a.md")
    except ClaimsError as exc:
        assert str(exc).startswith("a.md line ")
        return
    for claim in claims:
        assert claim.line is not None and claim.line >= 1


@given(st.text(max_size=200))
def test_placeholder_reason_is_total(value: str) -> None:
    reason = placeholder_reason(value)
    assert reason is None or isinstance(reason, str)


@SETTINGS
@given(markup)
def test_parsing_is_deterministic(text: str) -> None:
    assert parse_appendix(text) == parse_appendix(text)


ADVERSARIAL = ["{" * 20000, "[x](" * 5000, "<http://" * 5000, "\\section{" * 2000,
               "{\\bf x\\section{" * 430, "\\item[" * 4000, "**" * 10000, "(C1): x\n" * 3000,
               "```claims\n" * 2000, "\\artexpl{" * 2000, "- **a:** " * 3000, "| a | b |\n" * 3000]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=lambda t: repr(t[:12]))
def test_adversarial_inputs_stay_linear(text: str) -> None:
    start = time.perf_counter()
    try:
        lint(text, badges=("available", "reproduced"))
    except AppendixError:
        pass
    # a margin a loaded machine keeps; quadratic parsing of these inputs takes minutes (test_linear.py
    # measures the growth itself)
    assert time.perf_counter() - start < 10
