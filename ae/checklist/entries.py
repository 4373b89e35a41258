"""Numbered entries such as "(C1): ...", "Experiment (E2): ...", "$A_1$ ..." in a stretch of text.

USENIX/NDSS claims and experiments, PETS main results and experiments and SC contributions and
artifacts are all written as a letter (or a word) and a number at the start of a line, item or
heading, in many spellings: `(C1):`, `C1.`, `**C1**`, `\\item[$C_1$]`, `Experiment (E1):`,
`#### E1 -`, `### Experiment 1: Name`, `#### Main Result 2: Name`, and NDSS-style headings that end
with the id (`#### Futex hash table experiment (E2)`). An entry runs to the next entry of the same
letter.

Rule: an id is *declared* when it opens a heading, a list item or a line with a separator after it
("(E2):", "Experiment 2:"); a bare "(E2) ..." at the start of a wrapped line of running text only
*mentions* it. A mention never replaces the declaration, and is used only when nothing declares
that id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import ModuleType

from ae.checklist.patterns import lazy
from ae.checklist.syntax import MAX_ENTRIES, LineCounter

_LEAD_RE = lazy(r"^\s*(?:#{1,6}\s*|(?:[-*+•]|\d{1,3}[.)])\s+)?")
_MD_BOLD_RE = lazy(r"^(\s*(?:#{1,6}\s*|(?:[-*+]|\d{1,3}[.)])\s+)?)(\*\*|__)(.+?)\2")
_BRACKET_RE = lazy(r"^\[([^\[\]]{1,40})\]\s*")
_STRUCTURE_RE = lazy(
    r"^\s*(?:#{1,6}\s|[-*+•]\s|\d{1,3}[.)]\s|\\item\b|\\(?:sub)*section\*?\s*\{|\\paragraph|"
    r"\\textbf\s*\{|\{\\bf\b|\*\*|__)"
)
_HEADING_LINE_RE = lazy(r"^\s*(?:#{1,6}\s|\\(?:sub)*section\*?\s*\{|\\paragraph|\*\*|__)")
_TIME_RE = lazy(
    r"(\d+(?:\.\d+)?)\s*[-\s]?\s*(?:(human|person|compute|machine|cpu|gpu)[\s-]*)?"
    r"(minutes?|mins?|hours?|hrs?|h|days?|seconds?|secs?)(?![A-Za-z])"
    r"(?:\s*(?:of\s+)?(human|person|compute|machine)(?:[\s-]*time)?)?",
    re.IGNORECASE,
)
_UNIT_MINUTES = {"s": 1 / 60, "m": 1.0, "h": 60.0, "d": 1440.0}
# Words that name an entry of a letter when followed by a plain number ("Experiment 2:").
ENTRY_WORDS = {
    "E": r"experiment|exp\.?",
    "C": r"main\s+result|result|major\s+claim|claim",
}


@dataclass(frozen=True)
class Entry:
    """One numbered entry: its id ("C1"), first-line text, whole text, raw text, line."""

    id: str
    head: str
    text: str
    raw: str
    line: int
    declared: bool = True


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


def _word_pattern(letter: str) -> re.Pattern[str] | None:
    words = ENTRY_WORDS.get(letter)
    if words is None:
        return None
    return re.compile(rf"^(?:{words})\s*#?\s*(\d{{1,3}})\s*[:.)\-–—]\s*(.*)$", re.IGNORECASE)


def _tail_pattern(letter: str) -> re.Pattern[str]:
    return re.compile(rf"^(.*\S)\s*\(\s*{letter}\s*_?\s*\{{?\s*(\d{{1,3}})\s*\}}?\s*\)\s*:?\s*$")


def find_entries(
    syntax: ModuleType, text: str, first_line: int, pattern: re.Pattern[str], letter: str
) -> list[Entry]:
    """Return the entries of `letter` in `text`, each running to the next one (declared first)."""
    candidate = re.compile(
        rf"^[^\n]{{0,120}}?(?:{letter}\s*_?\s*\{{?\s*\d"
        + (rf"|(?i:{ENTRY_WORDS[letter]})\s*#?\s*\d" if letter in ENTRY_WORDS else "") + ")",
        re.MULTILINE,
    )
    words = _word_pattern(letter)
    tail = _tail_pattern(letter)
    counter = LineCounter(text, 0)
    starts: list[tuple[int, int, int, str, str, bool]] = []  # (line, start, end, id, head, declared)
    for match in candidate.finditer(text):
        if len(starts) >= MAX_ENTRIES:
            break
        start = match.start()
        stop = text.find("\n", start)
        stop = len(text) if stop < 0 else stop
        line = text[start:stop]
        found = _match_line(syntax, line, pattern, words, tail)
        if found is not None:
            number, head, declared = found
            starts.append((counter.at(start), start, stop, f"{letter}{int(number)}", head,
                           declared))
    declared_ids = {s[3] for s in starts if s[5]}
    kept = [s for s in starts if s[5] or s[3] not in declared_ids]
    entries = []
    for n, (line_no, start, _, entry_id, head, declared) in enumerate(kept):
        end = kept[n + 1][1] if n + 1 < len(kept) else len(text)
        raw = text[start:end].rstrip("\n")
        entries.append(Entry(id=entry_id, head=head.strip(), text=syntax.clean(raw), raw=raw,
                             line=first_line + line_no, declared=declared))
    return entries


def _match_line(syntax: ModuleType, line: str, pattern: re.Pattern[str],
                words: re.Pattern[str] | None,
                tail: re.Pattern[str]) -> tuple[str, str, bool] | None:
    """Return (number, head, declared) when a line opens an entry."""
    structured = bool(_STRUCTURE_RE.match(line))
    head = _normalise(syntax, line)
    match = pattern.match(head)
    if match:
        number = next(g for g in match.groups()[:-1] if g is not None)
        separated = bool(re.match(r"^[^:.\-–—)]*?\d\s*\}?\s*[\])]?\s*[:.\-–—]", head))
        return number, match.group(match.lastindex or 0), structured or separated \
            or bool(re.match(r"^[A-Za-z]", head) and not head.startswith(("(", "[")))
    if words is not None:
        match = words.match(head)
        if match:
            return match.group(1), match.group(2), True
    if _HEADING_LINE_RE.match(line):
        match = tail.match(head)
        if match:
            return match.group(2), match.group(1), True
    return None


def _normalise(syntax: ModuleType, line: str) -> str:
    line = re.sub(r"^\s*\\item(?![A-Za-z])\s*", "", line)
    line = _MD_BOLD_RE.sub(lambda m: f"{m.group(1)}{m.group(3)}:", line)
    text = syntax.clean(line)
    text = _LEAD_RE.sub("", text)
    text = _BRACKET_RE.sub(lambda m: m.group(1).strip() + ": ", text)
    return re.sub(r"::+", ":", text)


def numbered_items(text: str, first_line: int, letter: str) -> list[Entry]:
    """Read a top-level numbered list ("1. ...", "2) ...") as entries C1, C2, ... of `letter`."""
    found = []
    for match in re.finditer(r"^(\d{1,3})[.)][ \t]+(\S[^\n]*)$", text, re.MULTILINE):
        found.append(match)
        if len(found) > MAX_ENTRIES:
            break
    counter = LineCounter(text, 0)
    entries = []
    for n, match in enumerate(found[:MAX_ENTRIES]):
        end = found[n + 1].start() if n + 1 < len(found) else len(text)
        raw = text[match.start():end].rstrip("\n")
        body = " ".join(raw.split())
        entries.append(Entry(id=f"{letter}{int(match.group(1))}", head=match.group(2), text=body,
                             raw=raw, line=first_line + counter.at(match.start())))
    return entries


def references(text: str, letter: str) -> tuple[str, ...]:
    """Return the distinct ids of `letter` (E1, C2, ...) mentioned in a text, in order.

    "Experiment 2" and "Main Result 3" count as E2 and C3; "(E1-5)" and "E1-E5" stand for the
    whole range.
    """
    found: list[str] = []
    pattern = (rf"(?<![A-Za-z0-9]){letter}\s*_?\s*\{{?(\d{{1,3}})\}}?"
               rf"(?:\s*[-–]\s*(?:{letter}\s*_?\s*)?(\d{{1,3}}))?(?![A-Za-z0-9])")
    if letter in ENTRY_WORDS:
        pattern += rf"|\b(?i:{ENTRY_WORDS[letter]})\s+#?(\d{{1,3}})\b"
    for match in re.finditer(pattern, text):
        first = match.group(1) or match.group(3)
        last = match.group(2) if match.group(1) else None
        low = int(first)
        high = int(last) if last and low < int(last) <= low + 50 else low
        for number in range(low, high + 1):
            ref = f"{letter}{number}"
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
