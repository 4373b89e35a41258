"""What the LaTeX and Markdown readers share: raw headings, raw list items, line arithmetic."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from ae.checklist.patterns import lazy


@dataclass(frozen=True)
class RawHeading:
    """A heading as found in the text: level, cleaned title, its numbering and where it is."""

    level: int
    title: str
    number: str | None
    line: int
    start: int
    end: int


@dataclass(frozen=True)
class RawItem:
    """A list item before label matching: the bold/bracketed head (if any) and the rest."""

    head: str | None
    tail: str
    line: int


# Bounds that keep every reader linear and fast on pathological input: past them the reader stops
# and the outline says what it left unread (a real appendix has a few dozen of each).
MAX_HEADINGS = 1000
MAX_CANDIDATES = 5000
MAX_ITEMS = 500
MAX_ENTRIES = 500


class LineCounter:
    """Turn increasing offsets into 1-based line numbers, counting newlines only once."""

    def __init__(self, text: str, first_line: int = 1) -> None:
        self.text = text
        self.offset = 0
        self.line = first_line

    def at(self, offset: int) -> int:
        """Return the line of `offset`; offsets may go back, at the cost of a recount."""
        if offset < self.offset:
            self.line -= self.text.count("\n", offset, self.offset)
        else:
            self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


def blank(text: str) -> str:
    """Return `text` with every character but newlines turned into a space (same offsets)."""
    return "\n".join(" " * len(part) for part in text.split("\n"))


def line_starts(text: str) -> list[int]:
    """Return the offset at which each line starts."""
    lengths = list(accumulate(map(len, text.split("\n")), initial=0))
    return [total + line for line, total in enumerate(lengths[:-1])]


def offset_line(starts: list[int], offset: int) -> int:
    """Return the 1-based line holding `offset`."""
    return bisect_right(starts, offset)


_LATEX_SIGNS_RE = lazy(
    r"\\(?:section|subsection|subsubsection|item|begin|end|textbf|emph|textit|url|appendix|"
    r"paragraph|newartifact|appendixAD|artin)(?![A-Za-z])|\{\\(?:bf|em|it)\b"
)
_MD_SIGNS_RE = lazy(
    r"^ {0,3}#{1,6}[ \t]|^[ \t]*[-*+][ \t]+\*\*|\*\*[^*\n]+\*\*|^ {0,3}(?:```|~~~)|\]\([^()\s]+\)",
    re.MULTILINE,
)


def detect_syntax(text: str, hint: str | None = None) -> str:
    """Return "latex" or "markdown" by counting each markup's signs; `hint` breaks ties."""
    sample = text[:20_000]
    latex = len(_LATEX_SIGNS_RE.findall(sample))
    markdown = len(_MD_SIGNS_RE.findall(sample))
    if latex > markdown:
        return "latex"
    if markdown > latex:
        return "markdown"
    return hint if hint in ("latex", "markdown") else "markdown"
