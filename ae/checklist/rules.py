"""Lint rules: each takes the parsed appendix in context and returns its findings.

A rule is a plain function over a `Context` (appendix, profile, requested badges, claims);
`RULES` lists them in the order their findings are reported. Domain rules live here: obligatory
sections, check-list items per badge, DOIs for Available, USENIX claim/experiment cross
references, SC artifact completeness, camera-ready page limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ae.checklist.claims import Claim
from ae.checklist.findings import Finding
from ae.checklist.labels import ALL_ITEM_LABELS, SECTION_TITLES
from ae.checklist.model import Appendix, Item, Section
from ae.checklist.profile import LintProfile

SECTION_FIXES: dict[str, str] = {
    "abstract": "summarise the artifact, what it needs (hardware, software) and the key results "
                "it reproduces; evaluators bid on it",
    "checklist": "list the check-list items (Algorithm, Program, ..., Archived) with a few "
                 "keywords each; drop the items that do not apply",
    "how_to_access": "say how to obtain the artifact (archive DOI, repository URL and commit) "
                     "and how much disk space it takes once unpacked",
    "installation": "give the exact commands that install the artifact and its dependencies",
    "evaluation": "give every step that reproduces the key results, the results to expect and "
                  "the variation you consider acceptable",
    "expected_results": "describe the results an evaluator should obtain",
    "experiment_workflow": "describe how the experiments are run (scripts, workflow)",
    "experiment_customization": "explain how to run the experiments on other data, parameters "
                                "or machines",
    "reusability": "explain how others can reuse the artifact beyond the paper",
    "description": "list what is needed: how to access the artifact, hardware, software, "
                   "benchmarks",
    "evaluation_workflow": "list the major claims (C1, C2, ...) and the experiments (E1, ...) "
                           "that prove them",
    "major_claims": "enumerate the paper's claims as (C1): ..., each naming the experiment "
                    "that proves it",
    "experiments": "describe each experiment as Experiment (E1): name [human/compute time] with "
                   "preparation, execution and results",
    "contributions": "list the paper's main contributions as C_1, C_2, ...",
    "artifacts": "list the computational artifacts A_1, A_2, ... with their DOIs",
    "identification": "describe each artifact A_i: relation to contributions, expected results, "
                      "reproduction time, setup, execution, analysis",
    "ae": "add the Artifact Evaluation part: setup, execution and analysis for each artifact",
}
_VARIATION_RE = re.compile(
    r"variation|variance|tolerance|deviat|within\s+\d|±|\+/-|\d\s*%|percent|noise|error\s+bar|"
    r"confidence|std|standard\s+deviation|vary|varies",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Context:
    """What a rule sees: the appendix, the profile, badges (with implied ones) and claims."""

    appendix: Appendix
    profile: LintProfile
    badges: tuple[str, ...]  # canonical, with implied ones
    requested: tuple[str, ...]  # canonical, as requested
    group: str
    claims: tuple[Claim, ...]
    text: str


def _title(key: str) -> str:
    return SECTION_TITLES.get(key, key.replace("_", " "))


def _find(appendix: Appendix, spec: str) -> list[Section]:
    keys = spec.split("|")
    return [s for s in appendix.sections if s.key in keys]


def _section_findings(c: Context, spec: str, reason: str) -> list[Finding]:
    keys = spec.split("|")
    found = _find(c.appendix, spec)
    title = f'"{_title(keys[0])}"'
    fix = SECTION_FIXES.get(keys[0], "write this section")
    if not found:
        return [Finding("error", "missing-section", f"section {title} is missing ({reason})",
                        f"add a section titled {title}: {fix}", where=keys[0])]
    if not any(s.filled for s in found):
        section = found[0]
        why = section.empty_reason or "empty"
        return [Finding("error", "empty-section",
                        f'section "{section.title}" is still empty ({why}; {reason})',
                        f"replace the template text: {fix}", section.line, section.key)]
    return []


def rule_untouched(c: Context) -> list[Finding]:
    """An appendix with nothing but headings and hints is still the template."""
    if not c.appendix.sections and c.appendix.words == 0:
        return [Finding("error", "empty-appendix", "the appendix has no text",
                        "start from `ae appendix new --family ctuning-md` and fill it in", 1)]
    if c.appendix.sections and c.appendix.all_empty:
        return [Finding("error", "untouched-template",
                        "every section and item is still empty or a template hint",
                        "fill in the sections; keep the headings and replace the hints", 1)]
    return []


def rule_family(c: Context) -> list[Finding]:
    """Warn when the conference does not accept this appendix family."""
    accepted = c.profile.families
    if not accepted or c.appendix.family in accepted or c.group in accepted:
        return []
    return [Finding("warning", "family-not-accepted",
                    f"the appendix follows the {c.appendix.family} template, but this conference "
                    f"asks for {', '.join(accepted)}",
                    f"rewrite it with the {accepted[0]} template (`ae appendix new`)", 1)]


def rule_free(c: Context) -> list[Finding]:
    """Free text has no structure an evaluator can rely on."""
    if c.group != "free" or not c.appendix.words:
        return []
    return [Finding("warning", "no-structure",
                    "no known appendix template was recognised (no check-list, USENIX claims or "
                    "SC artifacts)",
                    "start from `ae appendix new --family ctuning-md` and move the text into its "
                    "sections", 1)]


def rule_sections(c: Context) -> list[Finding]:
    """Obligatory sections and the sections each requested badge needs."""
    findings: list[Finding] = []
    done: set[str] = set()
    for spec in c.profile.obligatory_sections.get(c.group, ()):
        done.add(spec)
        findings.extend(_section_findings(c, spec, "obligatory"))
    per_badge = c.profile.badge_sections.get(c.group, {})
    for badge in c.badges:
        for spec in per_badge.get(badge, ()):
            if spec not in done:
                done.add(spec)
                findings.extend(_section_findings(c, spec, f"needed for the {badge} badge"))
    return findings


def rule_items(c: Context) -> list[Finding]:
    """Check-list items: required ones filled, placeholders flagged, duplicates and strays noted."""
    if c.group != "ctuning":
        return []
    findings: list[Finding] = []
    items = c.appendix.items
    checklist = c.appendix.section("checklist")
    anchor = checklist.line if checklist else None
    required: dict[str, str] = {}
    for badge in c.badges:
        for key in c.profile.badge_items.get(badge, ()):
            required.setdefault(key, badge)
    by_key: dict[str, Item] = {}
    for item in items:
        if item.key is None:
            findings.append(Finding("info", "unknown-item",
                                    f'item "{item.label}" is not a check-list item',
                                    "keep it if it helps evaluators, or rename it to one of "
                                    "the standard labels", item.line))
            continue
        if item.key in by_key and by_key[item.key].line != item.line:
            findings.append(Finding("warning", "duplicate-item",
                                    f'item "{item.label}" appears twice (first on line '
                                    f"{by_key[item.key].line})",
                                    "merge the two lines", item.line, item.key))
            continue
        by_key[item.key] = item
    for key, badge in required.items():
        label = ALL_ITEM_LABELS.get(key, key)
        item = by_key.get(key)
        if item is None:
            findings.append(Finding("error", "missing-item",
                                    f'item "{label}" is missing (needed for the {badge} badge)',
                                    f'add "{label}: ..." to the check-list', anchor, key))
        elif item.empty:
            findings.append(Finding("error", "empty-item",
                                    f'item "{item.label}" has no value yet ({item.empty_reason}); '
                                    f"it is needed for the {badge} badge",
                                    "write the actual value", item.line, key))
    for key, item in by_key.items():
        if item.empty and key not in required:
            findings.append(Finding("warning", "placeholder-item",
                                    f'item "{item.label}" has no value yet ({item.empty_reason})',
                                    "fill it in, or delete the line if it does not apply",
                                    item.line, key))
    return findings


def rule_dois(c: Context) -> list[Finding]:
    """Available needs a real DOI; XXXX DOIs and DOI-less "Archived" items are flagged."""
    findings = [Finding("warning", "placeholder-doi", f"DOI {d.value} is still a placeholder",
                        "replace it with the DOI the archive (Zenodo, FigShare, ...) assigned",
                        d.line) for d in c.appendix.dois if d.placeholder]
    real = [d for d in c.appendix.dois if not d.placeholder]
    archived = c.appendix.item("archived")
    needs = [b for b in c.requested if b in c.profile.doi_badges]
    if needs and not real:
        findings.append(Finding(
            "error", "missing-doi",
            f"no DOI found, but the {needs[0]} badge needs the artifact on an archival host",
            "archive the artifact (e.g. Zenodo) and write its DOI (10.NNNN/...) under "
            "Archived (provide DOI)?", archived.line if archived else None, "archived"))
    elif archived is not None and not archived.empty and "10." not in archived.value:
        findings.append(Finding(
            "warning", "archived-without-doi",
            f'item "{archived.label}" gives no DOI ({archived.value[:60]})',
            "a repository URL is not an archive: give a DOI such as 10.5281/zenodo.N",
            archived.line, "archived"))
    return findings


def rule_claims(c: Context) -> list[Finding]:
    """Badges about results need claims the service can check."""
    wants = [b for b in c.requested if b in c.profile.claims_badges]
    if not wants or c.claims:
        return []
    if c.group == "usenix" and not c.appendix.major_claims:
        return [Finding("error", "no-major-claims",
                        f"no major claims (C1), (C2), ... found, but the {wants[0]} badge is "
                        f"about reproducing them", SECTION_FIXES["major_claims"],
                        _line(c.appendix, "major_claims"), "major_claims")]
    return [Finding("warning", "no-claims",
                    f"no ```claims block, so results for the {wants[0]} badge can only be "
                    f"checked by hand",
                    "add a ```claims TOML block to the evaluation section with the measured "
                    "metrics and expected values (`ae appendix claims` drafts one)",
                    _line(c.appendix, "evaluation"), "evaluation")]


def rule_usenix(c: Context) -> list[Finding]:
    """Every claim should be proven by an experiment and every experiment should say its cost."""
    if c.group != "usenix":
        return []
    findings: list[Finding] = []
    claims = {claim.id: claim for claim in c.appendix.major_claims}
    proven = {ref for e in c.appendix.experiments for ref in e.claims}
    experiment_ids = {e.id for e in c.appendix.experiments}
    for claim in c.appendix.major_claims:
        cited = [e for e in claim.experiments if e in experiment_ids]
        if not cited and claim.id not in proven:
            findings.append(Finding("warning", "claim-without-experiment",
                                    f"claim {claim.id} names no experiment that proves it",
                                    'end the claim with "proven by experiment (E1)" and describe '
                                    "that experiment", claim.line, claim.id))
        for ref in claim.experiments:
            if c.appendix.experiments and ref not in experiment_ids:
                findings.append(Finding("warning", "unknown-experiment",
                                        f"claim {claim.id} cites experiment {ref}, which is not "
                                        f"described", f"describe Experiment ({ref})",
                                        claim.line, claim.id))
    for experiment in c.appendix.experiments:
        for ref in experiment.claims:
            if claims and ref not in claims:
                findings.append(Finding("warning", "unknown-claim",
                                        f"experiment {experiment.id} refers to claim {ref}, which "
                                        f"is not listed", f"add ({ref}) to the major claims",
                                        experiment.line, experiment.id))
        if experiment.time is None:
            findings.append(Finding("info", "experiment-no-time",
                                    f"experiment {experiment.id} gives no time estimate",
                                    "add an estimate such as [30 human-minutes + 1 compute-hour]",
                                    experiment.line, experiment.id))
    if c.appendix.major_claims and not c.appendix.experiments:
        findings.append(Finding("warning", "no-experiments",
                                "claims are listed but no experiment (E1), (E2), ... is described",
                                SECTION_FIXES["experiments"], _line(c.appendix, "experiments")))
    return findings


def rule_sc(c: Context) -> list[Finding]:
    """SC: contributions and artifacts listed, each artifact described (and evaluated)."""
    if c.group != "sc":
        return []
    findings: list[Finding] = []
    a = c.appendix
    if not a.contributions:
        findings.append(Finding("error", "no-contributions", "no contributions C_1, C_2, ... found",
                                SECTION_FIXES["contributions"], _line(a, "contributions")))
    if not a.artifacts:
        findings.append(Finding("error", "no-artifacts", "no computational artifacts A_1, ... found",
                                SECTION_FIXES["artifacts"], _line(a, "artifacts")))
    needs_ae = any(b in c.badges for b in ("functional", "reusable", "reproduced"))
    supported: set[str] = set()
    for art in a.artifacts:
        supported.update(art.contributions)
        if not art.identified:
            findings.append(Finding("error", "artifact-not-described",
                                    f"artifact {art.id} has no Computational Artifact section",
                                    SECTION_FIXES["identification"], art.line or None, art.id))
        else:
            missing = [k for k in ("relation_to_contributions", "expected_results",
                                   "reproduction_time", "artifact_setup", "artifact_execution",
                                   "artifact_analysis") if k not in art.described]
            if missing:
                findings.append(Finding("error", "artifact-incomplete",
                                        f"artifact {art.id} lacks "
                                        f"{', '.join(_title(k) for k in missing)}",
                                        "fill in each of the six parts for this artifact",
                                        art.line or None, art.id))
        if not art.dois:
            severity = "error" if "available" in c.requested else "warning"
            findings.append(Finding(severity, "artifact-no-doi", f"artifact {art.id} has no DOI",
                                    "archive it and write its DOI next to its id",
                                    art.line or None, art.id))
        if needs_ae and not art.evaluated:
            findings.append(Finding("error", "artifact-not-evaluated",
                                    f"artifact {art.id} has no Artifact Evaluation part",
                                    SECTION_FIXES["ae"], art.line or None, art.id))
    if supported:
        for contribution in a.contributions:
            if contribution.id not in supported:
                findings.append(Finding("warning", "contribution-unsupported",
                                        f"contribution {contribution.id} is supported by no "
                                        f"artifact", "map it to an artifact in the table, or say "
                                        "why it cannot be reproduced", contribution.line))
    return findings


def rule_hints(c: Context) -> list[Finding]:
    """Template markers left next to real text."""
    severity = "warning" if c.profile.stage == "camera-ready" else "info"
    return [Finding(severity, "template-hint-left",
                    f'section "{s.title}" still carries a template marker '
                    "([Mandatory], Obligatory, Optional)",
                    "delete the template's hint text", s.line, s.key)
            for s in c.appendix.sections if s.hint_left]


def rule_variation(c: Context) -> list[Finding]:
    """cTuning asks for the maximum allowable variation of the results."""
    if c.group != "ctuning":
        return []
    section = c.appendix.section("evaluation")
    if section is None or not section.filled or _VARIATION_RE.search(section.text):
        return []
    if any(claim.tolerance is not None or claim.tolerance_abs is not None for claim in c.claims):
        return []
    return [Finding("info", "no-variation",
                    "the evaluation does not say how much results may vary",
                    "state the maximum allowable variation (e.g. within 10 %) or give a "
                    "tolerance in the claims block", section.line, "evaluation")]


def rule_pages(c: Context) -> list[Finding]:
    """Camera-ready appendices must fit the page limit (estimated from the word count)."""
    limit = c.profile.page_limit
    if c.profile.stage != "camera-ready" or limit is None:
        return []
    pages = c.appendix.words / c.profile.words_per_page
    if pages <= limit:
        return []
    return [Finding("error", "page-limit",
                    f"about {pages:.1f} pages ({c.appendix.words} words at "
                    f"{c.profile.words_per_page} per page); the camera-ready limit is {limit:g}",
                    "shorten it: move details to the artifact's README and keep the steps", 1)]


def _line(appendix: Appendix, key: str) -> int | None:
    section = appendix.section(key)
    return section.line if section else None


RULES: tuple[Callable[[Context], list[Finding]], ...] = (
    rule_untouched, rule_family, rule_free, rule_sections, rule_items, rule_dois, rule_claims,
    rule_usenix, rule_sc, rule_hints, rule_variation, rule_pages,
)
