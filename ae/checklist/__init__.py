"""Artifact Appendix parsing, the reproducibility check-list and claims (no Flask, no DB).

`parse_appendix(text)` reads any appendix (cTuning LaTeX 2015-2024 or Markdown, USENIX/EuroSys,
NDSS, PETS, SC AD/AE of 2019-21 and of 2022 on, free text) into an `Appendix`;
`lint(text, profile=..., badges=..., artifact=tree)` checks it against a conference profile (and
the artifact's files when the tree is given); `parse_claims(text)` reads the ```claims block.
"""

from __future__ import annotations

from ae.checklist.claims import Claim, find_claims_block, parse_claims, parse_claims_toml
from ae.checklist.crosscheck import cross_check
from ae.checklist.decoding import MAX_APPENDIX_BYTES, read_appendix
from ae.checklist.families import REGISTRY, detect, get, parse_appendix
from ae.checklist.lint import Finding, LintReport, lint
from ae.checklist.model import Appendix, Item, Section
from ae.checklist.profile import PROFILES, LintProfile, profile_from_mapping

__all__ = [
    "MAX_APPENDIX_BYTES", "PROFILES", "REGISTRY", "Appendix", "Claim", "Finding", "Item",
    "LintProfile", "LintReport", "Section", "cross_check", "detect", "find_claims_block", "get",
    "lint", "parse_appendix", "parse_claims", "parse_claims_toml", "profile_from_mapping",
    "read_appendix",
]
