"""Lint: findings per profile and badge, with line, reason and fix; bad input."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from ae.checklist import LintProfile, lint, profile_from_mapping
from ae.checklist.profile import PROFILES, expand_badges, normalize_badge
from ae.errors import AppendixError, ConferenceError

DATA = Path(__file__).parent / "data"
ALL_BADGES = ("available", "functional", "reusable", "reproduced")


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def codes(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.code for f in report.findings]


def test_complete_2024_appendix_is_ok_for_every_badge() -> None:
    report = lint(read("ctuning-20240722.tex"), badges=ALL_BADGES, filename="ae.tex")
    assert report.ok, [f.format("ae.tex") for f in report.findings]
    assert report.family == "ctuning-latex" and report.version == "20240722"
    assert codes(report) == ["no-claims"]  # results can only be checked by hand
    assert report.badges == ALL_BADGES


def test_markdown_with_claims_has_no_findings() -> None:
    report = lint(read("ctuning.md"), badges=ALL_BADGES, filename="appendix.md")
    assert report.findings == ()
    assert [c.id for c in report.claims] == ["spills-gsm", "time-gsm"]
    assert report.claims[0].source == "appendix.md"


def test_untouched_template_fails_with_one_finding() -> None:
    report = lint(read("ctuning-untouched.tex"), badges=["available"], filename="ae.tex")
    assert not report.ok
    (finding,) = report.findings
    assert finding.code == "untouched-template" and finding.severity == "error"
    assert finding.line == 3 and finding.message and finding.hint


def test_missing_obligatory_section_names_it_and_how_to_fix() -> None:
    text = read("ctuning-20240722.tex").replace("\\subsection{Installation}", "\\subsection{Misc}")
    report = lint(text)
    (finding,) = [f for f in report.findings if f.code == "missing-section"]
    assert finding.severity == "error" and finding.where == "installation"
    assert finding.message == ('section "Installation" is missing (obligatory); it belongs after '
                               '"Models" (line 50)')
    assert "install" in finding.hint and finding.line == 50


def test_badge_requirements_add_items_and_sections() -> None:
    text = read("ctuning-20170622.tex").replace(
        "  \\item {\\bf Workflow frameworks used?: } Collective Knowledge\n", "")
    assert lint(text).ok  # no badge requested: obligatory sections only
    report = lint(text, badges=["reusable"])
    missing = {f.where for f in report.findings if f.code == "missing-item"}
    # reusable implies functional; the 2017 check-list has no licence item, so none is asked for
    assert missing == {"workflow_framework"}
    assert {f.line for f in report.findings if f.code == "missing-item"} == {6}
    assert "experiment_customization" in {f.where for f in report.findings
                                          if f.code == "missing-section"}


def test_requirements_follow_the_template_version() -> None:
    text = read("ctuning-20151015.tex")  # 13 items: no Metrics, licences or workflow framework
    report = lint(text, badges=["reusable", "reproduced"])
    assert not any(f.code == "missing-item" for f in report.findings)
    without = text.replace("\\item {\\bf Experiment workflow: } a shell script per figure\n", "")
    report = lint(without, badges=["functional"])
    assert [f.where for f in report.findings if f.code == "missing-item"] == ["experiment_workflow"]


def test_available_needs_a_real_doi() -> None:
    report = lint(read("ctuning-20170622.tex"), badges=["acm:artifacts-available"])
    assert "missing-doi" in codes(report) and not report.ok
    report = lint(read("ctuning-20180713.tex"), badges=["Artifacts Available"])
    assert "missing-doi" not in codes(report)


def test_placeholder_doi_and_archived_without_doi() -> None:
    report = lint(read("ctuning-variants.md"))
    placeholder = [f for f in report.findings if f.code == "placeholder-doi"]
    assert len(placeholder) == 1 and placeholder[0].line == 32
    text = ("## Abstract\nx\n## Artifact check-list\n* **Archived:** https://github.com/a/b\n")
    report = lint(text)
    assert "archived-without-doi" in codes(report)


def test_placeholder_items_are_one_warning_unless_required() -> None:
    report = lint(read("ctuning-variants.tex"))
    (warning,) = [f for f in report.findings if f.code == "placeholder-item"]
    assert warning.severity == "warning" and warning.line == 20
    assert warning.message.startswith("4 check-list items have no value yet")
    assert "DOI (promised for later)" in warning.message
    assert "todo" not in codes(report)  # the TODOs in those items are that one warning
    report = lint(read("ctuning-variants.tex"), badges=["functional"])
    assert "experiments" in {f.where for f in report.findings if f.code == "empty-item"}


def test_unknown_and_duplicate_items() -> None:
    text = ("## Abstract\nx\n## Artifact check-list\n* **Output:** CSV\n* **Output:** plots\n"
            "* **Favourite colour:** blue\n")
    report = lint(text)
    found = {f.code: f for f in report.findings}
    assert found["duplicate-item"].line == 5 and "first on line 4" in found["duplicate-item"].message
    assert found["unknown-item"].severity == "info"


def test_usenix_cross_references() -> None:
    report = lint(read("usenix.tex"), badges=["available", "functional", "reproduced"])
    assert report.ok
    by_code = {f.code: f for f in report.findings}
    assert by_code["claim-without-experiment"].where == "C3"
    assert by_code["experiment-no-time"].where == "E3"
    assert "no-claims" in by_code  # no ```claims block yet


def test_usenix_reproduced_without_claims_is_an_error() -> None:
    text = read("usenix.md").split("### Major Claims")[0]
    report = lint(text, badges=["reproduced"])
    missing = [f for f in report.findings if f.code == "missing-section"]
    assert "major_claims" in {f.where for f in missing} and not report.ok
    assert "no-major-claims" not in codes(report)  # the missing section says it already


def test_sc_findings() -> None:
    report = lint(read("sc24.tex"), badges=["available", "reproduced"])
    found = [(f.code, f.where) for f in report.findings]
    assert ("artifact-incomplete", "A2") in found
    assert ("artifact-not-evaluated", "A2") in found
    assert ("contribution-unsupported", None) in found
    assert ("artifact-no-doi", "A1") not in found
    incomplete = next(f for f in report.findings if f.code == "artifact-incomplete")
    assert "Expected Reproduction Time" in incomplete.message and incomplete.line == 22


def test_free_text_and_family_profile() -> None:
    report = lint(read("free.md"))
    assert codes(report) == ["no-structure"]
    report = lint(read("usenix.md"), profile=PROFILES["ctuning"])
    assert "family-not-accepted" in codes(report)
    assert "family-not-accepted" not in codes(lint(read("usenix.md"), profile=PROFILES["usenix"]))


def test_claims_errors_become_findings_with_their_line() -> None:
    text = read("ctuning.md").replace('relation = "equal"', 'relation = "about"')
    report = lint(text, filename="appendix.md")
    (finding,) = [f for f in report.findings if f.code == "claims-invalid"]
    line = text.splitlines().index('relation = "about"') + 1
    assert finding.line == line and finding.message.startswith(f"appendix.md line {line}: claim")
    assert not report.ok and report.claims == ()


def test_camera_ready_page_limit() -> None:
    long_text = read("ctuning-20240722.tex") + "\n\\subsection{Notes}\n" + "word " * 2500
    profile = replace(PROFILES["camera-ready"])
    report = lint(long_text, profile=profile)
    (finding,) = [f for f in report.findings if f.code == "page-limit"]
    assert "limit is 2" in finding.message and finding.severity == "error"
    assert "page-limit" not in codes(lint(read("ctuning-20240722.tex"), profile=profile))
    assert "page-limit" not in codes(lint(long_text))  # submission: no limit


def test_hint_left_is_info_then_warning_at_camera_ready() -> None:
    text = "## Abstract\n[Mandatory] Our tool does X and reproduces Table 1 of the paper.\n"
    assert [(f.code, f.severity) for f in lint(text).findings
            if f.code == "template-hint-left"] == [("template-hint-left", "info")]
    report = lint(text, profile=PROFILES["camera-ready"])
    assert [(f.code, f.severity) for f in report.findings
            if f.code == "template-hint-left"] == [("template-hint-left", "warning")]


def test_no_variation_note() -> None:
    text = read("ctuning-20240722.tex").replace(
        "Throughput should be within 10\\% of Figure 8; the p99 latency ranking of Figure 10 "
        "must hold.", "Run the script and look at the plots.")
    assert "no-variation" in codes(lint(text))
    assert "no-variation" not in codes(lint(read("ctuning-20240722.tex")))


def test_ignore_drops_codes() -> None:
    profile = LintProfile(ignore=("no-structure",))
    assert lint(read("free.md"), profile=profile).findings == ()


def test_unknown_badge_is_a_warning() -> None:
    report = lint(read("free.md"), badges=["gold"])
    assert "unknown-badge" in codes(report)


def test_report_to_dict_is_json() -> None:
    report = lint(read("usenix.tex"), badges=["reproduced"])
    data = json.loads(json.dumps(report.to_dict()))
    assert data["family"] == "usenix" and data["ok"] is True
    assert data["counts"]["warning"] >= 1
    assert data["appendix"]["major_claims"][0]["id"] == "C1"
    assert data["sections"][0]["title"] == "Artifact Appendix"


@pytest.mark.parametrize(("data", "fragment"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "appendix.pdf line 3: contains a NUL byte"),
    (b"%PDF-1.7\n\x00\x01stream", "appendix.pdf line 2: contains a NUL byte"),
    ("text\x00more", "appendix.pdf line 1: contains a NUL byte"),
    ("\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 20, "appendix.pdf looks binary"),
])
def test_not_text_names_the_file(data: bytes | str, fragment: str) -> None:
    with pytest.raises(AppendixError) as info:
        lint(data, filename="appendix.pdf")
    assert fragment in str(info.value)


def test_bytes_with_bom_and_crlf_are_read() -> None:
    data = b"\xef\xbb\xbf" + read("ctuning.md").replace("\n", "\r\n").encode()
    report = lint(data, badges=ALL_BADGES)
    assert report.findings == ()


def test_empty_appendix() -> None:
    assert codes(lint("")) == ["empty-appendix"]
    assert codes(lint("   \n\n")) == ["empty-appendix"]


def test_badge_names() -> None:
    assert normalize_badge("acm:artifacts-evaluated-functional") == "functional"
    assert normalize_badge("Results Reproduced") == "reproduced"
    assert normalize_badge("acm-1.1:replicated") == "replicated"
    assert normalize_badge("usenix:available") == "available"
    assert normalize_badge("shiny") is None
    assert expand_badges(("reusable",)) == ("functional", "reusable")


def test_profile_from_conference_table() -> None:
    profile = profile_from_mapping({"camera_ready_pages": 2, "family": "ctuning",
                                    "obligatory_sections": ["abstract", "installation"]})
    assert profile.page_limit == 2.0 and profile.families == ("ctuning",)
    assert profile.obligatory_sections["ctuning"] == ("abstract", "installation")
    assert profile.obligatory_sections["usenix"] == LintProfile().obligatory_sections["usenix"]
    full = profile_from_mapping({
        "stage": "camera-ready", "page_limit": 3, "words_per_page": 800,
        "families": ["usenix", "ctuning-md"],
        "obligatory_sections": {"usenix": ["abstract"]},
        "badge_items": {"available": ["archived"]},
        "badge_sections": {"ctuning": {"reusable": ["reusability"]}},
        "doi_badges": ["available"], "claims_badges": ["reproduced"], "ignore": ["no-variation"],
    }, name="osdi")
    assert full.name == "osdi" and full.stage == "camera-ready" and full.words_per_page == 800
    assert full.badge_items["available"] == ("archived",)
    assert full.badge_items["functional"] == LintProfile().badge_items["functional"]
    assert full.badge_sections["ctuning"] == {"reusable": ("reusability",)}


@pytest.mark.parametrize(("data", "fragment"), [
    ({"colour": "red"}, "unknown key 'colour'"),
    ({"stage": "final"}, "stage must be one of submission, camera-ready"),
    ({"page_limit": 0}, "page_limit must be a positive number"),
    ({"camera_ready_pages": "two"}, "page_limit must be a positive number"),
    ({"words_per_page": 1.5}, "words_per_page must be a positive whole number"),
    ({"families": "usenix, sc"}, None),
    ({"families": [1]}, "families: must be a list of strings"),
    ({"obligatory_sections": {"acm": ["abstract"]}}, "unknown family group 'acm'"),
    ({"obligatory_sections": ["abstrakt"]}, "unknown section 'abstrakt'"),
    ({"badge_items": {"gold": ["archived"]}}, "unknown badge 'gold'"),
    ({"badge_items": {"available": ["doi_link"]}}, "unknown check-list item 'doi_link'"),
    ({"badge_sections": {"ctuning": ["abstract"]}}, "must be a table of badge"),
    ({"ignore": "no-variation"}, "ignore: must be a list of strings"),
])
def test_profile_errors(data: dict, fragment: str | None) -> None:
    if fragment is None:
        assert profile_from_mapping(data).families == ("usenix, sc",)
        return
    with pytest.raises(ConferenceError) as info:
        profile_from_mapping(data, source="ppopp.toml [checklist]")
    assert str(info.value).startswith("ppopp.toml [checklist]")
    assert fragment in str(info.value)


# Contradictions a chair would not write.

ITEMS_UNDER_ANOTHER_HEADING = "## Abstract\nA tool.\n\n## Artifact Meta Data Sheet\n\n" + "".join(
    f"* **{label}:** value {n}\n" for n, label in enumerate(
        ["Algorithm", "Program", "Compilation", "Binary", "Data set", "Run-time environment",
         "Hardware", "Execution", "Metrics", "Output", "Experiments", "Publicly available?",
         "Code licenses (if publicly available)?", "Workflow framework used?",
         "How much disk space required (approximately)?",
         "How much time is needed to prepare workflow (approximately)?",
         "How much time is needed to complete experiments (approximately)?",
         "Data licenses (if publicly available)?", "Run-time state", "Transformations"])) + (
    "\n## How to access\nhttps://doi.org/10.5281/zenodo.42\n\n## Installation\n`make`\n\n"
    "## Evaluation and expected results\n`./run.sh` reproduces Table 2 within 5 %.\n")


def test_twenty_items_read_mean_the_checklist_is_there() -> None:
    report = lint(ITEMS_UNDER_ANOTHER_HEADING, badges=["functional", "reproduced"])
    assert len([i for i in report.items if i.key]) == 20
    assert not [f for f in report.findings if f.where == "checklist"]


def test_a_doi_anywhere_answers_archived() -> None:
    report = lint(ITEMS_UNDER_ANOTHER_HEADING, badges=["available"])  # no Archived item
    assert not any(f.code in ("missing-item", "missing-doi") for f in report.findings)


def test_experiments_read_under_evaluation_satisfy_the_experiments_section() -> None:
    text = read("usenix.md").replace("### Experiments", "### Evaluation steps")
    report = lint(text, badges=["functional", "reproduced"])
    assert report.appendix.experiments
    assert not [f for f in report.findings if f.where == "experiments"]


def test_missing_section_says_where_it_belongs() -> None:
    text = read("usenix.md").replace("## Set-up", "## Misc")
    (finding,) = [f for f in report_of(text).findings if f.code == "missing-section"]
    assert "it belongs after" in finding.message and finding.line


def report_of(text: str):  # type: ignore[no-untyped-def]
    return lint(text, badges=["functional"])


def test_placeholder_doi_with_available_is_one_error() -> None:
    text = ITEMS_UNDER_ANOTHER_HEADING.replace("zenodo.42", "zenodo.XXXXXXX")
    report = lint(text, badges=["available"])
    assert [f.code for f in report.errors] == ["placeholder-doi"]


def test_a_zenodo_record_without_doi_is_a_warning_with_the_doi_to_write() -> None:
    text = ITEMS_UNDER_ANOTHER_HEADING.replace("https://doi.org/10.5281/zenodo.42",
                                               "https://zenodo.org/records/1234")
    report = lint(text, badges=["available"])
    (finding,) = [f for f in report.findings if f.code == "archived-without-doi"]
    assert finding.severity == "warning" and "10.5281/zenodo.1234" in finding.hint
    assert report.ok
