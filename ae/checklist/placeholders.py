"""Placeholders: values that look filled in but are not ("TODO", "to be assigned", template hints).

Rule: a check-list value or a section counts as empty when, once markup is gone, it is blank, only
punctuation, carries a TODO/TBD/FIXME marker, is a run of X's standing for a commit or DOI, promises
the answer later ("Provided after evaluation", "To be assigned"), is a bare fill-in such as
"<your DOI>" or "[Name]", or is a question copied from the template's hint ("Are you presenting a new
algorithm?"). "N/A", "None" and "No" are answers, not placeholders.
"""

from __future__ import annotations

import re

from ae.checklist.patterns import lazy

_MARKER_RE = lazy(r"(?<![A-Za-z])(?:TODO|TBD|TBA|TBC|FIXME|XXX)(?![A-Za-z])", re.IGNORECASE)
_XRUN_RE = lazy(r"X{4,}|#X{3,}|\bx{5,}\b")
_LATER_RE = lazy(
    r"^(?:to\s+be|will\s+be|is\s+to\s+be)\s+(?:assigned|provided|added|determined|filled|updated|"
    r"announced|decided|completed|given)\b"
    r"|\b(?:provided|assigned|added|given|filled\s+in)\s+(?:after|upon|at\s+the\s+end\s+of)"
    r"\s+(?:the\s+)?(?:artifact\s+)?(?:evaluation|ae|acceptance|review|camera[- ]ready)\b"
    r"|^(?:coming\s+soon|pending|later|not\s+yet\s+(?:assigned|available|decided))\b",
    re.IGNORECASE,
)
_FILL_IN_RE = lazy(r"^(?:<[^<>]*>|\[[^\[\]]*\]|\.\.\.|…)(?:\s*(?:<[^<>]*>|\[[^\[\]]*\]))*$")
_QUESTION_RE = lazy(
    r"^(?:are|is|do|does|did|will|would|which|what|how|where|who|should|can|could|have|has)\b.*\?$",
    re.IGNORECASE | re.DOTALL,
)
_LOREM_RE = lazy(r"\blorem ipsum\b", re.IGNORECASE)
# Template guidance is written as instructions: "Obligatory. Describe how ...", "Specify ...".
_INSTRUCTION_RE = lazy(
    r"^(?:\[?\s*(?:obligatory|mandatory|optional|recommended)\s*\]?[.:!]?\s*)?(?:please\s+)?"
    r"(?:provide|describe|specify|mention|indicate|explain|enumerate|state|briefly\s+describe|"
    r"summari[sz]e|list\s+(?:all|the|any|here)|write\s+(?:here|down))\b",
    re.IGNORECASE,
)
# Sentences only a template says: instructions to the author, examples announced, "your paper".
_TEMPLATE_SENTENCE_RE = lazy(
    r"^(?:\W*\d{1,2}[.)]\s+|[-*•]\s+)?(?:[a-z]+,\s+)?(?:please\s+)?"
    r"(?:replace (?:this|the following)\b|provide|describe|specify|mention|indicate|explain|"
    r"enumerate|summari[sz]e|list\s+(?:all|each|the|any|here|down)|write\s+(?:here|down)|"
    r"include the|refer to|simply write|this section (?:should|is meant|must|shall|includes?|"
    r"might not)|the section is optional|this section is optional|follows an (?:example|exemplary)|"
    r"see (?:the )?example|we\b[^.]{0,20}\b(?:encourage|ask|recommend) you|remove this)\b"
    r"|\byour (?:artifacts?|paper|results|experiments?|submission|figures)\b"
    r"|\[optional name\]|provide a short explanation|\[ibid\]",
    re.IGNORECASE,
)
_EXAMPLE_FOLLOWS_RE = lazy(r"\bfollows an (?:example|exemplary)\b|\bsee (?:the )?example below\b",
                                 re.IGNORECASE)
_SENTENCE_SPLIT_RE = lazy(r"(?<=[.!?:])\s+")
TEMPLATE_RESIDUE_WORDS = 8
TEMPLATE_OPENING_RESIDUE_WORDS = 60
TEMPLATE_REPLACE_RESIDUE_WORDS = 150
_REPLACE_OPENING_RE = lazy(r"\W*replace (?:this|the following)\b[^.:]{0,80}\b(?:with|by)\b",
                                 re.IGNORECASE)


_TEMPLATE_WORDS = ("replace", "provide", "describe", "specify", "mention", "indicate", "explain",
                   "enumerate", "summari", "list", "write", "include", "refer", "section",
                   "example", "exemplary", "encourage", "recommend", "remove", "your", "optional",
                   "ibid")


def maybe_template(text: str) -> bool:
    """Return True when a text holds a word template instructions are made of (a cheap test)."""
    lowered = text.lower()
    return any(word in lowered for word in _TEMPLATE_WORDS)


def template_residue(text: str) -> tuple[bool, int]:
    """Return (opens with a template instruction, words left once template sentences are gone).

    The word count is -1 when no sentence is the template's.

    A template's section text tells the author what to write ("Replace this with ...",
    "Describe here ...", "the major claims made by your paper"), and its examples follow an
    announcement ("Follows an example:"); what remains is the author's own text.
    """
    cut = _EXAMPLE_FOLLOWS_RE.search(text)
    if cut:
        text = text[:cut.end()]
    opening = False
    words = 0
    template = 0
    for sentence in _SENTENCE_SPLIT_RE.split(text.strip()):
        if not sentence:
            continue
        if _TEMPLATE_SENTENCE_RE.search(sentence):
            template += 1
            if words == 0:
                opening = True
            continue
        words += len(sentence.split())
    return opening, words if template else -1


def is_template_text(text: str) -> bool:
    """Return True when a section's prose is the template's own instructions and examples."""
    opening, words = template_residue(text)
    if words < 0:
        return False  # no template sentence at all: the author's text, however short
    if _REPLACE_OPENING_RE.match(text.strip()):
        return words < TEMPLATE_REPLACE_RESIDUE_WORDS  # "Replace this with ...": all of it is hint
    return words < TEMPLATE_RESIDUE_WORDS or (opening and words < TEMPLATE_OPENING_RESIDUE_WORDS)


_MARKER_OPENING_RE = lazy(r"^\[?\s*(?:obligatory|mandatory|optional)\s*\]?[.:!]",
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
_HAS_WORD_RE = lazy(r"[A-Za-z0-9]")


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


_LINK_WORD_RE = lazy(r"[(\[<]\s*(?:link|url|doi|here)\s*[)\]>]", re.IGNORECASE)
_SUBSTANCE_RE = lazy(r"[A-Za-z0-9]{2,}|\b[A-Za-z0-9]\b")


def substantive(value: str) -> bool:
    """Return True when a value says something once TODO markers and "(link)" stubs are gone."""
    if _XRUN_RE.search(value):
        return False  # "commit #XXXXXXX (todo)": the value itself is still missing
    rest = _LINK_WORD_RE.sub(" ", _MARKER_RE.sub(" ", value))
    return bool(_SUBSTANCE_RE.search(rest))


def is_placeholder(value: str) -> bool:
    """Return True when a cleaned value counts as empty."""
    return placeholder_reason(value) is not None
