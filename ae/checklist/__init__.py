"""Artifact Appendix parsing, the reproducibility check-list and claims (no Flask, no DB).

`parse_appendix(text)` reads any appendix (cTuning LaTeX 2015-2024 or Markdown, USENIX/EuroSys,
SC AD/AE, free text) into an `Appendix`; `lint(text, profile=..., badges=...)` checks it against a
conference profile; `parse_claims(text)` reads the ```claims block.
"""

from __future__ import annotations

from ae.checklist.claims import Claim, find_claims_block, parse_claims, parse_claims_toml
from ae.checklist.families import REGISTRY, detect, get, parse_appendix
from ae.checklist.lint import Finding, LintReport, lint
from ae.checklist.model import Appendix, Item, Section
from ae.checklist.profile import PROFILES, LintProfile, profile_from_mapping

__all__ = [
    "PROFILES", "REGISTRY", "Appendix", "Claim", "Finding", "Item", "LintProfile", "LintReport",
    "Section", "detect", "find_claims_block", "get", "lint", "parse_appendix", "parse_claims",
    "parse_claims_toml", "profile_from_mapping",
]
