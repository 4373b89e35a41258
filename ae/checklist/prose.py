"""What a chair reads in the prose: TODOs, conflict markers, placeholders, empty links and code.

Each rule scans the whole text once with a regular expression that cannot backtrack over a line,
so the reading stays linear in the input. Code (fenced blocks, `verbatim`/`lstlisting`, inline
code) and comments are not prose: a `<file_name>` argument in a command or a `# TODO` in a
script is the artifact's business, not the appendix's. Conflict markers are found everywhere.

A hit says which rule fired and where; `rules.py` decides its severity from the section it is in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ae.checklist import md_syntax
from ae.checklist.patterns import lazy
from ae.checklist.syntax import MAX_ITEMS, LineCounter, blank

MAX_HITS = 500  # per rule: past this many an appendix is not a draft but noise


@dataclass(frozen=True)
class Hit:
    """One prose problem: rule code, line, why, how to fix, and the kind of rule."""

    code: str
    line: int
    message: str
    hint: str
    kind: str  # "conflict", "todo", "placeholder" or "template"


_CONFLICT_RE = lazy(r"^(<{7}|>{7})(?:[ \t][^\n]*)?$", re.MULTILINE)
_TODO_RE = lazy(r"(TODO|TBD|TBA|FIXME|XXX+)(?![\w/\-])|\\todo\b")
_TODO_BEFORE = lazy(r"[\w/.\-]")
_INLINE_CODE_MD_RE = lazy(r"(?<!`)(`{1,3})(?!`)([^`\n]+?)(?<!`)\1(?!`)")
_INLINE_CODE_TEX_RE = lazy(r"\\(?:texttt|path|lstinline|verb\*?)\s*(?:\{[^{}\n]*\}|([|!+])[^\n]*?\1)")
_MARKER_ONLY_RE = lazy(r"^\s*(?:TODO|TBD|TBA|FIXME|XXX+)\b[^\n]*$")
_ANGLE_RE = lazy(r"<([^<>\n]{1,80})>")
_PLACEHOLDER_WORDS_RE = lazy(
    r"^(?:your|insert|enter|fill|add|todo|tbd|describe|replace|put|paste|link|url|doi|"
    r"name|title|paper|repo(?:sitory)?|path to|hash|commit|id)\b", re.IGNORECASE)
_HTML_TAG_RE = lazy(r"^/?[A-Za-z][A-Za-z0-9]*(?:\s+[\w:-]+(?:\s*=\s*[^<>]*)?)*\s*/?$")
_HTML_TAGS = frozenset((
    "a", "abbr", "b", "blockquote", "br", "center", "code", "details", "div", "em", "font", "h1",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "picture", "pre",
    "s", "small", "source", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "tt", "u", "ul", "video",
))
_BRACKET_RE = lazy(
    r"\[\s*(?:insert|your|enter|todo|tbd|optional name|name of|add )[^\[\]\n]{0,60}\](?!\()",
    re.IGNORECASE)
_EMPTY_LINK_MD_RE = lazy(r"\[(?<!!\[)([^\[\]\n]*)\]\([ \t]*(?:(?:#|<>)[ \t]*)?\)")
_EMPTY_LINK_TEX_RE = lazy(r"\\url\s*\{\s*\}|\\href\s*\{\s*(?:#\s*)?\}")
_LINK_STUB_RE = lazy(r"[(\[<]\s*(?:link|url|doi|link here|url here)\s*[)\]>](?!\()")
_PROMISE_END_RE = lazy(
    r"(?:(?:available|found|downloaded|accessible|obtained|hosted|archived|provided)[ \t]+"
    r"(?:at|from|here|on|via|in|under)|following[ \t]+(?:link|url|repository|doi|address)|"
    r"(?:here|link|url)[ \t]*:)[ \t]*(?::[ \t]*)?$",
    re.MULTILINE)
_PROMISE_TAIL_RE = lazy(  # the ends of _PROMISE_END_RE's lines, written backwards
    r"\n[ \t:]*+(?:ta|morf|ereh|no|aiv|ni|rednu|knil|lru|yrotisoper|iod|sserdda)(?![a-z])")
_NEXT_LINE_RE = lazy(r"\s*+([^\n]*)")
_PATH_RE = lazy(r"[\w.-]+/[\w.-]+")
_DOI_WORD_RE = lazy(r"DOI(?<!\wDOI)(?!\w)")  # the literal first: a fast scan
_DOI_PROMISE_RE = lazy(r"\b(?:will|to be|specific|inserted|assigned|provided later|once)\b",
                             re.IGNORECASE)
_HAS_LINK_RE = lazy(r"https?://|www\.|10\.\d{4,9}/|\]\([^)\s]|\\url|\\href|doi\.org")
_TEMPLATE_RE = lazy(
    r"(?:replace (?:this|the following)\b[^.\n]{0,40}?\b(?:with|by)\b|"
    r"describe here\b|enumerate here\b|provide here\b|"
    r"this section (?:should|is meant to|must|shall|includes?)\b|simply write\b|"
    r"follows an (?:example|exemplary)\b|we\b[^.\n]{0,20}\b(?:encourage|ask|recommend) you\b|"
    r"please fill\b|remove this (?:note|section)\b|authors should\b)", re.MULTILINE)
_USETAG_RE = lazy(r"^[ \t]*\\usetag\s*\{\s*(?:explanation|example)\s*\}", re.MULTILINE)
_EMPTY_VERBATIM_RE = lazy(
    r"\\begin\{(verbatim|lstlisting|minted|Verbatim)\}(?:\[[^\]\n]*\])?(?:\{[^{}\n]*\})?"
    r"[ \t\n]*\\end\{\1\}")
_VERBATIM_BLOCK_RE = lazy(
    r"\\begin\{(verbatim|lstlisting|minted|Verbatim)\}(.*?)(?:\\end\{\1\}|\Z)", re.DOTALL)
_CLONE_RE = lazy(
    r"\bgit[ \t]+clone\b[^\n]{0,200}?[ \t]((?:https?://|git@|ssh://)[^\s]+)(?:[ \t]+([^\s\\-][^\s]*))?")
_CD_RE = lazy(r"^[ \t]*(?:\$[ \t]*)?cd[ \t]+([^\s;&|]+)", re.MULTILINE)


def scan(original: str, prepared: str, masked: str, syntax: str,
         heading_titles: list[str] | None = None) -> list[Hit]:
    """Return the prose problems of an appendix, in text order.

    `heading_titles` are the raw titles of every heading (for Markdown #anchor links).
    """
    hits: list[Hit] = []
    if syntax == "markdown" and heading_titles is not None:
        hits += _anchors(original, masked, heading_titles)
    hits += _conflicts(original)
    prose = _without_inline_code(masked, syntax, hits)
    hits += _todos(prose)
    hits += _placeholders(prose)
    hits += _empty_links(prose, syntax)
    hits += _promises(prose, prepared)
    hits += _empty_code(original if syntax == "markdown" else prepared, syntax)
    hits += _template_text(prose, prepared, syntax)
    hits += _directories(original if syntax == "markdown" else prepared, syntax)
    hits.sort(key=lambda h: h.line)
    return hits


def _lower(text: str) -> str:
    """Lower-case a text for case-blind scans, keeping every offset where it was."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text.encode("ascii", "replace").decode().lower()


def _limited(hits: list[Hit]) -> list[Hit]:
    return hits[:MAX_HITS]


def _conflicts(text: str) -> list[Hit]:
    if "<<<<<<<" not in text and ">>>>>>>" not in text:
        return []
    lines = LineCounter(text)
    hits = []
    opened = False
    for match in _CONFLICT_RE.finditer(text):
        if match.group(1)[0] == "<":
            opened = True
            hits.append(Hit("merge-conflict", lines.at(match.start()),
                            "a git merge-conflict marker (<<<<<<<) is left in the text",
                            "resolve the conflict: keep one side and delete the <<<<<<<, ======= "
                            "and >>>>>>> lines", "conflict"))
        elif not opened:
            hits.append(Hit("merge-conflict", lines.at(match.start()),
                            "a git merge-conflict marker (>>>>>>>) is left in the text",
                            "resolve the conflict and delete the marker lines", "conflict"))
        else:
            opened = False
        if len(hits) >= MAX_HITS:
            break
    return hits


def _without_inline_code(masked: str, syntax: str, hits: list[Hit]) -> str:
    """Blank inline code; an inline code span that is only a TODO marker is a hit itself."""
    pattern = _INLINE_CODE_MD_RE if syntax == "markdown" else _INLINE_CODE_TEX_RE
    if (syntax == "markdown" and "`" not in masked) or (syntax == "latex" and "\\" not in masked):
        return masked
    lines = LineCounter(masked)
    parts: list[str] = []
    pos = 0
    found = 0
    for match in pattern.finditer(masked):
        inner = match.group(2) if syntax == "markdown" else match.group(0)
        if syntax == "markdown" and _MARKER_ONLY_RE.match(inner) and found < MAX_HITS:
            found += 1
            hits.append(_todo_hit(lines.at(match.start()), inner.strip().split()[0]))
        parts.append(masked[pos:match.start()])
        parts.append(blank(match.group(0)))
        pos = match.end()
    parts.append(masked[pos:])
    return "".join(parts)


def _todo_hit(line: int, marker: str) -> Hit:
    marker = "TODO" if marker.startswith("\\todo") else marker
    what = f"the placeholder {marker}" if marker.startswith("XXX") else f"a {marker} marker"
    return Hit("todo", line, f"{what} is left in the text",
               "write the missing content, or delete the note if nothing is missing", "todo")


def _todos(prose: str) -> list[Hit]:
    lines = LineCounter(prose)
    hits = []
    last = 0
    if not any(marker in prose for marker in ("TODO", "TBD", "TBA", "FIXME", "XXX", "\\todo")):
        return []
    for match in _TODO_RE.finditer(prose):
        start = match.start()
        if match.group(1) and start and _TODO_BEFORE.match(prose, start - 1):
            continue  # part of a word, path or DOI ("RunXXX", "zenodo.XXXX")
        line = lines.at(start)
        if line == last:
            continue
        last = line
        hits.append(_todo_hit(line, match.group(1) or "\\todo"))
        if len(hits) >= MAX_HITS:
            break
    return hits


def _placeholders(prose: str) -> list[Hit]:
    lines = LineCounter(prose)
    hits = []
    if "<" in prose:
        for match in _ANGLE_RE.finditer(prose):
            inner = match.group(1).strip()
            if not inner or _is_tag_or_link(inner):
                continue
            words = inner.split()
            if not (_PLACEHOLDER_WORDS_RE.match(inner)
                    or (len(words) >= 2 and re.search(r"\b(?:your|here|insert|todo)\b", inner,
                                                      re.IGNORECASE))):
                continue
            hits.append(Hit("placeholder", lines.at(match.start()),
                            f"the placeholder <{inner}> is still in the text",
                            "replace it with the actual value", "placeholder"))
            if len(hits) >= MAX_HITS:
                return hits
    if "[" in prose:
        for match in _BRACKET_RE.finditer(prose):
            hits.append(Hit("placeholder", lines.at(match.start()),
                            f"the placeholder {match.group(0)} is still in the text",
                            "replace it with the actual value", "placeholder"))
            if len(hits) >= MAX_HITS:
                break
    return hits


def _is_tag_or_link(inner: str) -> bool:
    if re.match(r"(?:https?|ftp|mailto|file):|www\.|[\w.+-]+@[\w-]+\.", inner):
        return True
    if _HTML_TAG_RE.match(inner):
        name = inner.lstrip("/").split()[0].rstrip("/").lower()
        return name in _HTML_TAGS or "=" in inner or inner.startswith("/")
    return inner.startswith(("!--", "!", "?"))


def _empty_links(prose: str, syntax: str) -> list[Hit]:
    pattern = _EMPTY_LINK_MD_RE if syntax == "markdown" else _EMPTY_LINK_TEX_RE
    lines = LineCounter(prose)
    hits = []
    for match in pattern.finditer(prose):
        label = match.group(1) if syntax == "markdown" else ""
        what = f'the link "{label}"' if label else "a link"
        hits.append(Hit("empty-link", lines.at(match.start()), f"{what} has no target",
                        "put the URL (or the path in the artifact) between the parentheses",
                        "placeholder"))
        if len(hits) >= MAX_HITS:
            break
    return hits


def _promises(prose: str, unmasked: str | None = None) -> list[Hit]:
    """Links promised but not given; `unmasked` is the text with its code (same offsets)."""
    unmasked = prose if unmasked is None else unmasked
    lines = LineCounter(prose)
    hits = []
    lowered = _lower(prose)
    for match in _LINK_STUB_RE.finditer(lowered):
        hits.append(Hit("promised-link", lines.at(match.start()),
                        f"{prose[match.start():match.end()]} stands where a link should be",
                        "give the URL or DOI it promises", "placeholder"))
    # Line ends become line starts when the text is reversed: one scan for "\n" finds candidates.
    reverse = "\n" + lowered[::-1]
    for candidate in _PROMISE_TAIL_RE.finditer(reverse):
        end = len(prose) - candidate.start()
        line_start = prose.rfind("\n", 0, end) + 1
        line = prose[line_start:end]
        if _PROMISE_END_RE.search(lowered[line_start:end]) is None:
            continue
        if _HAS_LINK_RE.search(line) or _continues_with_link(unmasked, end):
            continue
        hits.append(Hit("promised-link", lines.at(line_start),
                        "the text promises a link here, but none follows",
                        "add the URL or DOI, or reword the sentence", "placeholder"))
        if len(hits) >= MAX_HITS:
            break
    pos = 0
    while "DOI" in prose and len(hits) < MAX_HITS:
        word = _DOI_WORD_RE.search(prose, pos)
        if word is None:
            break
        start = prose.rfind("\n", max(0, word.start() - 300), word.start()) + 1
        end = prose.find("\n", word.end(), word.end() + 300)
        end = min(len(prose), word.end() + 300) if end < 0 else end
        pos = max(end, word.end())  # one look per line (or 300 characters): linear
        line = prose[max(start, word.start() - 300):end]
        if not _DOI_PROMISE_RE.search(line) or _HAS_LINK_RE.search(_paragraph(prose, start)):
            continue
        hits.append(Hit("promised-link", lines.at(word.start()),
                        "the text speaks of a DOI but gives none",
                        "write the DOI (10.NNNN/...) the archive assigned", "placeholder"))
    return _dedupe(hits)


def _continues_with_link(text: str, pos: int) -> bool:
    """Return True when the next non-blank line after `pos` holds a link, a path or code."""
    match = _NEXT_LINE_RE.match(text, pos)
    following = match.group(1) if match else ""
    return bool(_HAS_LINK_RE.search(following) or _PATH_RE.search(following)
                or following.lstrip().startswith(("```", "~~~", "\\begin", "$ ", "`")))


def _paragraph(prose: str, start: int) -> str:
    """Return the paragraph around `start` (bounded to keep the scan linear)."""
    before = prose.rfind("\n\n", max(0, start - 2000), start)
    after = prose.find("\n\n", start, start + 2000)
    return prose[before + 1 if before >= 0 else max(0, start - 2000):
                 after if after >= 0 else start + 2000]


_ANCHOR_LINK_RE = lazy(r"\[(?<!!\[)([^\[\]\n]*)\]\(#([^()\s]+)\)")
_HTML_ANCHOR_RE = lazy(r"""<a\s[^<>]*?(?:name|id)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_SLUG_DROP_RE = lazy(r"[^\w\- ]")


def slug(title: str) -> str:
    """Return the anchor GitHub gives a heading: lower case, punctuation dropped, spaces as -."""
    return _SLUG_DROP_RE.sub("", title.strip().lower()).replace(" ", "-")


def _anchors(original: str, masked: str, heading_titles: list[str]) -> list[Hit]:
    """Markdown links to #anchors that no heading (or HTML anchor) of the text defines."""
    if "](#" not in masked:
        return []
    known = {slug(title) for title in heading_titles}
    known.update(m.group(1).lower() for m in _HTML_ANCHOR_RE.finditer(original))
    lines = LineCounter(masked)
    hits = []
    for match in _ANCHOR_LINK_RE.finditer(masked):
        target = match.group(2).lower()
        if target in known or re.sub(r"-\d+$", "", target) in known:
            continue
        hits.append(Hit("broken-anchor", lines.at(match.start()),
                        f'the link "{match.group(1)}" points to #{match.group(2)}, which no heading '
                        f"of the appendix has", "point it at an existing heading, or add that "
                        "section", "placeholder"))
        if len(hits) >= MAX_HITS:
            break
    return hits


def _empty_code(text: str, syntax: str) -> list[Hit]:
    hits = []
    lines = LineCounter(text)
    if syntax == "markdown":
        if "```" not in text and "~~~" not in text:
            return []
        for start, _, body_start, body_end in md_syntax.code_fences(text)[:MAX_ITEMS]:
            if not text[body_start:body_end].strip():
                hits.append(Hit("empty-code", lines.at(start), "a code block is empty",
                                "put the commands in it, or delete it", "placeholder"))
    else:
        for match in _EMPTY_VERBATIM_RE.finditer(text):
            hits.append(Hit("empty-code", lines.at(match.start()), "a code block is empty",
                            "put the commands in it, or delete it", "placeholder"))
    return _limited(hits)


_TEMPLATE_WORDS = ("replace", "describe here", "enumerate here", "provide here", "this section",
                   "simply write", "follows an", "encourage you", "ask you", "recommend you",
                   "please fill", "remove this", "authors should")


def _template_text(prose: str, prepared: str, syntax: str) -> list[Hit]:
    lines = LineCounter(prose)
    hits = []
    lowered = _lower(prose)
    if not any(word in lowered for word in _TEMPLATE_WORDS):
        lowered = ""
    for match in _TEMPLATE_RE.finditer(lowered):
        before = lowered[max(0, match.start() - 6):match.start()].rstrip(" \t*_")
        if before and before[-1] not in ".!?:\n":
            continue  # only where a sentence starts
        phrase = match.group(0).strip(" \t*_")
        hits.append(Hit("template-text", lines.at(match.start()),
                        f'the template\'s instruction "{phrase[:40]}..." is still in the text',
                        "delete the template's instructions once the section is written",
                        "template"))
        if len(hits) >= MAX_HITS:
            break
    if syntax == "latex":
        tags = LineCounter(prepared)
        for match in _USETAG_RE.finditer(prepared):
            hits.append(Hit("template-text", tags.at(match.start()),
                            "the SC template's explanations and examples are still switched on",
                            "comment out the \\usetag{explanation} and \\usetag{example} lines",
                            "template"))
    return hits


def _directories(text: str, syntax: str) -> list[Hit]:
    """A `cd` right after `git clone URL` into a directory the clone does not create."""
    if "clone" not in text:
        return []
    hits = []
    lines = LineCounter(text)
    for block_start, body in _code_blocks(text, syntax):
        clone = _CLONE_RE.search(body)
        if clone is None:
            continue
        expected = clone.group(2) or clone.group(1).rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        expected = expected.removesuffix(".git")
        cd = _CD_RE.search(body, clone.end())
        if cd is None:
            continue
        target = cd.group(1).strip("'\"")
        if target.startswith(("/", "~", "$", ".", "-")) or not expected:
            continue
        if target.split("/", 1)[0] != expected:
            hits.append(Hit("wrong-directory", lines.at(block_start + cd.start(1)),
                            f"`cd {target}` follows `git clone` of {expected}, which creates "
                            f"the directory {expected}/",
                            f"write `cd {expected}` (or clone into {target.split('/')[0]})",
                            "placeholder"))
    return _limited(hits)


def _code_blocks(text: str, syntax: str) -> list[tuple[int, str]]:
    if syntax == "markdown":
        return [(body_start, text[body_start:body_end])
                for _, _, body_start, body_end in md_syntax.code_fences(text)[:MAX_ITEMS]]
    return [(match.start(2), match.group(2))
            for match in _VERBATIM_BLOCK_RE.finditer(text)][:MAX_ITEMS]


def _dedupe(hits: list[Hit]) -> list[Hit]:
    seen: set[tuple[str, int]] = set()
    out = []
    for hit in hits:
        if (hit.code, hit.line) not in seen:
            seen.add((hit.code, hit.line))
            out.append(hit)
    return out
