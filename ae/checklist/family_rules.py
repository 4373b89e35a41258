"""Rules of the claims-and-experiments families (USENIX, NDSS, PETS) and of the SC AD/AE appendix.

Every claim should be proven by a described experiment, and every experiment should say what it
costs; an SC appendix lists its contributions and artifacts and describes (and, for the results
badges, evaluates) each artifact in the template's parts.
"""

from __future__ import annotations

from ae.checklist.context import SECTION_FIXES, Context
from ae.checklist.findings import Finding

CLAIMS_GROUPS = ("usenix", "ndss", "pets")


def rule_experiments(c: Context) -> list[Finding]:
    """Every claim should be proven by an experiment and every experiment should say its cost."""
    if c.group not in CLAIMS_GROUPS:
        return []
    a = c.appendix
    findings: list[Finding] = []
    if a.major_claims and not a.experiments:
        labelled = "" if not c.sections("experiments") else \
            "; the experiments section does not label them"
        return [Finding("warning", "no-experiments",
                        f"claims are listed but no experiment (E1), (E2), ... is described"
                        f"{labelled}", SECTION_FIXES["experiments"],
                        c.section_line("experiments", "evaluation"), "experiments")]
    claims = {claim.id: claim for claim in a.major_claims}
    proven = {ref for e in a.experiments for ref in e.claims}
    experiment_ids = {e.id for e in a.experiments}
    for claim in a.major_claims:
        cited = [e for e in claim.experiments if e in experiment_ids]
        if not cited and claim.id not in proven:
            findings.append(Finding("warning", "claim-without-experiment",
                                    f"claim {claim.id} names no experiment that proves it",
                                    'end the claim with "proven by experiment (E1)" and describe '
                                    "that experiment", claim.line, claim.id))
        for ref in claim.experiments:
            if a.experiments and ref not in experiment_ids:
                findings.append(Finding("warning", "unknown-experiment",
                                        f"claim {claim.id} cites experiment {ref}, which is not "
                                        f"described", f"describe Experiment ({ref})",
                                        claim.line, claim.id))
    for experiment in a.experiments:
        for ref in experiment.claims:
            if claims and ref not in claims:
                findings.append(Finding("warning", "unknown-claim",
                                        f"experiment {experiment.id} refers to claim {ref}, which "
                                        f"is not listed", f"add ({ref}) to the major claims",
                                        experiment.line, experiment.id))
    untimed = [e for e in a.experiments if e.time is None]
    if untimed:
        ids = ", ".join(e.id for e in untimed)
        findings.append(Finding("info", "experiment-no-time",
                                f"experiment{'s' if len(untimed) > 1 else ''} {ids} "
                                f"give{'' if len(untimed) > 1 else 's'} no time estimate",
                                "add an estimate such as [30 human-minutes + 1 compute-hour]",
                                untimed[0].line, untimed[0].id))
    return findings


def rule_sc(c: Context) -> list[Finding]:
    """SC: contributions and artifacts listed, each artifact described (and evaluated)."""
    if c.group != "sc":
        return []
    findings: list[Finding] = []
    a = c.appendix
    if not a.contributions and c.sections("contributions"):
        findings.append(Finding("error", "no-contributions", "no contributions C_1, C_2, ... found",
                                SECTION_FIXES["contributions"], c.section_line("contributions")))
    if not a.artifacts and c.sections("artifacts"):
        findings.append(Finding("error", "no-artifacts", "no computational artifacts A_1, ... found",
                                SECTION_FIXES["artifacts"], c.section_line("artifacts")))
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
                                        f"{', '.join(c.title(k) for k in missing)}",
                                        "fill in each of the six parts for this artifact",
                                        art.line or None, art.id))
        if not art.dois:
            severity = "error" if "available" in c.requested else "warning"
            findings.append(Finding(severity, "artifact-no-doi", f"artifact {art.id} has no DOI",
                                    "archive it and write its DOI next to its id",
                                    art.line or None, art.id))
        if needs_ae and art.identified and not art.evaluated:
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
