"""Lint an appendix against a conference profile: one finding per problem, with line and fix.

Severity: "error" blocks the requested badge or the phase (obligatory content missing or still a
placeholder, a TODO or conflict marker anywhere, no DOI for Available, invalid claims, over the
camera-ready page limit); "warning" is something an evaluator will trip over (placeholders in
optional sections, claims without experiments, a script the artifact does not have); "info" is
advice. `LintReport.ok` is true when there is no error.

An untouched template gets one finding, not one per empty section. When two findings would say
the same thing about one line, the more specific one is kept (an empty "Archived" item and
"no DOI" are one problem).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePath
from typing import Any

from ae.checklist import prose
from ae.checklist.claims import Claim, parse_claims
from ae.checklist.crosscheck import cross_check
from ae.checklist.decoding import MAX_APPENDIX_BYTES, read_appendix
from ae.checklist.families import REGISTRY, read
from ae.checklist.findings import SEVERITIES, Finding
from ae.checklist.model import Appendix, Doi, Item, Section
from ae.checklist.profile import BADGES, LintProfile, expand_badges, normalize_badge
from ae.checklist.rules import PROSE_CODES, RULES, Context, rule_untouched
from ae.errors import ClaimsError

__all__ = ["SEVERITIES", "Finding", "LintReport", "lint"]


@dataclass(frozen=True)
class LintReport:
    """The lint result: what was read and what is wrong with it."""

    filename: str
    family: str
    syntax: str
    version: str | None
    sections: tuple[Section, ...]
    items: tuple[Item, ...]
    findings: tuple[Finding, ...]
    claims: tuple[Claim, ...]
    dois: tuple[Doi, ...]
    badges: tuple[str, ...]
    profile: str
    appendix: Appendix | None = field(repr=False, compare=False, default=None)
    detection: str = ""
    encoding: str = "UTF-8"

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
        return not any(f.severity == "error" for f in self.findings)

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Return the findings of severity "error"."""
        return tuple(f for f in self.findings if f.severity == "error")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (the appendix's USENIX/SC parts under "appendix")."""
        appendix = self.appendix.to_dict() if self.appendix is not None else {}
        for key in ("sections", "items", "dois"):
            appendix.pop(key, None)
        return {
            "filename": self.filename, "ok": self.ok, "family": self.family,
            "detection": self.detection, "encoding": self.encoding,
            "syntax": self.syntax, "version": self.version, "profile": self.profile,
            "badges": list(self.badges),
            "counts": {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES},
            "findings": [asdict(f) for f in self.findings],
            "sections": [asdict(s) for s in self.sections],
            "items": [asdict(i) for i in self.items],
            "claims": [c.to_dict() for c in self.claims],
            "dois": [asdict(d) for d in self.dois],
            "appendix": appendix,
        }


def lint(
    text: str | bytes,
    *,
    profile: LintProfile | None = None,
    badges: Sequence[str] = (),
    filename: str = "appendix",
    artifact: Path | None = None,
    max_bytes: int | None = MAX_APPENDIX_BYTES,
) -> LintReport:
    """Parse an appendix and check it against a profile, the requested badges and the artifact.

    `artifact` is the artifact's directory (the snapshot tree at intake): when given, scripts,
    linked files and claim programs the appendix names are looked up in it. Raises
    AppendixError (AppendixTooLarge over `max_bytes`) when the input cannot be an appendix.
    """
    decoded = read_appendix(text, filename, max_bytes=max_bytes)
    text = decoded.text
    profile = profile or LintProfile()
    suffix = PurePath(filename).suffix.lower()
    hint = {".tex": "latex", ".md": "markdown", ".markdown": "markdown"}.get(suffix)
    appendix, outline = read(text, syntax=hint)
    findings: list[Finding] = []
    if decoded.note:
        findings.append(Finding("info", "encoding", decoded.note,
                                "save the appendix as UTF-8", 1))
    requested: list[str] = []
    for badge in badges:
        key = normalize_badge(badge)
        if key is None:
            findings.append(Finding(
                "warning", "unknown-badge", f"requested badge {badge!r} is not known",
                f"use one of {', '.join(BADGES)}"))
        elif key not in requested:
            requested.append(key)
    claims: tuple[Claim, ...] = ()
    try:
        claims = tuple(parse_claims(text, source=filename))
    except ClaimsError as exc:
        line = re.search(r" line (\d+)", str(exc))
        findings.append(Finding(
            "error", "claims-invalid", str(exc),
            "fix the claims block: each [[claim]] needs id, metric and expected "
            "(docs/checklist.md lists the keys)", int(line.group(1)) if line else None))
    family = REGISTRY[appendix.family]
    context = Context(appendix, profile, expand_badges(tuple(requested)), tuple(requested),
                      family.group, claims, text, family.layout,
                      tuple(prose.scan(text, outline.prepared, outline.masked, outline.syntax,
                                       _heading_titles(appendix))))
    untouched = rule_untouched(context)
    if untouched and untouched[0].code == "untouched-template":
        findings.extend(untouched)
        findings.extend(f for f in _run(context) if f.code == "merge-conflict")
    else:
        findings.extend(untouched)
        findings.extend(_run(context))
        if artifact is not None:
            findings.extend(cross_check(text, appendix.syntax, Path(artifact), claims))
    kept = [f for f in _dedupe(findings) if f.code not in profile.ignore]
    kept.sort(key=lambda f: (SEVERITIES.index(f.severity), f.line or 0))
    return LintReport(
        filename=filename, family=appendix.family, syntax=appendix.syntax,
        version=appendix.version, sections=appendix.sections, items=appendix.items,
        findings=tuple(kept), claims=claims, dois=appendix.dois, badges=tuple(requested),
        profile=profile.name, appendix=appendix, detection=appendix.detection,
        encoding=decoded.encoding,
    )


def _heading_titles(appendix: Appendix) -> list[str]:
    """Return each heading's title with and without its numbering (anchor candidates)."""
    titles = []
    for section in appendix.sections:
        titles.append(section.title)
        if section.number:
            titles.append(f"{section.number} {section.title}")
    return titles


def _run(context: Context) -> list[Finding]:
    findings: list[Finding] = []
    for rule in RULES:
        if rule is not rule_untouched:
            findings.extend(rule(context))
    return findings


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """Drop findings that repeat another one's point.

    A prose finding on a line that a structural finding already covers goes (an "Archived: TODO"
    item is "no DOI"), "no major claims" goes when the claims section is reported missing or
    empty, and one line keeps one prose finding of each kind.
    """
    structural_lines = {f.line for f in findings if f.code not in PROSE_CODES and f.line}
    claims_reported = any(f.code in ("missing-section", "empty-section") and f.where == "major_claims"
                          for f in findings)
    kept: list[Finding] = []
    prose_seen: set[int] = set()
    for finding in findings:
        if finding.code in PROSE_CODES and finding.line is not None:
            if finding.line in structural_lines and finding.code != "merge-conflict":
                continue
            if finding.line in prose_seen and finding.code != "merge-conflict":
                continue
            prose_seen.add(finding.line)
        if finding.code == "no-major-claims" and claims_reported:
            continue
        kept.append(finding)
    return kept
