"""Markdown appendices: headings (ATX, setext, bold lines), list items, tables and cleaning.

Fenced code and HTML comments are blanked before structure is searched for, so a `# comment` in a
shell block is never a heading; values are read from the unblanked text so `<!-- hints -->` can be
recognised as hints. Every function is total on any string and linear in its length: candidate
lines are found by one regular-expression scan, and no pattern backtracks over a whole line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from ae.checklist.labels import section_key, split_numbering, strip_markers
from ae.checklist.patterns import lazy
from ae.checklist.syntax import (
    MAX_CANDIDATES,
    MAX_HEADINGS,
    MAX_ITEMS,
    LineCounter,
    RawHeading,
    RawItem,
    blank,
)

name = "markdown"

_COMMENT_RE = lazy(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_ATX_RE = lazy(r"^ {0,3}(#{1,6})(?:[ \t]([^\n]*))?$", re.MULTILINE)
# One scan finds every line that may be a heading: ATX, a setext underline, a bold/italic line.
_CANDIDATE_RE = lazy(
    r"^(?:(?P<atx> {0,3}#{1,6}(?:[ \t][^\n]*)?)|(?P<setext> {0,3}+(?:=++|-++)[ \t]*+)"
    r"|(?P<pseudo>[ \t]*+(?:\*\*|__|\*(?![ \t])|_)[^\n]*))$", re.MULTILINE)
_BULLET_RE = lazy(r"^( *)(?:[-*+]|\d{1,3}[.)])[ \t]+(.*)$")
_BULLET_LINE_RE = lazy(r"^( *+)(?:[-*+]|\d{1,3}[.)])[ \t]++([^\n]*)$", re.MULTILINE)
_BOLD_LINE_RE = lazy(r"^[ \t]*(\*\*|__)(.+?)\1[ \t]*:?[ \t]*$")
_ITALIC_LINE_RE = lazy(r"^[ \t]*([*_])(?![*_\s])(.+?)(?<![*_\s])\1[ \t]*:?[ \t]*$")
_BOLD_START_RE = lazy(r"^[ \t]*(\*\*|__)(.+?)\1(.*)$")
_TABLE_RE = lazy(r"^[ \t]*\|?([^|]+)\|([^|]*)(?:\|.*)?$")
_TABLE_SEP_RE = lazy(r"^[ \t|:\-]+$")
_LINK_RE = lazy(r"\[([^\[\]\n]*)\]\(([^()\s]*)(?:\s+\"[^\"\n]*\")?\)")
_AUTOLINK_RE = lazy(r"<((?:https?|ftp|mailto):[^<>\s]+)>")
# The marker comes first (then a look-behind on it) so the scanner can skip to the next * or _.
_EMPH_RE = lazy(r"\*(?<![\w*]\*)(?![\s*])([^*\n]+?)(?<![\s*])\*(?![\w*])"
                      r"|_(?<![\w_]_)(?![\s_])([^_\n]+?)(?<![\s_])_(?![\w_])")
_HTML_TAG_RE = lazy(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_MARKER_RE = lazy(r"\[\s*(?:Mandatory|Optional|Obligatory)\s*\]", re.IGNORECASE)
_SPECIAL_RE = lazy(r"[<\[*_`\\>#|!]")
_ESCAPE_RE = lazy(r"\\([\\`*_{}\[\]()#+\-.!|<>])")
_QUOTE_RE = lazy(r"^[ \t]*>[ \t]?", re.MULTILINE)
_ALNUM_RE = lazy(r"[A-Za-z0-9]")
_CLAIMS_COMMENT_LINE_RE = lazy(r"^[ \t]*(?:#[^\n]*)?$")


def prepare(text: str) -> tuple[str, str]:
    """Return (prepared, masked): masked blanks fenced code and HTML comments, same length.

    In `prepared` a fenced block holding only `#` comments (the template's commented-out claims
    block) is blanked too, so it never counts as content.
    """
    masked = _COMMENT_RE.sub(_blank, text) if "<!--" in text else text
    fences = code_fences(masked)
    if not fences:
        return text, masked
    masked_parts: list[str] = []
    prepared_parts: list[str] = []
    pos = 0
    for start, end, body_start, body_end in fences:
        masked_parts.append(masked[pos:start])
        masked_parts.append(blank(masked[start:end]))
        prepared_parts.append(text[pos:start])
        body = text[body_start:body_end]
        if all(_CLAIMS_COMMENT_LINE_RE.match(line) for line in body.split("\n")):
            prepared_parts.append(blank(text[start:end]))
        else:
            prepared_parts.append(text[start:end])
        pos = end
    masked_parts.append(masked[pos:])
    prepared_parts.append(text[pos:])
    return "".join(prepared_parts), "".join(masked_parts)


_FENCE_RUN_RE = lazy(r"`{3,}|~{3,}")


def code_fences(text: str) -> list[tuple[int, int, int, int]]:
    """Return (start, end, body start, body end) of every fenced code block; unclosed runs to the end."""
    if "```" not in text and "~~~" not in text:
        return []
    return list(_code_fences(text))


@lru_cache(maxsize=4)
def _code_fences(text: str) -> tuple[tuple[int, int, int, int], ...]:
    fences: list[tuple[int, int, int, int]] = []
    opening: tuple[int, int, str] | None = None  # (line start, line end, fence)
    pos = 0
    while True:
        run = _FENCE_RUN_RE.search(text, pos)
        if run is None:
            break
        line_start = text.rfind("\n", 0, run.start()) + 1
        line_end = text.find("\n", run.end())
        line_end = len(text) if line_end < 0 else line_end
        pos = line_end + 1
        indent = run.start() - line_start
        if indent > 3 or text[line_start:run.start()].strip():
            continue
        fence, rest = run.group(0), text[run.end():line_end]
        if opening is None:
            if fence[0] == "`" and "`" in rest:
                continue  # ``` with a backtick in its info string is inline code, not a fence
            opening = (line_start, line_end, fence)
            continue
        first = opening[2]
        if fence[0] == first[0] and len(fence) >= len(first) and not rest.strip():
            body_start = min(opening[1] + 1, line_start)
            fences.append((opening[0], line_end, body_start, line_start))
            opening = None
        if pos > len(text):
            break
    if opening is not None:
        fences.append((opening[0], len(text), min(opening[1] + 1, len(text)), len(text)))
    return tuple(fences)


def headings(masked: str) -> tuple[list[RawHeading], bool]:
    """Find ATX and setext headings, and bold/italic lines that name a known section.

    Returns the headings and whether the text was read to its end (False past the bounds).
    """
    candidates: list[tuple[int, int, str]] = []  # (line start, line end, kind)
    complete = True
    for count, match in enumerate(_CANDIDATE_RE.finditer(masked)):
        if count >= MAX_CANDIDATES:
            complete = False
            break
        candidates.append((match.start(), match.end(), match.lastgroup or "pseudo"))
    lines = LineCounter(masked)
    found: list[RawHeading] = []
    taken_until = -1
    for start, end, kind in candidates:
        if start <= taken_until:
            continue
        heading = _heading(masked, start, end, kind, lines)
        if heading is None:
            continue
        found.append(heading)
        taken_until = heading.end
        if len(found) >= MAX_HEADINGS:
            complete = False
            break
    found.sort(key=lambda h: h.start)
    return found, complete


def _heading(masked: str, start: int, end: int, kind: str,
             lines: LineCounter) -> RawHeading | None:
    line = masked[start:end]
    if kind == "atx":
        match = _ATX_RE.match(line)
        if match is None:
            return None
        raw = (match.group(2) or "").rstrip(" \t")
        stripped = raw.rstrip("#")
        if stripped != raw and (not stripped or stripped[-1] in " \t"):
            raw = stripped
        number, title = split_numbering(strip_markers(clean(raw)))
        return RawHeading(level=len(match.group(1)), title=title.rstrip(":. "), number=number,
                          line=lines.at(start), start=start, end=end)
    if kind == "setext":
        underline = line.strip()
        if start == 0:
            return None
        prev_start = masked.rfind("\n", 0, start - 1) + 1
        text = masked[prev_start:start - 1]
        if not text.strip() or _BULLET_RE.match(text) or "|" in text or _ATX_RE.match(text):
            return None
        if underline.startswith("-") and len(underline) < 2:
            return None
        if prev_start > 0:
            before_start = masked.rfind("\n", 0, prev_start - 1) + 1
            before = masked[before_start:prev_start - 1]
            if before.strip() and not _ATX_RE.match(before):
                return None
        number, title = split_numbering(strip_markers(clean(text)))
        return RawHeading(level=1 if underline[0] == "=" else 2, title=title.rstrip(":. "),
                          number=number, line=lines.at(prev_start), start=prev_start, end=end)
    pseudo = _BOLD_LINE_RE.match(line) or _ITALIC_LINE_RE.match(line)
    if not pseudo:
        return None
    inner = clean(pseudo.group(2))
    if inner.endswith(("?", ":")) or line.rstrip().endswith(":"):
        return None
    number, title = split_numbering(strip_markers(inner.rstrip(". ")))
    if section_key(title) is None:
        return None
    level = number.count(".") + 2 if number else 3
    return RawHeading(level=level, title=title, number=number, line=lines.at(start),
                      start=start, end=end)


def items(masked: str, start: int, end: int) -> tuple[list[RawItem], bool]:
    """Return top-level bullets, bold-label lines and two-column table rows between two offsets."""
    region = masked[start:end]
    first_line = masked.count("\n", 0, start) + 1
    lines = region.split("\n")
    complete = True
    bullets: list[tuple[int, int, str]] = []  # (line index, indent, content)
    counter = LineCounter(region, 0)
    limit = len(lines)  # past the bounds nothing is read
    for match in _BULLET_LINE_RE.finditer(region):
        if len(bullets) >= MAX_ITEMS:
            complete = False
            limit = counter.at(match.start())
            break
        bullets.append((counter.at(match.start()), len(match.group(1)), match.group(2)))
    top = min((indent for _, indent, _ in bullets), default=0)
    next_text = _next_nonblank(lines[:limit])
    found: list[tuple[int, str | None, str]] = []
    claimed = bytearray(len(lines))
    for n, (i, indent, content) in enumerate(bullets):
        if indent > top + 1:
            continue
        stop = limit
        for j, other_indent, _ in _following(bullets, n):
            if other_indent <= indent:
                stop = j
                break
        body = [content]
        j = i + 1
        while j < stop:
            text = lines[j]
            if _ATX_RE.match(text) or (len(text) - len(text.lstrip()) <= indent
                                       and _is_label_line(text)):
                stop = j
                break
            if not text.strip():
                follow = next_text[j]
                if follow >= stop or len(lines[follow]) - len(lines[follow].lstrip()) <= indent:
                    stop = j
                    break
            body.append(text)
            j += 1
        claimed[i:stop] = b"\x01" * (stop - i)
        head, tail = _parts("\n".join(body))
        found.append((i, head, tail))
    for i, line in enumerate(lines[:limit]):
        if len(found) >= MAX_ITEMS:
            complete = False
            break
        if claimed[i] or not line.strip():
            continue
        if "*" not in line and "_" not in line and "|" not in line:
            continue
        bold = _BOLD_START_RE.match(line)
        if bold and (bold.group(3).strip() or bold.group(2).rstrip().endswith((":", "?"))
                     or ":" in bold.group(2)):
            head, tail = _parts(line.strip())
            found.append((i, head, tail))
            continue
        table = _TABLE_RE.match(line)
        header = i + 1 < len(lines) and "|" in lines[i + 1] and _TABLE_SEP_RE.match(lines[i + 1])
        if table and "|" in line and not header and not _TABLE_SEP_RE.match(line):
            label, value = table.group(1).strip(), table.group(2).strip()
            if label and not _TABLE_SEP_RE.match(label):
                found.append((i, label, value))
    found.sort(key=lambda entry: entry[0])
    return [RawItem(head=head, tail=tail, line=first_line + i) for i, head, tail in found], complete


def _following(bullets: list[tuple[int, int, str]], n: int) -> Iterator[tuple[int, int, str]]:
    for k in range(n + 1, len(bullets)):
        yield bullets[k]


def _next_nonblank(lines: list[str]) -> list[int]:
    """Return, for each line, the index of the next non-blank line after it (len when none)."""
    result = [len(lines)] * len(lines)
    following = len(lines)
    for k in range(len(lines) - 1, -1, -1):
        result[k] = following
        if lines[k].strip():
            following = k
    return result


def _is_label_line(line: str) -> bool:
    bold = _BOLD_START_RE.match(line)
    return bool(bold and (":" in bold.group(2) or bold.group(2).rstrip().endswith("?")
                          or bold.group(3).lstrip().startswith(":")))


def _parts(content: str) -> tuple[str | None, str]:
    match = re.match(r"[ \t]*(\*\*|__)(.+?)\1(.*)\Z", content, re.DOTALL)
    if match:
        return match.group(2), match.group(3)
    return None, content


def without_comments(text: str) -> str:
    """Return the text with its HTML comments (the template's hints) blanked."""
    return _COMMENT_RE.sub(_blank, text) if "<!--" in text else text


def clean(text: str) -> str:
    """Turn a Markdown fragment into one line of plain text."""
    if not _SPECIAL_RE.search(text):
        return " ".join(text.split())
    if "<!--" in text:
        text = _COMMENT_RE.sub(" ", text)
    if "](" in text:
        text = _LINK_RE.sub(lambda m: m.group(1) if m.group(1) == m.group(2) or not m.group(2)
                            else f"{m.group(1)} ({m.group(2)})", text)
    if "<" in text:
        text = _AUTOLINK_RE.sub(r"\1", text)
        text = _HTML_TAG_RE.sub(" ", text)
    text = text.replace("**", "").replace("__", "").replace("`", "")
    if "*" in text or "_" in text:
        text = _EMPH_RE.sub(lambda m: m.group(1) or m.group(2), text)
    if "\\" in text:
        text = _ESCAPE_RE.sub(r"\1", text)
    if ">" in text:
        text = _QUOTE_RE.sub("", text)
    return " ".join(text.split())


def emphasis_only(raw: str) -> bool:
    """Return True when a fragment has text and all of it is italic, or only HTML comments."""
    if "*" not in raw and "_" not in raw and "<!--" not in raw:
        return False
    if not _COMMENT_RE.sub("", raw).strip() and "<!--" in raw:
        return True
    if not clean(raw):
        return False
    text = _COMMENT_RE.sub(" ", raw)
    text = _MARKER_RE.sub(" ", text)
    text = text.replace("***", "*").replace("**", "")
    text = _EMPH_RE.sub(" ", text)
    return not _ALNUM_RE.search(text)


def hint_left(raw: str) -> bool:
    """Return True when a template marker such as "[Mandatory]" is still there."""
    return bool(_MARKER_RE.search(raw))


def _blank(match: re.Match[str]) -> str:
    return blank(match.group(0))
