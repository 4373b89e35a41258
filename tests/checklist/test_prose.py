"""The prose a chair reads: markers, conflicts, placeholders, links, code blocks, template text."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ae.checklist import lint
from ae.cli.checklist import lint_cmd

DATA = Path(__file__).parent / "data"
# A small, complete cTuning Markdown appendix: nothing to flag (no badge requested).
BASE = """# Artifact Appendix

## Abstract

The tool rewrites loops; the scripts reproduce Figure 4 on any x86 machine.

## Artifact check-list (meta-information)

* **Program:** loop rewriter (bundled)
* **Hardware:** any x86-64 machine
* **Output:** a CSV table per figure

## Description

### How to access

Clone https://example.org/rewriter.git, commit 4be1a2c.

## Installation

Run `make install`.

## Evaluation and expected results

`./run.sh` prints the speed-ups of Figure 4, within 5 % of the paper's.

## Notes

Nothing else.
"""


def found(text: str, **kwargs: object) -> list[tuple[str, str, int | None]]:
    report = lint(text, filename="appendix.md", **kwargs)  # type: ignore[arg-type]
    return [(f.code, f.severity, f.line) for f in report.findings]


def test_the_base_appendix_is_clean() -> None:
    assert found(BASE) == []


@pytest.mark.parametrize("marker", ["TODO", "TBD", "FIXME", "XXX", "TODO:"])
def test_markers_are_errors_with_their_line_anywhere(marker: str) -> None:
    text = BASE.replace("Nothing else.", f"Nothing else. {marker} say more")
    assert found(text) == [("todo", "error", 29)]  # "Notes" is not obligatory: still an error


def test_markers_in_code_words_paths_and_dois_are_not_flagged() -> None:
    text = BASE.replace("Nothing else.", "Logs go to `results/RunXXX`; see docs/TODO.md and "
                        "10.5281/zenodo.XXXXXXX.\n\n```sh\n# TODO: this is the script's note\n```")
    assert [c for c, _, _ in found(text)] == ["placeholder-doi"]


def test_a_marker_alone_in_inline_code_is_flagged() -> None:
    text = BASE.replace("commit 4be1a2c", "commit `TODO`")
    assert found(text) == [("todo", "error", 17)]


def test_five_todos_do_not_pass() -> None:
    text = BASE.replace("Nothing else.", "\n".join(f"TODO {n}" for n in range(5)))
    report = lint(text, filename="appendix.md")
    assert not report.ok and [f.line for f in report.findings] == [29, 30, 31, 32, 33]
    path = DATA / "ctuning" / "template-ae.tex"
    result = CliRunner().invoke(lint_cmd, [str(path)])
    assert result.exit_code == 1 and result.output.rstrip().endswith("NOT OK")


def test_merge_conflict_markers_are_errors_even_in_code() -> None:
    text = BASE.replace("Nothing else.", "```\n<<<<<<< HEAD\nmake a\n=======\nmake b\n"
                        ">>>>>>> branch\n```")
    assert found(text) == [("merge-conflict", "error", 30)]


def test_angle_placeholders_by_section() -> None:
    obligatory = BASE.replace("Clone https://example.org/rewriter.git", "Clone <repository URL>")
    assert found(obligatory) == [("placeholder", "error", 17)]
    optional = BASE.replace("Nothing else.", "Ask <your name here> for access.")
    assert found(optional) == [("placeholder", "warning", 29)]
    harmless = BASE.replace("Nothing else.", "Pass <n> threads, see <https://x.org> and <br> or "
                            "`./run.sh <config>`.")
    assert found(harmless) == []


def test_empty_links_and_promised_links() -> None:
    text = BASE.replace("Nothing else.", "Slides: [here]().\n\nThe data is available at:\n\n"
                        "That is all. Results (link) follow.")
    assert found(text) == [("empty-link", "warning", 29), ("promised-link", "warning", 31),
                           ("promised-link", "warning", 33)]
    kept = BASE.replace("Nothing else.", "The data is available at:\nhttps://example.org/data\n")
    assert found(kept) == []


def test_latex_empty_links_and_code_blocks() -> None:
    text = ("\\section{Artifact Appendix}\n\\subsection{Abstract}\nA tool. See \\url{} and "
            "\\href{}{the data}.\n\\subsection{Notes}\n\\begin{verbatim}\n\n\\end{verbatim}\n")
    report = lint(text, filename="ae.tex")
    assert [(f.code, f.line) for f in report.findings
            if f.code in ("empty-link", "empty-code")] == [("empty-link", 3), ("empty-code", 5)]


def test_empty_fenced_code_block() -> None:
    text = BASE.replace("Run `make install`.", "Run:\n\n```bash\n\n```")
    assert found(text) == [("empty-code", "error", 23)]  # Installation is obligatory


def test_template_text_left_next_to_real_text() -> None:
    text = BASE.replace("Run `make install`.", "Run `make install` and then `make test`; both take "
                        "a minute. This section should include all the installation steps.")
    assert found(text) == [("template-text", "warning", 21)]


def test_broken_anchor_and_wrong_directory() -> None:
    text = BASE.replace("Nothing else.", "See [the results](#results) and [notes](#notes).\n\n"
                        "```\ngit clone https://example.org/rewriter.git\ncd rewriter-ae\n```")
    assert found(text) == [("broken-anchor", "warning", 29), ("wrong-directory", "warning", 33)]


def test_an_answer_with_a_todo_is_not_an_empty_item() -> None:
    text = BASE.replace("* **Output:** a CSV table per figure",
                        "* **Publicly available?:** Yes — TODO (link)")
    report = lint(text, filename="appendix.md", badges=["available"])
    item = report.appendix.item("publicly_available")
    assert item is not None and not item.empty and item.value.startswith("Yes")
    assert not any("no value yet" in f.message for f in report.findings)
    assert ("todo", "error", 11) in [(f.code, f.severity, f.line) for f in report.findings]


def test_untouched_templates_of_every_family_do_not_pass() -> None:
    templates = [p for p in sorted(DATA.glob("*/template-*")) if p.suffix in (".md", ".tex")]
    assert len(templates) == 5
    for path in templates:
        report = lint(path.read_bytes(), filename=path.name)
        assert [f.code for f in report.findings] == ["untouched-template"], path
