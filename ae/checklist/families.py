"""Appendix families behind one registry, and auto-detection of the family of a text.

A family is a template lineage: the cTuning/ACM check-list appendix in LaTeX (2015-2024 versions,
the ReQuEST variant and the SC16-18 Artifact Description form built on it) or Markdown, the
USENIX/EuroSys claims-and-experiments appendix (sysartifacts, secartifacts USENIX Security), the
NDSS appendix (the same claims with its own section titles), the PETS Markdown appendix, the
SC22+ AD/AE appendix, the SC19-21 AD/AE online form, and free text. Each family scores how much
a text looks like it, says why, and reads an `Outline` with its own section titles (`layouts.py`);
`parse_appendix` picks the best-scoring one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Protocol

from ae.checklist import sc, usenix
from ae.checklist.labels import normalize_label
from ae.checklist.layouts import LAYOUTS, Layout
from ae.checklist.model import Appendix, Contribution, Experiment, MajorClaim, ScArtifact
from ae.checklist.outline import Outline, read_outline

_SIGN_SAMPLE = 50_000


@dataclass(frozen=True)
class Sign:
    """One thing that makes a text look like a family: a title or a phrase, and its weight."""

    where: str  # "title" (a section title, normalised) or "text" (the lower-cased text)
    pattern: str
    weight: float
    label: str
    cap: int = 1  # how many occurrences count
    needles: tuple[str, ...] = ()  # text signs: one of these must occur (a cheap test first)


# Distinctive marks of each family (shared ones such as Abstract or Installation weigh nothing).
SIGNS: dict[str, tuple[Sign, ...]] = {
    "ctuning": (
        Sign("title", r"^(?:artifact )?check ?list\b|meta information", 4.0, "a check-list section"),
        Sign("title", r"^experiment workflow$", 2.0, '"Experiment workflow"'),
        Sign("title", r"^evaluation and expected results?$", 2.0,
             '"Evaluation and expected result(s)"'),
        Sign("title", r"^experiment customi[sz]ation$", 2.0, '"Experiment customization"'),
        Sign("title", r"^methodology$", 1.0, '"Methodology"'),
        Sign("text", r"template for artifact evaluation v20", 3.0, "the cTuning template header",
             needles=("template for artifact",)),
    ),
    "usenix": (
        Sign("title", r"^evaluation workflow", 3.0, '"Evaluation workflow"'),
        Sign("title", r"^set up$", 2.0, '"Set-up"'),
        Sign("title", r"^notes on reusability$|^general notes$", 1.0, '"Notes on Reusability"'),
        Sign("text", r"usenix|sysartifacts|eurosys", 1.0, "a USENIX/EuroSys venue",
             needles=("usenix", "sysartifacts", "eurosys")),
    ),
    "ndss": (
        Sign("title", r"^artifact installation (?:and )?configuration$", 6.0,
             '"Artifact Installation & Configuration"'),
        Sign("title", r"^evaluation$", 1.0, '"Evaluation"'),
        Sign("title", r"^customization$", 1.0, '"Customization"'),
        Sign("text", r"ndss(?![a-z])|\\appendices(?![a-z])", 2.0, "NDSS",
             needles=("ndss", "\\appendices")),
    ),
    "claims": (  # shared by the USENIX and NDSS templates
        Sign("title", r"^major claims", 3.0, '"Major Claims"'),
        Sign("title", r"^description requirements$", 2.0, '"Description & Requirements"'),
        Sign("text", r"human[- ](?:minute|hour)|compute[- ](?:minute|hour)", 1.0,
             "human/compute time estimates", cap=3, needles=("human", "compute")),
        Sign("text", r"\([ce]\d+\)", 0.5, "(C1)/(E1) ids", cap=8, needles=("(c", "(e")),
    ),
    "pets": (
        Sign("text", r"requested badge", 3.0, '"Requested Badge(s)"', needles=("requested badge",)),
        Sign("title", r"^security privacy(?: issues)? and ethical concerns", 4.0,
             '"Security/Privacy Issues and Ethical Concerns"'),
        Sign("title", r"^basic requirements", 3.0, '"Basic Requirements"'),
        Sign("title", r"^estimated time and storage consumption", 3.0,
             '"Estimated Time and Storage Consumption"'),
        Sign("title", r"^accessibility", 2.0, '"Accessibility"'),
        Sign("title", r"^testing the environment", 2.0, '"Testing the Environment"'),
        Sign("title", r"^main results? and claims|^main result \d", 3.0, '"Main Results and Claims"'),
        Sign("title", r"^limitations", 1.0, '"Limitations"'),
    ),
    "sc": (
        Sign("title", r"main contributions$", 3.0, '"Paper\'s Main Contributions"'),
        Sign("title", r"^computational artifacts?\b", 3.0, '"Computational Artifacts"'),
        Sign("title", r"artifact identification$", 3.0, '"Artifact Identification"'),
        Sign("title", r"^relation to contributions|^expected reproduction time", 3.0,
             "the six per-artifact parts"),
        Sign("text", r"\\appendixad|\\newartifact|\\arteval|\\artin\b", 3.0, "the sc24repro macros",
             needles=("\\appendixad", "\\newartifact", "\\arteval", "\\artin")),
        Sign("text", r"[ca]_\{?\d", 0.5, "C_i/A_i ids", cap=6, needles=("c_", "a_")),
    ),
    "sc-legacy": (
        Sign("title", r"summary of the experiments reported", 6.0,
             '"Summary of the Experiments Reported"'),
        Sign("title", r"baseline experimental setup", 4.0, '"Baseline Experimental Setup"'),
        Sign("title", r"^artifact availability", 3.0, '"Artifact Availability"'),
        Sign("text", r"author-created or modified artifacts|persistent id", 3.0,
             "the AD form's artifact list", needles=("author-created", "persistent id")),
        Sign("text", r"relevant hardware details|operating systems and versions|"
                     r"compilers and versions|libraries and versions|key algorithms|input datasets",
             1.0, "the AD form's setup fields", cap=4,
             needles=("hardware details", "and versions", "key algorithms", "input datasets")),
    ),
}


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    found = _PATTERNS.get(pattern)
    if found is None:
        found = _PATTERNS[pattern] = re.compile(pattern, re.MULTILINE)
    return found


class Family(Protocol):
    """A template family: a name, a detection score and a parser over an outline."""

    name: str
    group: str
    layout: Layout

    def score(self, outline: Outline) -> tuple[float, list[str]]:
        """Return how strongly the outline looks like this family (0 = not at all) and why."""
        ...

    def parse(self, outline: Outline) -> Appendix:
        """Return the appendix read with this family's rules."""
        ...


_VIEWS: dict[int, tuple[Outline, str, str]] = {}


def _view(outline: Outline) -> tuple[str, str]:
    """Return the outline's normalised titles and lower-cased text sample (kept for one outline)."""
    cached = _VIEWS.get(id(outline))
    if cached is not None and cached[0] is outline:
        return cached[1], cached[2]
    titles = "\n".join(normalize_label(s.title) for s in outline.sections)
    text = outline.original[:_SIGN_SAMPLE].lower()
    _VIEWS.clear()
    _VIEWS[id(outline)] = (outline, titles, text)
    return titles, text


def _signs(outline: Outline, groups: tuple[str, ...]) -> tuple[float, list[str]]:
    """Score the distinctive titles and phrases of `groups` in an outline."""
    titles, text = _view(outline)
    score = 0.0
    reasons: list[str] = []
    for group in groups:
        for sign in SIGNS[group]:
            haystack = titles if sign.where == "title" else text
            if sign.needles and not any(needle in haystack for needle in sign.needles):
                continue
            count = 0
            for _ in _compiled(sign.pattern).finditer(haystack):
                count += 1
                if count >= sign.cap:
                    break
            if count:
                score += sign.weight * count
                reasons.append(sign.label)
    return score, reasons


class CtuningFamily:
    """cTuning/ACM check-list appendix; `syntax` is "latex" or "markdown"."""

    group = "ctuning"
    layout = LAYOUTS["ctuning"]

    def __init__(self, name: str, syntax: str) -> None:
        self.name = name
        self.syntax = syntax

    def score(self, outline: Outline) -> tuple[float, list[str]]:
        if outline.syntax != self.syntax:
            return 0.0, []
        score, reasons = _signs(outline, ("ctuning",))
        known_items = sum(1 for item in outline.items if item.key)
        if known_items >= 3:
            score += min(known_items, 22) * 0.5
            reasons.append(f"{known_items} check-list items")
        return score, reasons

    def parse(self, outline: Outline) -> Appendix:
        outline = outline.rekey(self.layout.aliases)
        return _appendix(self.name, outline, version=ctuning_version(outline))


class ClaimsFamily:
    """Claims-and-experiments appendices: USENIX/EuroSys, NDSS and PETS."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.group = name
        self.layout = LAYOUTS[name]

    def score(self, outline: Outline) -> tuple[float, list[str]]:
        shared = ("claims",) if self.name in ("usenix", "ndss") else ()
        return _signs(outline, (self.name, *shared))

    def parse(self, outline: Outline) -> Appendix:
        outline = outline.rekey(self.layout.aliases)
        return _appendix(self.name, outline, major_claims=usenix.read_claims(outline),
                         experiments=usenix.read_experiments(outline))


class ScFamily:
    """SC Artifact Description / Artifact Evaluation appendix (SC22 on; SC24 template)."""

    name = "sc"
    group = "sc"
    layout = LAYOUTS["sc"]

    def score(self, outline: Outline) -> tuple[float, list[str]]:
        return _signs(outline, ("sc",))

    def parse(self, outline: Outline) -> Appendix:
        outline = outline.rekey(self.layout.aliases)
        return _appendix(self.name, outline, contributions=sc.read_contributions(outline),
                         artifacts=sc.read_artifacts(outline))


class ScLegacyFamily:
    """SC19-SC21 AD/AE appendix generated from the online form (no C_i/A_i structure)."""

    name = "sc-legacy"
    group = "sc-legacy"
    layout = LAYOUTS["sc-legacy"]

    def score(self, outline: Outline) -> tuple[float, list[str]]:
        return _signs(outline, ("sc-legacy",))

    def parse(self, outline: Outline) -> Appendix:
        return _appendix(self.name, outline.rekey(self.layout.aliases))


class FreeFamily:
    """Free text: no template; sections, known items and DOIs are still read."""

    name = "free"
    group = "free"
    layout = LAYOUTS["free"]

    def score(self, outline: Outline) -> tuple[float, list[str]]:
        return 3.0, []

    def parse(self, outline: Outline) -> Appendix:
        return _appendix(self.name, outline)


REGISTRY: dict[str, Family] = {
    family.name: family
    for family in (CtuningFamily("ctuning-latex", "latex"), CtuningFamily("ctuning-md", "markdown"),
                   ClaimsFamily("usenix"), ClaimsFamily("ndss"), ClaimsFamily("pets"),
                   ScFamily(), ScLegacyFamily(), FreeFamily())
}


def get(name: str) -> Family:
    """Return the family registered under `name`; KeyError names the known ones."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown appendix family {name!r}; known: {', '.join(REGISTRY)}") from None


def detect(outline: Outline) -> Family:
    """Return the best-scoring family for an outline (free text when nothing fits)."""
    return _ranked(outline)[0][1]


def _ranked(outline: Outline) -> list[tuple[float, Family, list[str]]]:
    scored = []
    for order, family in enumerate(REGISTRY.values()):
        score, reasons = family.score(outline)
        scored.append((score, -order, family, reasons))
    scored.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    return [(score, family, reasons) for score, _, family, reasons in scored]


def parse_appendix(text: str, *, family: str | None = None, syntax: str | None = None) -> Appendix:
    """Parse any text into an Appendix, detecting the family unless one is named."""
    return read(text, family=family, syntax=syntax)[0]


def read(text: str, *, family: str | None = None,
         syntax: str | None = None) -> tuple[Appendix, Outline]:
    """Parse a text and return the appendix with the outline it was read from."""
    outline = read_outline(text, syntax)
    if family:
        chosen, why = get(family), "named by the caller"
    else:
        ranked = _ranked(outline)
        _, chosen, reasons = ranked[0]
        runner_up = next((f.name for s, f, _ in ranked[1:] if s > 0 and f.name != "free"), None)
        why = ", ".join(dict.fromkeys(reasons)) or "no template's titles or phrases"
        if runner_up and chosen.name != "free":
            why += f" (next best: {runner_up})"
    return replace(chosen.parse(outline), detection=why), outline


def _appendix(name: str, outline: Outline, *, version: str | None = None,
              major_claims: tuple[MajorClaim, ...] = (), experiments: tuple[Experiment, ...] = (),
              contributions: tuple[Contribution, ...] = (), artifacts: tuple[ScArtifact, ...] = (),
              ) -> Appendix:
    return Appendix(family=name, syntax=outline.syntax, sections=outline.sections,
                    items=outline.items, dois=outline.dois, words=outline.words,
                    lines=outline.lines, truncated=outline.truncated, version=version,
                    major_claims=major_claims, experiments=experiments,
                    contributions=contributions, artifacts=artifacts)


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
