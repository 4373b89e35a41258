"""Appendix families behind one registry, and auto-detection of the family of a text.

A family is a template lineage: the cTuning/ACM check-list appendix in LaTeX (2015-2024 versions
and the ReQuEST variant) or Markdown, the USENIX/EuroSys claims-and-experiments appendix, the SC
AD/AE appendix, and free text. Each family scores how much a text looks like it and turns an
`Outline` into an `Appendix`; `parse_appendix` picks the best-scoring one.
"""

from __future__ import annotations

import re
from typing import Protocol

from ae.checklist import sc, usenix
from ae.checklist.model import Appendix
from ae.checklist.outline import Outline, read_outline

# Sections only the cTuning template has, and those it shares with the USENIX one.
_CTUNING_SECTIONS = {"checklist", "evaluation", "experiment_workflow", "experiment_customization",
                     "methodology", "data_sets", "models"}
_SHARED_SECTIONS = {"abstract", "how_to_access", "installation", "hardware_dependencies",
                    "software_dependencies", "notes", "reusability"}
_USENIX_WORDS = ("major claims", "evaluation workflow", "description & requirements",
                 "description \\& requirements", "human-minute", "human-hour", "compute-hour",
                 "compute-minute", "notes on reusability", "set-up}", "# set-up")
_SC_WORDS = ("\\appendixad", "\\appendixae", "\\newartifact", "\\arteval", "\\artin",
             "computational artifact", "artifact identification", "main contributions",
             "expected reproduction time")
_USENIX_IDS_RE = re.compile(r"\([ce]\d+\)")
_SC_IDS_RE = re.compile(r"[ca]_\{?\d")
_SIGN_SAMPLE = 50_000


def _signs(outline: Outline, words: tuple[str, ...], ids: re.Pattern[str]) -> int:
    """Count template phrases and id spellings in the start of the text (case-insensitive)."""
    lowered = outline.prepared[:_SIGN_SAMPLE].lower()
    return sum(lowered.count(word) for word in words) + len(ids.findall(lowered))


class Family(Protocol):
    """A template family: a name, a detection score and a parser over an outline."""

    name: str
    group: str

    def score(self, outline: Outline) -> float:
        """Return how strongly the outline looks like this family (0 = not at all)."""
        ...

    def parse(self, outline: Outline) -> Appendix:
        """Return the appendix read with this family's rules."""
        ...


class CtuningFamily:
    """cTuning/ACM check-list appendix; `syntax` is "latex" or "markdown"."""

    group = "ctuning"

    def __init__(self, name: str, syntax: str) -> None:
        self.name = name
        self.syntax = syntax

    def score(self, outline: Outline) -> float:
        if outline.syntax != self.syntax:
            return 0.0
        keys = {s.key for s in outline.sections}
        known_items = sum(1 for item in outline.items if item.key)
        return 2.0 * len(keys & _CTUNING_SECTIONS) + 0.5 * len(keys & _SHARED_SECTIONS) \
            + min(known_items, 22) * 0.5 + (4.0 if "checklist" in keys else 0.0)

    def parse(self, outline: Outline) -> Appendix:
        return _appendix(self.name, outline, version=ctuning_version(outline))


class UsenixFamily:
    """USENIX/EuroSys claims-and-experiments appendix (LaTeX or Markdown)."""

    name = "usenix"
    group = "usenix"

    def score(self, outline: Outline) -> float:
        keys = {s.key for s in outline.sections}
        signs = _signs(outline, _USENIX_WORDS, _USENIX_IDS_RE)
        return 3.0 * len(keys & {"major_claims", "evaluation_workflow", "benchmarks"}) \
            + min(signs, 12) * 1.0

    def parse(self, outline: Outline) -> Appendix:
        return _appendix(self.name, outline, major_claims=usenix.read_claims(outline),
                         experiments=usenix.read_experiments(outline))


class ScFamily:
    """SC Artifact Description / Artifact Evaluation appendix."""

    name = "sc"
    group = "sc"

    def score(self, outline: Outline) -> float:
        keys = {s.key for s in outline.sections}
        signs = _signs(outline, _SC_WORDS, _SC_IDS_RE)
        return 3.0 * len(keys & {"ad", "contributions", "artifacts", "identification",
                                 "relation_to_contributions", "reproduction_time"}) \
            + min(signs, 12) * 1.0

    def parse(self, outline: Outline) -> Appendix:
        return _appendix(self.name, outline, contributions=sc.read_contributions(outline),
                         artifacts=sc.read_artifacts(outline))


class FreeFamily:
    """Free text: no template; sections, known items and DOIs are still read."""

    name = "free"
    group = "free"

    def score(self, outline: Outline) -> float:
        return 3.0

    def parse(self, outline: Outline) -> Appendix:
        return _appendix(self.name, outline)


REGISTRY: dict[str, Family] = {
    family.name: family
    for family in (CtuningFamily("ctuning-latex", "latex"), CtuningFamily("ctuning-md", "markdown"),
                   UsenixFamily(), ScFamily(), FreeFamily())
}


def get(name: str) -> Family:
    """Return the family registered under `name`; KeyError names the known ones."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown appendix family {name!r}; known: {', '.join(REGISTRY)}") from None


def detect(outline: Outline) -> Family:
    """Return the best-scoring family for an outline (free text when nothing fits)."""
    return max(REGISTRY.values(), key=lambda family: family.score(outline))


def parse_appendix(text: str, *, family: str | None = None, syntax: str | None = None) -> Appendix:
    """Parse any text into an Appendix, detecting the family unless one is named."""
    outline = read_outline(text, syntax)
    chosen = get(family) if family else detect(outline)
    return chosen.parse(outline)


def _appendix(name: str, outline: Outline, **parts: object) -> Appendix:
    return Appendix(family=name, syntax=outline.syntax, sections=outline.sections,
                    items=outline.items, dois=outline.dois, words=outline.words,
                    lines=outline.lines, **parts)  # type: ignore[arg-type]


def ctuning_version(outline: Outline) -> str | None:
    """Infer which cTuning template version an appendix follows, from its labels and headings.

    The versions differ in a few labels and sections (reference notes §1.4): "Model:" and
    "How to access" arrived in 2020, split code/data licences and "Archived (provide DOI)?" in
    2019, "Metrics:" and the time/disk items in 2018, the top-level check-list section in 2017,
    "Experiment customization:" in 2016; the ReQuEST 2018 variant asks "How to obtain?".
    """
    version = re.search(r"\bV(20[12]\d[01]\d[0-3]\d)\b", outline.original[:5000])
    labels = {re.sub(r"[^a-z ]", "", item.label.lower()).strip() for item in outline.items}
    items = {item.key for item in outline.items}
    titles = {s.title.lower() for s in outline.sections}
    keys = {s.key for s in outline.sections}
    if version and version.group(1) in _KNOWN_VERSIONS:
        return version.group(1)
    if any("collective knowledge" in label for label in labels) or "how to obtain" in titles \
            or "technical_description" in keys:
        return "request-20180201"
    if "workflow automation framework used" in labels or any(
        t.startswith("evaluation and expected results") for t in titles
    ):
        return "20240722"
    if "model" in items or "models" in keys or "how to access" in titles:
        return "20200102"
    if "archived provide doi" in labels or ("code_licenses" in items and "data_licenses" in items
                                           and not any("codedata" in lbl.replace(" ", "")
                                                       for lbl in labels)):
        return "20190108"
    if items & {"metrics", "disk_space", "preparation_time", "experiments_time", "archived"}:
        return "20180713"
    if items & {"self_available", "self_functional", "experiments", "workflow_framework"}:
        return "20170622"
    if "experiment_customization" in items:
        return "20160509"
    if "experiment_workflow" in items or items:
        return "20151015"
    return None


_KNOWN_VERSIONS = ("20151015", "20160509", "20170622", "20180713", "20190108", "20200102",
                   "20201122", "20240722")
