"""The deviations from the templates seen in real appendices (reference notes §1.6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ae.checklist import parse_appendix
from ae.checklist.labels import item_key, section_key, split_numbering
from ae.checklist.outline import find_dois
from ae.checklist.placeholders import placeholder_reason

DATA = Path(__file__).parent / "data"


def latex_items(*lines: str) -> dict[str | None, str]:
    text = ("\\section{Artifact Appendix}\n\\subsection{Artifact check-list}\n"
            "\\begin{itemize}\n" + "\n".join(lines) + "\n\\end{itemize}\n")
    appendix = parse_appendix(text)
    assert appendix.syntax == "latex"
    return {item.key: item.value for item in appendix.items}


def md_items(*lines: str) -> dict[str | None, str]:
    text = "# Artifact Appendix\n\n## Artifact check-list\n\n" + "\n".join(lines) + "\n"
    appendix = parse_appendix(text)
    assert appendix.syntax == "markdown"
    return {item.key: item.value for item in appendix.items}


@pytest.mark.parametrize("line", [
    r"\item {\bf Hardware: } two GPUs",  # the template's own form
    r"\item {\bf Hardware:} two GPUs",
    r"\item {\bf Hardware: two GPUs}",  # value inside the braces
    r"\item \textbf{Hardware:} two GPUs",
    r"\item \textbf{Hardware?} two GPUs",  # no colon
    r"\item[Hardware] two GPUs",  # description list
    r"\item[Hardware:] two GPUs",
    r"\item[{\bf Hardware:}] two GPUs",
    r"\item {\bfseries Hardware:} two GPUs",
    r"\item Hardware: two GPUs",
    "\\item {\\bf Hardware: }\n   two GPUs",  # value on the next line
])
def test_latex_item_syntaxes(line: str) -> None:
    assert latex_items(line) == {"hardware": "two GPUs"}


def test_packed_itemize_and_nested_lists() -> None:
    text = ("\\subsection{Artifact check-list}\n\\begin{packed_itemize}\n"
            "\\item {\\bf Program:} kernels\n\\begin{itemize}\\item {\\bf Hardware:} no\\end{itemize}\n"
            "\\item {\\bf Output:} CSV\n\\end{packed_itemize}\n")
    items = parse_appendix(text).items
    assert [(i.key, i.line) for i in items] == [("program", 3), ("output", 5)]


@pytest.mark.parametrize("line", [
    "* **Hardware:** two GPUs",  # the Markdown guide's form
    "- **Hardware**: two GPUs",
    "- Hardware: two GPUs",
    "**Hardware: two GPUs**",
    "**Hardware:** two GPUs",
    "+ __Hardware:__ two GPUs",
    "1. **Hardware:** two GPUs",
    "| Hardware | two GPUs |",
    "- **Hardware:**\n  two GPUs",  # continuation line
])
def test_markdown_item_syntaxes(line: str) -> None:
    assert md_items(line) == {"hardware": "two GPUs"}


def test_markdown_lazy_continuation_stops_at_next_bold_label() -> None:
    items = md_items("- **Execution**: 30 minutes", "**Publicly available?: yes**")
    assert items == {"execution": "30 minutes", "publicly_available": "yes"}


@pytest.mark.parametrize(("label", "key"), [
    ("Environment", "run_time_environment"),
    ("Run-time environment", "run_time_environment"),
    ("Runtime environment", "run_time_environment"),
    ("Public", "publicly_available"),
    ("Publicly available?", "publicly_available"),
    ("License", "code_licenses"),
    ("Code license", "code_licenses"),
    ("Code license(s)?", "code_licenses"),
    ("Code licenses", "code_licenses"),
    ("Code licenses (if publicly available)?", "code_licenses"),
    ("Data licenses (if publicly available)?", "data_licenses"),
    ("Automation", "workflow_framework"),
    ("Workflow framework used", "workflow_framework"),
    ("Workflow automation framework used?", "workflow_framework"),
    ("Workflow frameworks used?", "workflow_framework"),
    ("CK workflow framework used?", "workflow_framework"),
    ("Collective Knowledge workflow framework used?", "workflow_framework"),
    ("DOI", "archived"),
    ("Archived", "archived"),
    ("Archived?", "archived"),
    ("Archived (provide DOI)?", "archived"),
    ("How much disk space is required", "disk_space"),
    ("How much disk space required (approximately)?", "disk_space"),
    ("How much time is needed to prepare workflow?", "preparation_time"),
    ("How much time is needed to prepare workflow (approximately)?", "preparation_time"),
    ("How much time is needed to complete experiments (approximately)?", "experiments_time"),
    ("Time to complete the experiments", "experiments_time"),
    ("Data set", "data_set"),
    ("Datasets", "data_set"),
    ("Run-time state", "run_time_state"),
    ("Metrics", "metrics"),
    ("Model", "model"),
    ("CK workflow URL", "ck_workflow_url"),
    ("CK results URL", "ck_results_url"),
    ("Experiment workflow", "experiment_workflow"),
    ("Results validated?", "self_validated"),
    ("Favourite colour", None),
    ("", None),
])
def test_label_aliases(label: str, key: str | None) -> None:
    assert item_key(label) == key


@pytest.mark.parametrize(("title", "key"), [
    ("Artifact check-list (meta-information)", "checklist"),
    ("Artifact Checklist (Meta-Information)", "checklist"),
    ("Artifact check-list", "checklist"),
    ("Checklist", "checklist"),
    ("Check-list (artifact meta information)", "checklist"),
    ("A.2 Artifact check-list (meta-information)", "checklist"),
    ("B. Artifact Checklist", "checklist"),
    ("How delivered", "how_to_access"),
    ("How to obtain?", "how_to_access"),
    ("Evaluation and expected result", "evaluation"),
    ("Evaluation and expected results", "evaluation"),
    ("Description & Requirements", "description"),
    ("Set-up", "installation"),
    ("Major Claims", "major_claims"),
    ("Notes on Reusability", "reusability"),
    ("Abstract [Mandatory]", "abstract"),
    ("Computational Artifact A_3", "artifact"),
    ("Artifact Description (AD)", "ad"),
    ("Artifact description", "appendix"),
    ("Related work", None),
])
def test_section_titles(title: str, key: str | None) -> None:
    assert section_key(title) == key


@pytest.mark.parametrize(("title", "number", "rest"), [
    ("A.2 Abstract", "A.2", "Abstract"),
    ("B. Description", "B", "Description"),
    ("A.3.1 How to access", "A.3.1", "How to access"),
    ("1. Installation", "1", "Installation"),
    ("(a) Notes", "a", "Notes"),
    ("Abstract", None, "Abstract"),
    ("A new method", None, "A new method"),
])
def test_heading_numbering(title: str, number: str | None, rest: str) -> None:
    assert split_numbering(title) == (number, rest)


@pytest.mark.parametrize("heading", [
    "\\subsection{A.2 Artifact check-list (meta-information)}",
    "\\subsection*{Artifact Checklist (Meta-Information)}",
    "\\subsection{\\textbf{Artifact check-list}}",
    "\\textbf{B. Artifact Checklist}",
    "\\noindent{\\bf Checklist}",
    "## A.2 Artifact check-list (meta-information)",
    "*B. Artifact Checklist (Meta-Information)*",
    "**Checklist**",
    "### Checklist ###",
    "Checklist\n---------",
])
def test_checklist_heading_variants(heading: str) -> None:
    latex = heading.startswith("\\")
    item = "\\begin{itemize}\n\\item {\\bf Output:} CSV\n\\end{itemize}" if latex \
        else "* **Output:** CSV"
    appendix = parse_appendix(f"{heading}\n{item}\n")
    assert appendix.section("checklist") is not None
    assert [(i.key, i.value) for i in appendix.items] == [("output", "CSV")]


@pytest.mark.parametrize(("value", "reason"), [
    ("", "empty"),
    ("  -- ", "empty"),
    ("TODO", "TODO marker"),
    ("todo: add later", "TODO marker"),
    ("TBD", "TODO marker"),
    ("Provided after evaluation", "promised for later"),
    ("To be assigned after evaluation", "promised for later"),
    ("to be assigned", "promised for later"),
    ("will be provided upon acceptance", "promised for later"),
    ("GitHub commit #XXXXXXX (todo)", "TODO marker"),
    ("commit #XXXXXXX", "XXXX placeholder"),
    ("<your DOI here>", "fill-in placeholder"),
    ("[Name]", "fill-in placeholder"),
    ("...", "empty"),
    ("Are you presenting a new algorithm?", "template question"),
    ("Specify the compiler and its version", "template hint"),
    ("Obligatory. Describe the artifact.", "template hint"),
    ("Lorem ipsum dolor sit amet", "filler text"),
    ("N/A", None),
    ("None", None),
    ("no", None),
    ("yes, after acceptance on Zenodo", None),
    ("10.5281/zenodo.1234567", None),
    ("Ubuntu 22.04", None),
])
def test_placeholders(value: str, reason: str | None) -> None:
    assert placeholder_reason(value) == reason


def test_latex_variants_file() -> None:
    appendix = parse_appendix((DATA / "ctuning-variants.tex").read_text())
    items = {item.key: item for item in appendix.items}
    assert items["program"].value == "SPEC CPU 2017 (not included) and coreutils 9.1"
    assert items["binary"].label == "Binary?"
    assert items["run_time_environment"].label == "Environment"
    assert items["archived"].empty and items["archived"].empty_reason == "promised for later"
    assert items["experiments"].empty_reason == "TODO marker"
    assert items["metrics"].empty
    assert items["run_time_state"].value == "insensitive"  # \item[Label] in a description list
    assert items["execution"].value == "sole user"
    assert items[None].label == "Favourite colour"
    assert items["program"].line == 11
    assert appendix.section("abstract").number == "A.1"
    assert appendix.section("description").number == "A.3"  # a bold line used as heading
    assert appendix.section("how_to_access").filled
    titles = [s.title for s in appendix.sections]
    assert "Not a heading" not in titles and "Also not a heading" not in titles
    assert [d.value for d in appendix.dois] == ["10.5281/zenodo.5000001"]


def test_markdown_variants_file() -> None:
    appendix = parse_appendix((DATA / "ctuning-variants.md").read_text())
    items = {item.key: item for item in appendix.items}
    assert set(items) == {"algorithm", "program", "compilation", "binary",
                          "run_time_environment", "hardware", "output", "execution",
                          "publicly_available", "code_licenses", "archived", "metrics",
                          "data_set", "experiments"}
    assert items["output"].value == "flame graphs in SVG and a CSV summary on a continuation line"
    assert items["metrics"].empty_reason == "template question"  # italic hint left in
    assert items["archived"].empty_reason == "TODO marker"
    assert items["experiments"].value == "make figures"
    assert appendix.section("abstract").number == "A"
    assert appendix.section("checklist").number == "B"
    # "# Installation" inside a code block is not a heading
    assert [s.key for s in appendix.sections].count("installation") == 1
    dois = {d.value: d.placeholder for d in appendix.dois}
    assert dois == {"10.5281/zenodo.6000001": False, "10.5281/zenodo.XXXXXXX": True}


@pytest.mark.parametrize(("text", "found"), [
    ("see https://doi.org/10.5281/zenodo.1234567.", ["10.5281/zenodo.1234567"]),
    ("doi:10.6084/m9.figshare.7654321, and more", ["10.6084/m9.figshare.7654321"]),
    ("(DOI 10.1145/3229762.3229763)", ["10.1145/3229762.3229763"]),
    ("\\url{https://doi.org/10.5281/zenodo.1\\_2}", ["10.5281/zenodo.1_2"]),
    ("10.5281/zenodo.1 and again 10.5281/ZENODO.1", ["10.5281/zenodo.1"]),
    ("version 10.2 of the tool", []),
    ("10.1234/", []),
])
def test_doi_extraction(text: str, found: list[str]) -> None:
    assert [d.value for d in find_dois(text)] == found


def test_doi_lines() -> None:
    dois = find_dois("a\nb 10.5281/zenodo.42\nc\n10.6084/m9.figshare.9\n")
    assert [(d.value, d.line) for d in dois] == [("10.5281/zenodo.42", 2),
                                                 ("10.6084/m9.figshare.9", 4)]


def test_items_outside_a_checklist_are_only_known_labels() -> None:
    text = "# Notes\n\n- Hardware: one GPU\n- Favourite colour: blue\n- see https://x.org\n"
    appendix = parse_appendix(text)
    assert [(i.key, i.value) for i in appendix.items] == [("hardware", "one GPU")]


def test_latex_comments_and_escapes() -> None:
    text = ("\\subsection{Artifact check-list}\n\\begin{itemize}\n"
            "\\item {\\bf Output:} 100\\% of runs % not this\n"
            "% \\item {\\bf Hardware:} commented out\n\\end{itemize}\n")
    assert [(i.key, i.value) for i in parse_appendix(text).items] == [("output", "100% of runs")]
