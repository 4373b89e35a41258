"""LaTeX appendices: comments, SC macros, headings, list items and plain-text cleaning.

No TeX engine is run: the rules are regular expressions and brace matching that tolerate what
authors really write (`\\item {\\bf Label: } value`, `\\item[Label] value`, value inside the braces,
`packed_itemize`, bold paragraphs used as headings). Every function is total on any string.
"""

from __future__ import annotations

import re

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

name = "latex"

_LEVELS = {"part": 0, "chapter": 0, "section": 1, "subsection": 2, "subsubsection": 3,
           "paragraph": 4, "subparagraph": 5}
_HEADING_RE = lazy(
    r"\\(part|chapter|section|subsection|subsubsection|paragraph|subparagraph)(?![A-Za-z])\*?\s*"
)
_COMMENT_ENV_RE = lazy(r"\\begin\{comment\}.*?(?:\\end\{comment\}|\Z)", re.DOTALL)
_VERBATIM_RE = lazy(
    r"\\begin\{(verbatim|lstlisting|minted|Verbatim|alltt)\}.*?(?:\\end\{\1\}|\Z)", re.DOTALL
)
_SC_SIMPLE = {
    "appendixAD": r"\part{Artifact Description (AD)}",
    "appendixAE": r"\part{Artifact Evaluation (AE)}",
    "artrel": r"\subsection*{Relation To Contributions}",
    "artexp": r"\subsection*{Expected Results}",
    "arttime": r"\subsection*{Expected Reproduction Time (in Minutes)}",
    "artin": r"\subsection*{Artifact Setup (incl. Inputs)}",
    "artcomp": r"\subsection*{Artifact Execution}",
    "artout": r"\subsection*{Artifact Analysis (incl. Outputs)}",
}
_SC_MACRO_RE = lazy(
    r"\\(appendixAD|appendixAE|artrel|artexp|arttime|artin|artcomp|artout|newartifact)(?![A-Za-z])"
    r"|\\(arteval|artinpart)\s*\{([^{}\n]*)\}"
)
_SC_HINT_RE = lazy(r"\\(?:artexpl|artsampl)\s*\{")
_ITEM_TOKEN_RE = lazy(
    r"\\begin\s*\{([^{}]*)\}|\\end\s*\{([^{}]*)\}|\\item(?![A-Za-z])"
)
_LIST_ENV_RE = lazy(r"itemize|enumerate|description|item|enum|list", re.IGNORECASE)
_CMD_ARG_RE = lazy(r"\\([A-Za-z]+)\*?\s*(?:\[[^\[\]{}]*\]\s*)?\{([^{}]*)\}")
_HREF_RE = lazy(r"\\href\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_DECL_RE = lazy(
    r"\{\s*\\(?:bf|em|it|tt|sc|sf|rm|sl|up|bfseries|itshape|ttfamily|scshape|mdseries|normalfont|"
    r"small|footnotesize|scriptsize|tiny|large|Large|LARGE|huge|Huge|normalsize)(?![A-Za-z])\s*"
    r"([^{}]*)\}"
)
_EMPH_CMD_RE = lazy(r"\\(?:emph|textit|textsl|artexpl|artsampl)\s*\{[^{}]*\}")
_EMPH_DECL_RE = lazy(r"\{\s*\\(?:em|it|sl|itshape)(?![A-Za-z])[^{}]*\}")
_DROP_CMDS = frozenset({"label", "footnote", "vspace", "hspace", "index", "cite", "citep", "citet",
                        "pagestyle", "thispagestyle", "setcounter", "addtocounter", "newpage"})
_MARKER_RE = lazy(r"\[\s*(?:Mandatory|Optional|Obligatory)\s*\]", re.IGNORECASE)
_HINT_LEFT_RE = lazy(
    r"\[\s*(?:Mandatory|Optional)\s*\]|\{\\em\s+(?:Obligatory|Optional|Mandatory)"
    r"|\\(?:emph|textit)\{\s*(?:Obligatory|Optional|Mandatory)",
)
_PSEUDO_HEADING_RE = lazy(
    r"^[ \t]*(?:\\noindent\s*)?(?:\\textbf\s*\{|\{\s*\\bf(?:series)?\s+|\\paragraph\*?\s*\{)",
    re.MULTILINE,
)
_TITLE_LIMIT = 300
_TITLE_DEPTH = 6
_SPECIAL_RE = lazy(r"[\\{}$~`']")
_ITALIC_HINT_RE = lazy(r"\\(?:em|it|sl|emph|textit|textsl|itshape|artexpl|artsampl)(?![A-Za-z])")
_ESCAPE_RE = lazy(r"\\([_%&#$])")
_SPACING_RE = lazy(r"\\[,;:! ]")
_COMMAND_RE = lazy(r"\\[A-Za-z]+\*?")
_BRACES_RE = lazy(r"[{}$]")
_ALNUM_RE = lazy(r"[A-Za-z0-9]")


def prepare(text: str) -> tuple[str, str]:
    """Return (prepared, masked): comments gone, SC macros expanded; masked also blanks verbatim."""
    text = _strip_comments(text)
    text = _COMMENT_ENV_RE.sub(_blank, text)
    text = _blank_calls(text, _SC_HINT_RE)
    text = _expand_sc_macros(text)
    return text, _VERBATIM_RE.sub(_blank, text)


def headings(masked: str) -> tuple[list[RawHeading], bool]:
    """Find sectioning commands and bold-paragraph headings naming a known section.

    Returns the headings and whether the text was read to its end (False past the bounds).
    """
    lines = LineCounter(masked)
    found: list[RawHeading] = []
    complete = True
    for count, match in enumerate(_HEADING_RE.finditer(masked)):
        if count >= MAX_CANDIDATES or len(found) >= MAX_HEADINGS:
            complete = False
            break
        pos = match.end()
        if pos < len(masked) and masked[pos] == "[":
            pos = _close(masked, pos, "[", "]", _TITLE_LIMIT, _TITLE_DEPTH)
            while pos < len(masked) and masked[pos].isspace():
                pos += 1
        if pos >= len(masked) or masked[pos] != "{":
            continue
        first_close = masked.find("}", pos, pos + _TITLE_LIMIT)
        if first_close < 0 or _HEADING_RE.search(masked, pos, first_close):
            continue  # unclosed, or another sectioning command inside: not a title
        end = _close(masked, pos, "{", "}", _TITLE_LIMIT, _TITLE_DEPTH)
        if masked[end - 1] != "}":
            continue  # no closing brace within a title's length: not a heading
        number, title = split_numbering(strip_markers(clean(_drop_notes(masked[pos + 1:end - 1]))))
        found.append(RawHeading(
            level=_LEVELS[match.group(1)], title=title.rstrip(":. "), number=number,
            line=lines.at(match.start()), start=match.start(), end=end,
        ))
    pseudo, pseudo_complete = _pseudo_headings(masked)
    found.extend(pseudo)
    found.sort(key=lambda h: h.start)
    return found, complete and pseudo_complete


def _pseudo_headings(masked: str) -> tuple[list[RawHeading], bool]:
    found: list[RawHeading] = []
    lines = LineCounter(masked)
    for count, match in enumerate(_PSEUDO_HEADING_RE.finditer(masked)):
        if count >= MAX_CANDIDATES or len(found) >= MAX_HEADINGS:
            return found, False
        start = match.start()
        stop = masked.find("\n", start)
        line = masked[start:stop if stop >= 0 else len(masked)]
        head = match.group(0)
        if head.lstrip().startswith("\\paragraph"):
            continue
        open_at = line.find("{", len(head) - 1 if head.endswith("{") else 0)
        if open_at < 0:
            continue
        end = _close(line, open_at, "{", "}", _TITLE_LIMIT, _TITLE_DEPTH)
        inner = clean(line[open_at:end])
        if not inner or inner.endswith(":") or inner.endswith("?"):
            continue
        number, title = split_numbering(strip_markers(inner.rstrip(". ")))
        if section_key(title) is None:
            continue
        level = number.count(".") + 2 if number else 3
        found.append(RawHeading(level=level, title=title, number=number, line=lines.at(start),
                                start=start, end=start + end))
    return found, True


def items(masked: str, start: int, end: int) -> tuple[list[RawItem], bool]:
    """Return the top-level `\\item`s between two offsets, with their raw label and value parts."""
    region = masked[start:end]
    lines = LineCounter(region, masked.count("\n", 0, start) + 1)
    complete = True
    tokens: list[tuple[int, int, int]] = []  # (pos, depth, end-of-item-token)
    depth = 0
    bounds: list[tuple[int, int]] = []  # (item index, boundary pos) resolved as we go
    open_items: list[tuple[int, int]] = []  # stack of (token index, depth)
    limit = len(region)  # past the bounds nothing is read
    for match in _ITEM_TOKEN_RE.finditer(region):
        if len(tokens) >= MAX_ITEMS:
            complete = False
            limit = match.start()
            break
        env_open, env_close = match.group(1), match.group(2)
        if env_open is not None:
            if _LIST_ENV_RE.search(env_open):
                depth += 1
            continue
        if env_close is not None:
            if _LIST_ENV_RE.search(env_close):
                while open_items and open_items[-1][1] >= depth:
                    bounds.append((open_items.pop()[0], match.start()))
                depth = max(0, depth - 1)
            continue
        while open_items and open_items[-1][1] >= depth:
            bounds.append((open_items.pop()[0], match.start()))
        open_items.append((len(tokens), depth))
        tokens.append((match.start(), depth, match.end()))
    for index, _ in open_items:
        bounds.append((index, limit))
    if not tokens:
        return [], complete
    top = min(d for _, d, _ in tokens)
    ends = dict(bounds)
    found: list[RawItem] = []
    for index, (pos, item_depth, after) in enumerate(tokens):
        if item_depth != top:
            continue
        segment = region[after:ends.get(index, limit)]
        head, tail = _item_parts(segment)
        found.append(RawItem(head=head, tail=tail, line=lines.at(pos)))
    return found, complete


def _item_parts(segment: str) -> tuple[str | None, str]:
    text = segment.lstrip()
    if text.startswith("["):
        end = _close(text, 0, "[", "]")
        return text[1:end - 1], text[end:]
    match = re.match(r"\{\s*\\(?:bf|bfseries)(?![A-Za-z])\s*", text)
    if match:
        end = _close(text, 0, "{", "}")
        return text[match.end():end - 1], text[end:]
    match = re.match(r"\\(?:textbf|textsc|underline)\s*\{", text)
    if match:
        end = _close(text, match.end() - 1, "{", "}")
        return text[match.end():end - 1], text[end:]
    return None, text


def clean(text: str) -> str:
    """Turn a LaTeX fragment into one line of plain text."""
    if not _SPECIAL_RE.search(text):
        return " ".join(text.split())
    text = _HREF_RE.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    for _ in range(40):
        new = _DECL_RE.sub(lambda m: " " + m.group(1) + " ", text)
        new = _CMD_ARG_RE.sub(_unwrap, new)
        if new == text:
            break
        text = new
    text = text.replace("\\\\", " ").replace("~", " ")
    text = _ESCAPE_RE.sub(r"\1", text)
    text = _SPACING_RE.sub(" ", text)
    text = _COMMAND_RE.sub(" ", text)
    text = _BRACES_RE.sub("", text)
    text = text.replace("``", '"').replace("''", '"')
    return " ".join(text.split())


def _unwrap(match: re.Match[str]) -> str:
    command, arg = match.group(1), match.group(2)
    if command in _DROP_CMDS:
        return " "
    if command == "todo":
        return f" TODO {arg} "
    if command in ("begin", "end"):
        return " "
    return f" {arg} "


def emphasis_only(raw: str) -> bool:
    """Return True when a fragment has text and all of it is italic (the template's hint style)."""
    if not _ITALIC_HINT_RE.search(raw) or not clean(raw):
        return False
    text = _MARKER_RE.sub(" ", raw)
    for _ in range(40):
        new = _EMPH_CMD_RE.sub(" ", text)
        new = _EMPH_DECL_RE.sub(" ", new)
        if new == text:
            new = _CMD_ARG_RE.sub(lambda m: " " if _is_emph(m.group(1)) else _unwrap(m), new)
            new = _DECL_RE.sub(lambda m: " " + m.group(1) + " ", new)
            if new == text:
                break
        text = new
    return not _ALNUM_RE.search(clean(text))


def _is_emph(command: str) -> bool:
    return command in ("emph", "textit", "textsl")


def hint_left(raw: str) -> bool:
    """Return True when a template hint marker ("[Mandatory]", "{\\em Obligatory") is still there."""
    return bool(_HINT_LEFT_RE.search(raw))


def _strip_comments(text: str) -> str:
    out = []
    for line in text.split("\n"):
        index = _comment_at(line)
        out.append(line if index < 0 else line[:index])
    return "\n".join(out)


def _comment_at(line: str) -> int:
    start = 0
    while True:
        index = line.find("%", start)
        if index < 0:
            return -1
        slashes = 0
        j = index - 1
        while j >= 0 and line[j] == "\\":
            slashes += 1
            j -= 1
        if slashes % 2 == 0:
            return index
        start = index + 1


def _blank(match: re.Match[str]) -> str:
    return blank(match.group(0))


def _blank_calls(text: str, pattern: re.Pattern[str]) -> str:
    """Blank `\\macro{...}` calls (whole balanced argument), keeping newlines and offsets."""
    parts: list[str] = []
    pos = 0
    for match in pattern.finditer(text):
        if match.start() < pos:
            continue
        end = _close(text, match.end() - 1, "{", "}")
        parts.append(text[pos:match.start()])
        parts.append(blank(text[match.start():end]))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _expand_sc_macros(text: str) -> str:
    counter = 0

    def expand(match: re.Match[str]) -> str:
        nonlocal counter
        simple = match.group(1)
        if simple == "newartifact":
            counter += 1
            return rf"\subsection{{Computational Artifact $A_{{{counter}}}$}}"
        if simple:
            return _SC_SIMPLE[simple]
        if match.group(2) == "arteval":
            number = match.group(3).strip()
            if number.isdigit():
                counter = int(number)
            return rf"\subsection{{Computational Artifact $A_{{{number}}}$}}"
        return rf"\subsubsection*{{{match.group(3)}}}"

    return _SC_MACRO_RE.sub(expand, text)


def _drop_notes(title: str) -> str:
    for command in ("footnote", "label", "thanks"):
        while True:
            at = title.find("\\" + command + "{")
            if at < 0:
                break
            end = _close(title, at + len(command) + 1, "{", "}")
            title = title[:at] + title[end:]
    return title


def _close(text: str, pos: int, opening: str, closing: str, limit: int | None = None,
           max_depth: int | None = None) -> int:
    """Return the offset just after the bracket matching text[pos], or the end if unbalanced.

    `limit` bounds the search (a heading title is short), which keeps many unbalanced
    brackets from costing quadratic time. The scan jumps between brackets and backslashes.
    """
    depth = 0
    n = len(text) if limit is None else min(len(text), pos + limit)
    pattern = _BRACKETS[opening]
    i = pos
    while True:
        match = pattern.search(text, i, n)
        if match is None:
            return n
        char = match.group(0)
        i = match.end()
        if char == "\\":
            i += 1
            continue
        if char == opening:
            depth += 1
            if max_depth is not None and depth > max_depth:
                return n
        else:
            depth -= 1
            if depth == 0:
                return i


_BRACKETS = {"{": lazy(r"[{}\\]"), "[": lazy(r"[\[\]\\]")}
