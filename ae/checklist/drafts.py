"""Draft a ```claims block from an appendix's USENIX major claims, for the author to complete.

The draft cannot know which metric proves a claim, so `metric` is left commented out: the block
fails validation, pointing at each claim, until the author fills it in. A number in the claim's
text ("2x", "35 %") is offered as `expected`, with the relation its wording suggests.
"""

from __future__ import annotations

import json
import re

from ae.checklist.model import Appendix, MajorClaim
from ae.checklist.patterns import lazy

# A measured number stands alone: not part of an id ("VGG19", "(E1)", "i9-13900K") and not the
# number of a figure, table, section or experiment ("Figure 5", "Sec. 6.2", "Experiment 2").
_NUMBER_RE = lazy(r"(?<![\w.\-/#])(\d+(?:\.\d+)?)\s*(x|×|%|times|ms|s|GB|MB)?(?![\w.\-/])")
_REFERENCE_RE = lazy(
    r"(?:fig(?:ure)?s?|tab(?:le)?s?|sec(?:tion)?s?|§|eq(?:uation)?s?|experiments?|claims?|"
    r"appendix|chapter|step|line|listing|algorithm|alg|version|v|and|&|,)\.?\s*$",
    re.IGNORECASE)
_AT_LEAST_RE = lazy(r"\b(?:at least|more than|over|above|exceeds?|no less than)\b", re.I)
_AT_MOST_RE = lazy(r"\b(?:at most|less than|below|under|no more than|within)\b", re.I)


def draft_claims(appendix: Appendix) -> str:
    """Return a ```claims block with one [[claim]] per major claim (C1), (C2), ..."""
    parts = ["```claims"]
    for claim in appendix.major_claims:
        parts.extend(_draft(claim))
    parts.append("```")
    return "\n".join(parts) + "\n"


def _measured_number(text: str) -> re.Match[str] | None:
    """Return the first number that states a result (with a unit if one has one)."""
    found = [m for m in _NUMBER_RE.finditer(text)
             if not _REFERENCE_RE.search(text[max(0, m.start() - 14):m.start()])]
    with_unit = [m for m in found if m.group(2)]
    chosen = with_unit or found
    return chosen[0] if chosen else None


def _draft(claim: MajorClaim) -> list[str]:
    text = claim.text if len(claim.text) <= 300 else claim.text[:297] + "..."
    lines = [
        "",
        "[[claim]]",
        f"id = {json.dumps(claim.id.lower())}",
        f"text = {json.dumps(text, ensure_ascii=False)}",
        "# metric = \"execution_time\"  # TODO: a characteristics key, a CK flat key or \"output\"",
    ]
    number = _measured_number(text)
    relation = "at_least" if _AT_LEAST_RE.search(text) else \
        "at_most" if _AT_MOST_RE.search(text) else "approx"
    if number:
        unit = number.group(2)
        lines.append(f"expected = {number.group(1)}  # from the claim's text: check it")
        if unit:
            lines.append(f"unit = {json.dumps('x' if unit in ('×', 'times') else unit)}")
    else:
        lines.append("# expected = 0.0  # TODO: the value the paper reports")
    lines.append(f"relation = {json.dumps(relation)}")
    if relation == "approx":
        lines.append('tolerance = "10%"  # the variation you accept')
    if claim.experiments:
        lines.append(f"# proven by {', '.join(claim.experiments)}: name its program, cmd_key, "
                     "dataset")
    return lines
