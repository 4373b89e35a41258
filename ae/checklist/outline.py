"""The family-independent reading of an appendix: sections with their text, check-list items, DOIs.

Family parsers (ae/checklist/families.py) start from an `Outline` and add what their template has
(USENIX claims and experiments, SC contributions and artifacts, the cTuning template version).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import ModuleType

from ae.checklist import latex_syntax, md_syntax
from ae.checklist.labels import ITEM_ALIASES, normalize_label, section_key, split_item_keys
from ae.checklist.model import Doi, Item, Section
from ae.checklist.patterns import lazy
from ae.checklist.placeholders import (
    instruction_reason,
    is_template_text,
    maybe_template,
    placeholder_reason,
    substantive,
)
from ae.checklist.syntax import (
    MAX_HEADINGS,
    MAX_ITEMS,
    LineCounter,
    RawHeading,
    RawItem,
    detect_syntax,
    line_starts,
    offset_line,
)

SYNTAXES: dict[str, ModuleType] = {"latex": latex_syntax, "markdown": md_syntax}
_DOI_RE = lazy(r"10\.\d{4,9}/[^\s\"'<>{}\[\]|,;]+")
_WORD_SAMPLE = 200_000
_WORD_RE = lazy(r"[A-Za-z0-9][\w'’.-]*")
_HINT_WORDS = ("e.g", "for example", "describe", "specify", "provide", "list ", "mention",
               "indicate", "if ", "obligatory", "optional", "mandatory", "please", "write")
_SECTION_PLACEHOLDER_WORDS = 20
MAX_SECTION_CHARS = 50_000  # what one section's emptiness and text are judged on
_LIST_WORDS_RE = lazy(r"\b(?:begin|end)\s+(?:itemize|enumerate|description)\b")
_ALNUM_RE = lazy(r"[A-Za-z0-9]")
_LATEX_COMMAND_RE = lazy(r"\\[A-Za-z]+\*?")
_ITEM_WORDS = frozenset(w for alias in ITEM_ALIASES for w in alias.split()[:2]) | {
    "how", "disk", "time", "publicly", "code", "data", "workflow", "archived", "doi"}
_EXAMPLE_TITLE_RE = lazy(r"(?:^|:\s*)(?:example\s+)?name$|\[optional name\]", re.IGNORECASE)
_LEADING_TODO_RE = lazy(r"^\W*(?:TODO|TBD|TBA|FIXME)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Block:
    """A section together with its offsets in the prepared text (internal to the parsers)."""

    section: Section
    start: int  # first offset of its own text
    end: int  # end of its own text
    subtree_end: int
    head: int = -1  # where its heading starts


@dataclass(frozen=True)
class Outline:
    """Sections, items and DOIs of one appendix, plus the prepared text they were read from."""

    syntax: str
    original: str
    prepared: str
    masked: str
    blocks: tuple[Block, ...]
    items: tuple[Item, ...]
    dois: tuple[Doi, ...]
    words: int
    lines: int
    truncated: tuple[str, ...] = ()

    @property
    def sections(self) -> tuple[Section, ...]:
        """Return the sections in text order."""
        return tuple(b.section for b in self.blocks)

    def block(self, key: str) -> Block | None:
        """Return the first block whose section has this key."""
        return next((b for b in self.blocks if b.section.key == key), None)

    def rekey(self, aliases: Mapping[str, str]) -> Outline:
        """Return the outline with section keys read through a family's own title aliases."""
        if not aliases:
            return self
        blocks = []
        for b in self.blocks:
            key = section_key(b.section.title, aliases)
            blocks.append(b if key == b.section.key else
                          Block(replace(b.section, key=key), b.start, b.end, b.subtree_end, b.head))
        return replace(self, blocks=tuple(blocks))


def read_outline(text: str, syntax_hint: str | None = None) -> Outline:
    """Read sections, check-list items and DOIs from any text."""
    syntax_name = detect_syntax(text, syntax_hint)
    syntax = SYNTAXES[syntax_name]
    prepared, masked = syntax.prepare(text)
    heads, headings_complete = syntax.headings(masked)
    blocks = _blocks(syntax, prepared, masked, heads)
    items, items_complete = _items(syntax, prepared, masked, blocks)
    blocks = _with_filled(_mark_checklist_filled(blocks, items))
    plain = _LATEX_COMMAND_RE.sub(" ", masked) if syntax_name == "latex" \
        else md_syntax.without_comments(prepared)
    truncated = []
    if not headings_complete:
        truncated.append(f"headings (only the first {min(len(heads), MAX_HEADINGS):,} were read)")
    if not items_complete:
        truncated.append(f"list items (only the first {MAX_ITEMS:,} were read)")
    return Outline(
        syntax=syntax_name, original=text, prepared=prepared, masked=masked, blocks=tuple(blocks),
        items=tuple(items), dois=tuple(find_dois(prepared)), words=count_words(plain),
        lines=text.count("\n") + (1 if text and not text.endswith("\n") else 0),
        truncated=tuple(truncated),
    )


def count_words(text: str) -> int:
    """Count the words of a text; past 200,000 characters, estimate from that sample."""
    if len(text) <= _WORD_SAMPLE:
        return len(_WORD_RE.findall(text))
    return round(len(_WORD_RE.findall(text, 0, _WORD_SAMPLE)) * len(text) / _WORD_SAMPLE)


def _blocks(syntax: ModuleType, prepared: str, masked: str,
            heads: list[RawHeading]) -> list[Block]:
    starts = line_starts(prepared)
    subtree_ends = _subtree_ends(heads, len(prepared))
    out: list[Block] = []
    for n, head in enumerate(heads):
        end = heads[n + 1].start if n + 1 < len(heads) else len(prepared)
        subtree_end = subtree_ends[n]
        body = prepared[head.end:min(end, head.end + MAX_SECTION_CHARS)]
        cleaned = syntax.clean(body) if body.strip() else ""
        reason = _body_empty_reason(syntax, body, cleaned)
        if reason is None and _EXAMPLE_TITLE_RE.search(head.title):
            reason = "template example"
        elif reason is None and maybe_template(cleaned) \
                and is_template_text(syntax.clean(masked[head.end:head.end + len(body)])):
            reason = "template hint"
        section = Section(
            key=section_key(head.title), title=head.title, level=head.level, line=head.line,
            end_line=offset_line(starts, max(head.end, end - 1)),
            subtree_end_line=offset_line(starts, max(head.end, subtree_end - 1)),
            number=head.number, text=cleaned if reason is None else "",
            empty=reason is not None, empty_reason=reason,
            hint_left=reason is None and syntax.hint_left(body),
        )
        out.append(Block(section, head.end, end, subtree_end, head.start))
    return out


def _subtree_ends(heads: list[RawHeading], end: int) -> list[int]:
    """Return where each heading's subtree ends: the next heading of the same or a higher level."""
    ends = [end] * len(heads)
    stack: list[int] = []
    for n, head in enumerate(heads):
        while stack and heads[stack[-1]].level >= head.level:
            ends[stack.pop()] = head.start
        stack.append(n)
    return ends


def _with_filled(blocks: list[Block]) -> list[Block]:
    """Mark each section filled when it or any section inside it has content."""
    filled_before = [0]
    for block in blocks:
        filled_before.append(filled_before[-1] + (0 if block.section.empty else 1))
    starts = [block.start for block in blocks]
    out = []
    for n, block in enumerate(blocks):
        last = max(bisect_left(starts, block.subtree_end), n + 1)
        filled = filled_before[last] - filled_before[n] > 0
        out.append(Block(replace(block.section, filled=filled), block.start, block.end,
                         block.subtree_end, block.head))
    return out


def _body_empty_reason(syntax: ModuleType, raw: str, cleaned: str) -> str | None:
    cleaned = _LIST_WORDS_RE.sub(" ", cleaned)
    if not _ALNUM_RE.search(cleaned):
        return "empty"
    if syntax.emphasis_only(raw):
        return "template hint"
    if instruction_reason(cleaned):
        return "template hint"
    if len(cleaned.split()) <= _SECTION_PLACEHOLDER_WORDS:
        text = _strip_markers(cleaned)
        reason = placeholder_reason(text)
        if reason == "XXXX placeholder" or (reason == "TODO marker"
                                            and not _LEADING_TODO_RE.match(text)):
            return None
        return reason
    return None


def _strip_markers(text: str) -> str:
    return re.sub(r"\[\s*(?:Mandatory|Optional|Obligatory)\s*\]", " ", text, flags=re.I).strip()


def _items(syntax: ModuleType, prepared: str, masked: str,
           blocks: list[Block]) -> tuple[list[Item], bool]:
    """Items of the check-list section; without one, known items anywhere in the text."""
    checklist = [b for b in blocks if b.section.key == "checklist"]
    complete = True
    found: list[Item] = []
    if checklist:
        for block in checklist:
            raws, done = syntax.items(masked, block.start, block.subtree_end)
            complete = complete and done
            found.extend(item for raw in raws for item in _resolve(syntax, raw, strict=False))
        return found, complete
    raws, complete = syntax.items(masked, 0, len(masked))
    return [item for raw in raws if _may_be_item(raw)
            for item in _resolve(syntax, raw, strict=True)], complete


_LABEL_GUESS_RE = lazy(r"[^:?\n]{1,100}[:?]")


def _may_be_item(raw: RawItem) -> bool:
    """Return False for list entries whose label cannot be a check-list item (cheap, no cleaning)."""
    text = raw.head if raw.head is not None else raw.tail[:120]
    match = _LABEL_GUESS_RE.match(text.lstrip(" *_`[{\\\t"))
    label = match.group(0) if match else text
    words = normalize_label(re.sub(r"\\[A-Za-z]+", " ", label)).split()
    return bool(words) and len(words) <= 16 and (
        any(w in _ITEM_WORDS for w in words[:3]) or raw.head is not None)


def _resolve(syntax: ModuleType, raw: RawItem, *, strict: bool) -> list[Item]:
    """Split a raw item into label and value and match the label; strict drops unknown labels."""
    split = _split(syntax, raw)
    if split is None:
        return []
    label, value, value_raw = split
    keys: tuple[str | None, ...] = split_item_keys(label)
    if not keys:
        words = normalize_label(label).split()
        if strict or not words or len(words) > 8 or label.lower().startswith(("http", "www")):
            return []
        keys = (None,)
    reason = placeholder_reason(value)
    if reason == "TODO marker" and substantive(value):
        reason = None  # "Yes - TODO (link)": an answer with a placeholder, flagged by the prose rules
    if reason is None and value_raw and syntax.emphasis_only(value_raw) and _hint_like(value):
        reason = "template hint"
    return [Item(key=key, label=label, value="" if reason else value, line=raw.line,
                 empty=reason is not None, empty_reason=reason) for key in keys]


def _split(syntax: ModuleType, raw: RawItem) -> tuple[str, str, str] | None:
    tail_clean = syntax.clean(raw.tail)
    if raw.head is not None:
        head = syntax.clean(raw.head)
        if head.endswith((":", "?")):
            return head.rstrip(":").strip(), tail_clean.lstrip(":").strip(), raw.tail
        if tail_clean.startswith(":"):
            return head, tail_clean[1:].strip(), raw.tail
        colon = head.find(":")
        if colon > 0 and not head[colon:].startswith("://"):
            inner = head[colon + 1:].strip()
            return head[:colon].strip(), f"{inner} {tail_clean}".strip(), raw.tail if not inner \
                else ""
        question = head.find("?")
        if 0 < question < len(head) - 1:
            rest = head[question + 1:].strip()
            return head[:question + 1], f"{rest} {tail_clean}".strip(), ""
        if normalize_label(head) in ITEM_ALIASES:
            return head, tail_clean, raw.tail
        return head, tail_clean, raw.tail
    colon = tail_clean.find(":")
    if 0 < colon <= 100 and not tail_clean[colon:].startswith("://"):
        return tail_clean[:colon].strip(), tail_clean[colon + 1:].strip(), ""
    return None


def _hint_like(value: str) -> bool:
    lowered = value.lower()
    return value.endswith("?") or len(value.split()) >= 5 or lowered.startswith(_HINT_WORDS)


def _mark_checklist_filled(blocks: list[Block], items: list[Item]) -> list[Block]:
    """A check-list section is as full as its items: empty when every item is."""
    if not items:
        return blocks
    any_value = any(not item.empty for item in items)
    out = []
    for block in blocks:
        if block.section.key == "checklist":
            section = replace(block.section, empty=not any_value,
                               empty_reason=None if any_value else "every item is empty",
                               text=block.section.text if any_value else "")
            block = Block(section, block.start, block.end, block.subtree_end, block.head)
        out.append(block)
    return out


def find_dois(text: str) -> list[Doi]:
    """Return each distinct DOI (10.NNNN/...) with the line it first appears on."""
    seen: set[str] = set()
    found: list[Doi] = []
    lines = LineCounter(text)
    for match in _DOI_RE.finditer(text):
        raw = match.group(0).replace("\\_", "_").replace("\\%", "%").split("\\", 1)[0]
        value = _trim_doi(raw)
        if "/" not in value or value.endswith("/") or value.lower() in seen:
            continue
        seen.add(value.lower())
        found.append(Doi(value=value, line=lines.at(match.start()),
                         placeholder=bool(re.search(r"X{3,}|x{4,}", value.split("/", 1)[1]))))
    return found


def _trim_doi(value: str) -> str:
    value = value.rstrip(".:)*_`~")
    while value.endswith(")") and value.count(")") > value.count("("):
        value = value[:-1]
    return value.rstrip(".:")
