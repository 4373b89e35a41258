"""Placeholders: values that look filled in but are not ("TODO", "to be assigned", template hints).

Rule: a check-list value or a section counts as empty when, once markup is gone, it is blank, only
punctuation, carries a TODO/TBD/FIXME marker, is a run of X's standing for a commit or DOI, promises
the answer later ("Provided after evaluation", "To be assigned"), is a bare fill-in such as
"<your DOI>" or "[Name]", or is a question copied from the template's hint ("Are you presenting a new
algorithm?"). "N/A", "None" and "No" are answers, not placeholders.
"""

from __future__ import annotations

import re

_MARKER_RE = re.compile(r"(?<![A-Za-z])(?:TODO|TBD|TBA|TBC|FIXME|XXX)(?![A-Za-z])", re.IGNORECASE)
_XRUN_RE = re.compile(r"X{4,}|#X{3,}|\bx{5,}\b")
_LATER_RE = re.compile(
    r"^(?:to\s+be|will\s+be|is\s+to\s+be)\s+(?:assigned|provided|added|determined|filled|updated|"
    r"announced|decided|completed|given)\b"
    r"|\b(?:provided|assigned|added|given|filled\s+in)\s+(?:after|upon|at\s+the\s+end\s+of)"
    r"\s+(?:the\s+)?(?:artifact\s+)?(?:evaluation|ae|acceptance|review|camera[- ]ready)\b"
    r"|^(?:coming\s+soon|pending|later|not\s+yet\s+(?:assigned|available|decided))\b",
    re.IGNORECASE,
)
_FILL_IN_RE = re.compile(r"^(?:<[^<>]*>|\[[^\[\]]*\]|\.\.\.|…)(?:\s*(?:<[^<>]*>|\[[^\[\]]*\]))*$")
_QUESTION_RE = re.compile(
    r"^(?:are|is|do|does|did|will|would|which|what|how|where|who|should|can|could|have|has)\b.*\?$",
    re.IGNORECASE | re.DOTALL,
)
_LOREM_RE = re.compile(r"\blorem ipsum\b", re.IGNORECASE)
# Template guidance is written as instructions: "Obligatory. Describe how ...", "Specify ...".
_INSTRUCTION_RE = re.compile(
    r"^(?:\[?\s*(?:obligatory|mandatory|optional|recommended)\s*\]?[.:!]?\s*)?(?:please\s+)?"
    r"(?:provide|describe|specify|mention|indicate|explain|enumerate|state|briefly\s+describe|"
    r"summari[sz]e|list\s+(?:all|the|any|here)|write\s+(?:here|down))\b",
    re.IGNORECASE,
)
_MARKER_OPENING_RE = re.compile(r"^\[?\s*(?:obligatory|mandatory|optional)\s*\]?[.:!]",
                                re.IGNORECASE)
INSTRUCTION_WORDS = 60


def instruction_reason(value: str) -> str | None:
    """Return "template hint" when a text reads as the template's instruction, else None."""
    text = value.strip()
    match = _INSTRUCTION_RE.match(text)
    if not match:
        return None
    if _MARKER_OPENING_RE.match(text) or len(text.split()) <= INSTRUCTION_WORDS:
        return "template hint"
    return None
_HAS_WORD_RE = re.compile(r"[A-Za-z0-9]")


def placeholder_reason(value: str) -> str | None:
    """Return why a cleaned value counts as empty ("empty", "TODO marker", ...), or None if filled."""
    text = value.strip()
    if not text or not _HAS_WORD_RE.search(text):
        return "empty"
    if _MARKER_RE.search(text):
        return "TODO marker"
    if _XRUN_RE.search(text):
        return "XXXX placeholder"
    if _LATER_RE.search(text):
        return "promised for later"
    if _FILL_IN_RE.match(text):
        return "fill-in placeholder"
    if _QUESTION_RE.match(text):
        return "template question"
    if _LOREM_RE.search(text):
        return "filler text"
    return instruction_reason(text)


def is_placeholder(value: str) -> bool:
    """Return True when a cleaned value counts as empty."""
    return placeholder_reason(value) is not None
