"""Markdown appendices: headings (ATX, setext, bold lines), list items, tables and cleaning.

Fenced code and HTML comments are blanked before structure is searched for, so a `# comment` in a
shell block is never a heading; values are read from the unblanked text so `<!-- hints -->` can be
recognised as hints. Every function is total on any string.
"""

from __future__ import annotations

import re

from ae.checklist.labels import section_key, split_numbering, strip_markers
from ae.checklist.syntax import RawHeading, RawItem, line_starts

name = "markdown"

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_ATX_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_BULLET_RE = re.compile(r"^( *)(?:[-*+]|\d{1,3}[.)])[ \t]+(.*)$")
_BOLD_LINE_RE = re.compile(r"^[ \t]*(\*\*|__)(.+?)\1[ \t]*:?[ \t]*$")
_ITALIC_LINE_RE = re.compile(r"^[ \t]*([*_])(?![*_\s])(.+?)(?<![*_\s])\1[ \t]*:?[ \t]*$")
_BOLD_START_RE = re.compile(r"^[ \t]*(\*\*|__)(.+?)\1(.*)$")
_TABLE_RE = re.compile(r"^[ \t]*\|?([^|]+)\|([^|]*)(?:\|.*)?$")
_TABLE_SEP_RE = re.compile(r"^[ \t|:\-]+$")
_LINK_RE = re.compile(r"!?\[([^\[\]\n]*)\]\(([^()\s]*)(?:\s+\"[^\"\n]*\")?\)")
_AUTOLINK_RE = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]+)>")
_EMPH_RE = re.compile(r"(?<![\w*])\*(?![\s*])([^*\n]+?)(?<![\s*])\*(?![\w*])"
                      r"|(?<![\w_])_(?![\s_])([^_\n]+?)(?<![\s_])_(?![\w_])")
_HTML_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_MARKER_RE = re.compile(r"\[\s*(?:Mandatory|Optional|Obligatory)\s*\]", re.IGNORECASE)
_WS_RE = re.compile(r"\s+")
_SPECIAL_RE = re.compile(r"[<\[*_`\\>#|!]")
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>])")
_QUOTE_RE = re.compile(r"^\s*>\s?", re.MULTILINE)
_ALNUM_RE = re.compile(r"[A-Za-z0-9]")
_NOT_NEWLINE_RE = re.compile(r"[^\n]")


def prepare(text: str) -> tuple[str, str]:
    """Return (prepared, masked): masked blanks fenced code and HTML comments, same length."""
    masked = _COMMENT_RE.sub(_blank, text)
    lines = masked.split("\n")
    fence: str | None = None
    for i, line in enumerate(lines):
        match = _FENCE_RE.match(line)
        if fence is None:
            if match:
                fence = match.group(1)
                lines[i] = " " * len(line)
        else:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) \
                    and not line.strip().strip(fence[0]):
                fence = None
            lines[i] = " " * len(line)
    return text, "\n".join(lines)


def headings(masked: str) -> list[RawHeading]:
    """Find ATX and setext headings, and bold/italic lines that name a known section."""
    lines = masked.split("\n")
    starts = line_starts(masked)
    found: list[RawHeading] = []
    for i, line in enumerate(lines):
        start = starts[i]
        match = _ATX_RE.match(line)
        if match:
            number, title = split_numbering(strip_markers(clean(match.group(2) or "")))
            found.append(RawHeading(level=len(match.group(1)), title=title.rstrip(":. "),
                                    number=number, line=i + 1, start=start,
                                    end=start + len(line)))
            continue
        if i + 1 < len(lines) and line.strip() and _SETEXT_RE.match(lines[i + 1]) \
                and not _BULLET_RE.match(line) and "|" not in line \
                and (i == 0 or not lines[i - 1].strip() or _ATX_RE.match(lines[i - 1])):
            underline = lines[i + 1].strip()
            if underline.startswith("-") and len(underline) < 2:
                continue
            number, title = split_numbering(strip_markers(clean(line)))
            found.append(RawHeading(level=1 if underline[0] == "=" else 2, title=title.rstrip(":. "),
                                    number=number, line=i + 1, start=start,
                                    end=start + len(line) + 1 + len(lines[i + 1])))
            continue
        pseudo = _BOLD_LINE_RE.match(line) or _ITALIC_LINE_RE.match(line)
        if pseudo:
            inner = clean(pseudo.group(2))
            if inner.endswith("?") or line.rstrip().endswith(":"):
                continue
            number, title = split_numbering(strip_markers(inner.rstrip(". ")))
            if section_key(title) is not None:
                level = number.count(".") + 2 if number else 3
                found.append(RawHeading(level=level, title=title, number=number, line=i + 1,
                                        start=start, end=start + len(line)))
    return found


def items(masked: str, start: int, end: int) -> list[RawItem]:
    """Return top-level bullets, bold-label lines and two-column table rows between two offsets."""
    region = masked[start:end]
    first_line = masked.count("\n", 0, start) + 1
    lines = region.split("\n")
    bullets = [(i, m) for i, line in enumerate(lines) if (m := _BULLET_RE.match(line))]
    top = min((len(m.group(1)) for _, m in bullets), default=0)
    found: list[tuple[int, str | None, str]] = []
    claimed: set[int] = set()
    for n, (i, match) in enumerate(bullets):
        indent = len(match.group(1))
        if indent > top + 1:
            continue
        stop = len(lines)
        for j, other in bullets[n + 1:]:
            if len(other.group(1)) <= indent:
                stop = j
                break
        body = [match.group(2)]
        for j in range(i + 1, stop):
            text = lines[j]
            if _ATX_RE.match(text) or (len(text) - len(text.lstrip()) <= indent
                                       and _is_label_line(text)):
                stop = j
                break
            if not text.strip():
                follow = next((k for k in range(j + 1, stop) if lines[k].strip()), None)
                if follow is None or len(lines[follow]) - len(lines[follow].lstrip()) <= indent:
                    stop = j
                    break
            body.append(text)
        claimed.update(range(i, stop))
        head, tail = _parts("\n".join(body))
        found.append((i, head, tail))
    for i, line in enumerate(lines):
        if i in claimed or not line.strip():
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
    return [RawItem(head=head, tail=tail, line=first_line + i) for i, head, tail in found]


def _is_label_line(line: str) -> bool:
    bold = _BOLD_START_RE.match(line)
    return bool(bold and (":" in bold.group(2) or bold.group(2).rstrip().endswith("?")
                          or bold.group(3).lstrip().startswith(":")))


def _parts(content: str) -> tuple[str | None, str]:
    match = re.match(r"[ \t]*(\*\*|__)(.+?)\1(.*)\Z", content, re.DOTALL)
    if match:
        return match.group(2), match.group(3)
    return None, content


def clean(text: str) -> str:
    """Turn a Markdown fragment into one line of plain text."""
    if not _SPECIAL_RE.search(text):
        return _WS_RE.sub(" ", text).strip()
    text = _COMMENT_RE.sub(" ", text)
    text = _LINK_RE.sub(lambda m: m.group(1) if m.group(1) == m.group(2) or not m.group(2)
                        else f"{m.group(1)} ({m.group(2)})", text)
    text = _AUTOLINK_RE.sub(r"\1", text)
    text = _HTML_TAG_RE.sub(" ", text)
    text = text.replace("**", "").replace("__", "").replace("`", "")
    text = _EMPH_RE.sub(lambda m: m.group(1) or m.group(2), text)
    text = _ESCAPE_RE.sub(r"\1", text)
    text = _QUOTE_RE.sub("", text)
    return _WS_RE.sub(" ", text).strip()


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
    return _NOT_NEWLINE_RE.sub(" ", match.group(0))
