"""Every family and template version, read from appendices written for this project."""

from __future__ import annotations

from pathlib import Path

import pytest

from ae.checklist import REGISTRY, get, lint, parse_appendix
from ae.checklist.labels import ITEM_KEYS, section_key
from ae.checklist.outline import read_outline

DATA = Path(__file__).parent / "data"


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


# (file, family, version, number of items, number of filled items)
VERSIONS = [
    ("ctuning-20151015.tex", "ctuning-latex", "20151015", 13, 13),
    ("ctuning-20160509.tex", "ctuning-latex", "20160509", 10, 10),
    ("ctuning-20170622.tex", "ctuning-latex", "20170622", 14, 14),
    ("ctuning-20180713.tex", "ctuning-latex", "20180713", 18, 18),
    ("ctuning-20190108.tex", "ctuning-latex", "20190108", 16, 16),
    ("ctuning-20200102.tex", "ctuning-latex", "20200102", 16, 16),
    ("ctuning-20201122.tex", "ctuning-latex", "20201122", 10, 10),
    ("ctuning-20240722.tex", "ctuning-latex", "20240722", 21, 21),
    ("ctuning-20240722-b.tex", "ctuning-latex", "20240722", 21, 21),
    ("request-20180201.tex", "ctuning-latex", "request-20180201", 16, 16),
    ("ctuning.md", "ctuning-md", "20240722", 19, 19),
]


@pytest.mark.parametrize(("name", "family", "version", "count", "filled"), VERSIONS)
def test_ctuning_versions(name: str, family: str, version: str, count: int, filled: int) -> None:
    appendix = parse_appendix(read(name))
    assert appendix.family == family
    assert appendix.version == version
    assert len(appendix.items) == count
    assert sum(not item.empty for item in appendix.items) == filled
    assert not appendix.all_empty
    for key in ("abstract", "checklist", "how_to_access", "installation"):
        section = appendix.section(key)
        assert section is not None and section.filled, (name, key)


def test_2015_template_structure() -> None:
    appendix = parse_appendix(read("ctuning-20151015.tex"))
    keys = [s.key for s in appendix.sections]
    assert keys == ["appendix", "abstract", "description", "checklist", "how_to_access",
                    "hardware_dependencies", "software_dependencies", "data_sets",
                    "installation", "experiment_workflow", "evaluation", "notes"]
    checklist = appendix.section("checklist")
    assert checklist is not None and checklist.level == 3  # a subsubsection under Description
    assert appendix.item("experiment_workflow").value == "a shell script per figure"
    assert appendix.item("publicly_available").value == "yes"
    assert appendix.section("how_to_access").title == "How delivered"
    assert appendix.section("evaluation").title == "Evaluation and expected result"


def test_2016_adds_customization_item_and_section() -> None:
    appendix = parse_appendix(read("ctuning-20160509.tex"))
    assert appendix.item("experiment_customization").value == "cache size and associativity flags"
    assert appendix.section("experiment_customization").filled


def test_2017_self_assessment_items() -> None:
    appendix = parse_appendix(read("ctuning-20170622.tex"))
    for key in ("self_available", "self_functional", "self_reusable", "self_validated"):
        assert appendix.item(key).value == "yes"
    assert appendix.item("workflow_framework").label == "Workflow frameworks used?"
    assert appendix.section("checklist").level == 2


def test_2018_combined_licences_stand_for_both_items() -> None:
    appendix = parse_appendix(read("ctuning-20180713.tex"))
    code, data = appendix.item("code_licenses"), appendix.item("data_licenses")
    assert code.value == data.value == "MIT"
    assert code.line == data.line
    assert appendix.item("archived").value == "10.5281/zenodo.1300001"
    assert appendix.item("disk_space").value == "20 GB"
    assert appendix.item("preparation_time").value == "1 hour"
    assert appendix.item("experiments_time").value == "3 hours"
    methodology = appendix.section("methodology")
    assert methodology is not None and "cTuning.org/ae" in methodology.text


def test_2024_current_labels_cover_all_22_items_but_transformations() -> None:
    for name in ("ctuning-20240722.tex", "ctuning-20240722-b.tex"):
        appendix = parse_appendix(read(name))
        keys = [item.key for item in appendix.items]
        assert keys == [k for k in ITEM_KEYS if k != "transformations"]
        assert appendix.item("archived").value == "https://doi.org/10.5281/zenodo.12000001"
    flavours = {parse_appendix(read(n)).item("workflow_framework").label
                for n in ("ctuning-20240722.tex", "ctuning-20240722-b.tex")}
    assert flavours == {"Workflow automation framework used?", "Workflow framework used?"}


def test_request_variant() -> None:
    appendix = parse_appendix(read("request-20180201.tex"))
    assert appendix.section("technical_description").filled
    assert appendix.section("empirical_evaluation").filled
    assert appendix.section("how_to_access").title == "How to obtain?"
    assert appendix.item("workflow_framework").label == \
        "Collective Knowledge workflow framework used?"
    assert appendix.item("ck_workflow_url").value == "https://example.org/ck-request-mobilenets"
    assert appendix.item("ck_results_url").value == "https://example.org/request-results"


def test_markdown_form_reads_items_sections_and_numbering() -> None:
    appendix = parse_appendix(read("ctuning.md"))
    assert appendix.syntax == "markdown"
    abstract = appendix.section("abstract")
    assert abstract.number == "A.1" and abstract.title == "Abstract"
    assert appendix.item("output").value == "results/table4.csv and results/fig9.pdf"
    assert appendix.item("archived").value == \
        "10.5281/zenodo.8000001 (https://doi.org/10.5281/zenodo.8000001)"
    assert [d.value for d in appendix.dois] == ["10.5281/zenodo.8000001"]
    installation = appendix.section("installation")
    assert installation.filled and "./build.sh" in installation.text


@pytest.mark.parametrize("name", ["ctuning-untouched.tex", "ctuning-guide-untouched.md",
                                  "usenix-untouched.tex", "sc24-untouched.tex"])
def test_untouched_templates_parse_as_all_empty(name: str) -> None:
    appendix = parse_appendix(read(name))
    assert appendix.all_empty
    assert appendix.sections
    assert all(item.empty for item in appendix.items)
    assert not appendix.major_claims and not appendix.experiments and not appendix.contributions


def test_untouched_ctuning_latex_reasons() -> None:
    appendix = parse_appendix(read("ctuning-untouched.tex"))
    assert appendix.family == "ctuning-latex"
    assert len(appendix.items) == 22
    assert appendix.section("abstract").empty_reason == "template hint"
    assert appendix.section("checklist").empty_reason == "every item is empty"
    assert appendix.section("methodology").filled  # shipped filled by the template itself


def test_untouched_markdown_guide_reasons() -> None:
    appendix = parse_appendix(read("ctuning-guide-untouched.md"))
    reasons = {item.key: item.empty_reason for item in appendix.items}
    assert reasons["algorithm"] == "template question"
    assert reasons["disk_space"] == "TODO marker"
    assert reasons["archived"] == "promised for later"
    assert appendix.section("how_to_access").empty_reason == "template hint"


def test_usenix_latex() -> None:
    appendix = parse_appendix(read("usenix.tex"))
    assert appendix.family == "usenix" and appendix.syntax == "latex"
    assert appendix.section("description").title == "Description & Requirements"
    assert appendix.section("installation").title == "Set-up"
    assert appendix.section("benchmarks").text == "None."
    assert [c.id for c in appendix.major_claims] == ["C1", "C2", "C3"]
    c1, c2, c3 = appendix.major_claims
    assert c1.text.startswith("FlashLog sustains 2.3x")
    assert c1.experiments == ("E1",) and c2.experiments == ("E2", "E3") and c3.experiments == ()
    assert c2.line == 33
    e1, e2, e3 = appendix.experiments
    assert (e1.id, e1.name, e1.claims) == ("E1", "Write throughput", ("C1",))
    assert e1.time.human_minutes == 20 and e1.time.compute_minutes == 120
    assert e1.blocks == ("preparation", "execution", "results")
    assert e2.time.human_minutes == 5 and e2.time.compute_minutes == 45
    assert e3.name == "Mixed load, RocksDB" and e3.time is None
    assert appendix.section("reusability").filled and appendix.section("notes").filled


def test_usenix_markdown() -> None:
    appendix = parse_appendix(read("usenix.md"))
    assert appendix.family == "usenix" and appendix.syntax == "markdown"
    assert [(c.id, c.experiments) for c in appendix.major_claims] == [("C1", ("E1",)),
                                                                      ("C2", ("E2",))]
    e1, e2 = appendix.experiments
    assert e1.name == "Race hunt" and e1.time.compute_minutes == 180
    assert e1.claims == ("C1",) and e2.claims == ()
    assert e2.time.human_minutes == 5 and e2.time.compute_minutes == 20
    assert "make install" in appendix.section("installation").text


def test_sc_latex() -> None:
    appendix = parse_appendix(read("sc24.tex"))
    assert appendix.family == "sc"
    assert [c.id for c in appendix.contributions] == ["C1", "C2", "C3"]
    assert appendix.contributions[1].text == \
        "A performance model that predicts its strong-scaling limit."
    a1, a2 = appendix.artifacts
    assert a1.dois == ("10.5281/zenodo.10000001",) and a1.contributions == ("C1", "C2")
    assert len(a1.described) == 6 and a1.evaluated == ("artifact_setup", "artifact_execution",
                                                       "artifact_analysis")
    assert a2.contributions == ("C2",) and a2.evaluated == ()
    assert a2.text == "https://doi.org/10.5281/zenodo.10000002"
    assert set(a2.described) == {"relation_to_contributions", "expected_results",
                                 "artifact_analysis"}
    assert appendix.section("ad").title == "Artifact Description (AD)"
    assert appendix.section("ae").title == "Artifact Evaluation (AE)"


@pytest.mark.parametrize(("name", "words"), [("free.md", 50), ("free.txt", 20)])
def test_free_text(name: str, words: int) -> None:
    appendix = parse_appendix(read(name))
    assert appendix.family == "free"
    assert appendix.words >= words
    assert not appendix.all_empty


def test_free_text_doi_is_found() -> None:
    assert [d.value for d in parse_appendix(read("free.md")).dois] == ["10.5281/zenodo.7700001"]


def test_registry_and_explicit_family() -> None:
    assert set(REGISTRY) == {"ctuning-latex", "ctuning-md", "usenix", "ndss", "pets", "sc",
                             "sc-legacy", "free"}
    assert get("usenix").name == "usenix"
    with pytest.raises(KeyError, match="known: ctuning-latex"):
        get("acm")
    forced = parse_appendix(read("usenix.tex"), family="free")
    assert forced.family == "free" and forced.major_claims == ()


@pytest.mark.parametrize("name", [p.name for p in sorted(DATA.iterdir())
                                  if p.suffix in (".tex", ".md", ".txt")])
def test_detected_family_scores_highest(name: str) -> None:
    outline = read_outline(read(name))
    appendix = parse_appendix(read(name))
    scores = {f.name: f.score(outline)[0] for f in REGISTRY.values()}
    assert scores[appendix.family] == max(scores.values())
    assert appendix.detection  # the report says why


# One reading per family: the titles of the NDSS, USENIX and SC templates, PETS's "Experiment 1:",
# mentions that are not declarations, and the SC19-21 form that is not the SC24 template.

NDSS_TEXT = """## Description & Requirements

### How to access

https://doi.org/10.5281/zenodo.1234567

### Hardware dependencies

None.

### Software dependencies

Linux 6.8.

### Benchmarks

None.

## Artifact Installation & Configuration

Run `make`.

## Major Claims

- (C1): the attack leaks the occupancy level, proven by (E1).

## Evaluation

#### Hash table experiment (E1)

Run `./eval.sh` [5 human-minutes + 1 compute-hour].
"""


def test_ndss_titles_are_read_without_false_errors() -> None:
    report = lint(NDSS_TEXT, badges=["available", "functional", "reproduced"])
    assert report.family == "ndss"
    assert '"Artifact Installation & Configuration"' in report.detection
    assert [f.code for f in report.findings] == ["no-claims"]  # advice only
    assert [e.id for e in report.appendix.experiments] == ["E1"]
    assert report.appendix.experiments[0].name == "Hash table experiment"


@pytest.mark.parametrize(("title", "key"), [
    ("Artifact summary", "abstract"), ("Build Instructions", "installation"),
    ("Artifact Installation & Configuration", "installation"), ("Set-up", "installation"),
    ("Set up the environment (Required for Functional and Reproduced badges)", "installation"),
    ("Main Results and Claims", "major_claims"), ("A.Abstract", "abstract"),
    ("C.SUMMARY OF THE EXPERIMENTS REPORTED", "summary"), ("7 Experiments", "experiments"),
    ("Security/Privacy Issues and Ethical Concerns (All badges)", "security"),
])
def test_family_titles(title: str, key: str) -> None:
    assert section_key(title) == key


def test_experiment_n_is_an_experiment_and_a_mention_does_not_replace_it() -> None:
    text = """## Evaluation workflow

### Major Claims

- (C1): our cache halves the misses, proven by Experiment 1.
- (C2): it also helps the tail, proven by (E2).

### Experiments

### Experiment 1: Misses [10 human-minutes + 1 compute-hour]

Run `./misses.sh`. Its output feeds the second experiment, and the tail numbers
(E2) needs come from the same run.

### Experiment 2: Tail latency [5 human-minutes + 20 compute-minutes]

Run `./tail.sh`.
"""
    appendix = parse_appendix(text)
    assert appendix.family == "usenix"
    assert [(e.id, e.name, e.line) for e in appendix.experiments] == [
        ("E1", "Misses", 10), ("E2", "Tail latency", 15)]
    assert [c.experiments for c in appendix.major_claims] == [("E1",), ("E2",)]
    assert [f.code for f in lint(text, badges=["reproduced"]).findings] == [
        "missing-section", "missing-section", "missing-section", "no-claims"]


def test_older_sc_form_is_not_read_as_the_sc24_template() -> None:
    text = """# Artifact Description

## A. Abstract

We study I/O forwarding on two supercomputers.

## B. Summary of the Experiments Reported

We ran FLASH-IO on 512 nodes of MareNostrum 4.

## C. Artifact Availability

Software Artifact Availability: all author-created software artifacts are public.
Author-Created or Modified Artifacts: Persistent ID: https://doi.org/10.5281/zenodo.4016901

## D. Baseline Experimental Setup, and Modifications Made for the Paper

Relevant hardware details: 48 cores per node. Operating systems and versions: SLES 12.
Key algorithms: I/O forwarding. Input datasets: none.

## Artifact Identification

Article title and abstract as above.
"""
    report = lint(text, badges=["available"])
    assert report.family == "sc-legacy"
    assert "Summary of the Experiments Reported" in report.detection
    assert report.findings == ()  # no "no contributions C_1" or "no artifacts A_1"
