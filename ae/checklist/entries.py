"""Numbered entries such as "(C1): ...", "Experiment (E2): ...", "$A_1$ ..." in a stretch of text.

USENIX claims and experiments and SC contributions and artifacts are all written as a letter and a
number at the start of a line, item or heading, in many spellings: `(C1):`, `C1.`, `**C1**`,
`\\item[$C_1$]`, `Experiment (E1):`, `#### E1 -`. This module finds them and the text that follows,
up to the next entry of the same letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import ModuleType

_LEAD_RE = re.compile(r"^\s*(?:#{1,6}\s*|(?:[-*+•]|\d{1,3}[.)])\s+)?")
_MD_BOLD_RE = re.compile(r"^(\s*(?:#{1,6}\s*|(?:[-*+]|\d{1,3}[.)])\s+)?)(\*\*|__)(.+?)\2")
_BRACKET_RE = re.compile(r"^\[([^\[\]]{1,40})\]\s*")
_TIME_RE = re.compile(
    r"(\d+(?:\.\d+)?)\s*[-\s]?\s*(?:(human|person|compute|machine|cpu|gpu)[\s-]*)?"
    r"(minutes?|mins?|hours?|hrs?|h|days?|seconds?|secs?)(?![A-Za-z])"
    r"(?:\s*(?:of\s+)?(human|person|compute|machine)(?:[\s-]*time)?)?",
    re.IGNORECASE,
)
_UNIT_MINUTES = {"s": 1 / 60, "m": 1.0, "h": 60.0, "d": 1440.0}


@dataclass(frozen=True)
class Entry:
    """One numbered entry: its id ("C1"), first-line text, whole text, raw text, line."""

    id: str
    head: str
    text: str
    raw: str
    line: int


def entry_pattern(letter: str, words: str = "") -> re.Pattern[str]:
    """Return a regex for entries of `letter`, optionally preceded by one of `words`."""
    prefix = rf"(?:(?:{words})\s*)?" if words else ""
    number = r"\{?\s*(\d{1,3})\s*\}?"
    return re.compile(
        rf"^{prefix}(?:[\[(]\s*{letter}\s*_?\s*{number}\s*[\])]\s*[:.\-–—]?"
        rf"|{letter}\s*_\s*{number}\s*[:.)\-–—]?"
        rf"|{letter}{number}\s*[:.)\-–—])\s*(.*)$",
        re.IGNORECASE if words else 0,
    )


def find_entries(
    syntax: ModuleType, text: str, first_line: int, pattern: re.Pattern[str], letter: str
) -> list[Entry]:
    """Return the entries matching `pattern` in `text`, each running to the next one."""
    lines = text.split("\n")
    starts: list[tuple[int, str, str]] = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        head = _normalise(syntax, line)
        match = pattern.match(head)
        if match:
            number = next(g for g in match.groups()[:-1] if g is not None)
            starts.append((i, f"{letter}{int(number)}", match.group(match.lastindex or 0)))
    entries = []
    for n, (i, entry_id, head) in enumerate(starts):
        stop = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        raw = "\n".join(lines[i:stop])
        entries.append(Entry(id=entry_id, head=head.strip(), text=syntax.clean(raw), raw=raw,
                             line=first_line + i))
    return entries


def _normalise(syntax: ModuleType, line: str) -> str:
    line = re.sub(r"^\s*\\item(?![A-Za-z])\s*", "", line)
    line = _MD_BOLD_RE.sub(lambda m: f"{m.group(1)}{m.group(3)}:", line)
    text = syntax.clean(line)
    text = _LEAD_RE.sub("", text)
    text = _BRACKET_RE.sub(lambda m: m.group(1).strip() + ": ", text)
    return re.sub(r"::+", ":", text)


def references(text: str, letter: str) -> tuple[str, ...]:
    """Return the distinct ids of `letter` (E1, C2, ...) mentioned in a text, in order."""
    found: list[str] = []
    pattern = rf"(?<![A-Za-z0-9]){letter}\s*_?\s*\{{?(\d{{1,3}})\}}?(?![A-Za-z0-9])"
    for match in re.finditer(pattern, text):
        ref = f"{letter}{int(match.group(1))}"
        if ref not in found:
            found.append(ref)
    return tuple(found)


def minutes(text: str) -> tuple[float | None, float | None]:
    """Return (human, compute) minutes in a time estimate; an unqualified amount is compute."""
    human: float | None = None
    compute: float | None = None
    for match in _TIME_RE.finditer(text):
        amount = float(match.group(1)) * _UNIT_MINUTES[match.group(3)[0].lower()]
        kind = (match.group(2) or match.group(4) or "compute").lower()
        if kind in ("human", "person"):
            human = (human or 0.0) + amount
        else:
            compute = (compute or 0.0) + amount
    return human, compute
