"""USENIX/EuroSys appendices: major claims "(C1)" and experiments "(E1)" with time estimates.

The template asks authors to enumerate the paper's claims, each proven by named experiments, and to
describe each experiment in [How to]/[Preparation]/[Execution]/[Results] blocks with an estimate
such as "[30 human-minutes + 1 compute-hour]". Entries still written entirely in italics are the
template's own examples and are skipped.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import TypeVar

from ae.checklist.entries import entry_pattern, find_entries, minutes, numbered_items, references
from ae.checklist.model import Experiment, MajorClaim, TimeEstimate
from ae.checklist.outline import SYNTAXES, Block, Outline
from ae.checklist.patterns import lazy
from ae.checklist.placeholders import placeholder_reason

CLAIM_RE = entry_pattern("C", "major\\s+claim|claim")
EXPERIMENT_RE = entry_pattern("E", "experiment|exp\\.?")
_BLOCK_RE = lazy(r"(?:^|[\s\[(*#])(how[ \t]+to|preparation|execution|results)[ \t]*(?:\]|:|$)",
                       re.IGNORECASE | re.MULTILINE)
_BRACKETS_RE = lazy(r"\[([^\[\]]*)\]")
_T = TypeVar("_T", MajorClaim, Experiment)


def read_claims(outline: Outline) -> tuple[MajorClaim, ...]:
    """Return the major claims, from their section or, without one, from the whole text.

    Claims are "(C1): ...", "Claim 1: ..." or "Main Result 1: ..." entries; a claims section
    that only numbers its claims ("1. ...", "2. ...") gives C1, C2, ... in that order.
    """
    syntax = SYNTAXES[outline.syntax]
    text, first = _region(outline, "major_claims", stop_at="experiments")
    entries = [e for e in find_entries(syntax, text, first, CLAIM_RE, "C")
               if not _is_example(syntax, e.raw, e.head) and placeholder_reason(e.head) != "empty"]
    if not entries and outline.block("major_claims") is not None:
        entries = numbered_items(text, first, "C")
    claims = []
    for entry in entries:
        body = re.sub(r"^\W*C\s*_?\s*\{?\d+\}?\W*", "", entry.text).strip()
        claims.append(MajorClaim(id=entry.id, text=body or entry.head, line=entry.line,
                                 experiments=references(entry.text, "E")))
    return tuple(_unique(claims))


def read_experiments(outline: Outline) -> tuple[Experiment, ...]:
    """Return the experiments, from their section or, without one, from the whole text."""
    syntax = SYNTAXES[outline.syntax]
    text, first = _region(outline, "experiments")
    experiments = []
    for entry in find_entries(syntax, text, first, EXPERIMENT_RE, "E"):
        if _is_example(syntax, entry.raw, entry.head):
            continue
        head = entry.head
        estimate = _estimate(head) or _estimate(entry.text)
        named = [m.group(1).strip() for m in _BRACKETS_RE.finditer(head) if not _is_time(m.group(1))]
        if named and head.lstrip().startswith("["):
            name = named[0]
        else:
            name = _BRACKETS_RE.sub(lambda m: "" if _is_time(m.group(1)) else m.group(1), head)
            name = name.split(":", 1)[0].strip(" -–—.[]")
            name = re.sub(r"\s*\(\s*E\s*\d+\s*\)$", "", name)
        blocks = tuple(dict.fromkeys(
            m.group(1).lower().replace("  ", " ") for m in _BLOCK_RE.finditer(entry.text)
        ))
        claims = tuple(c for c in references(entry.text, "C"))
        experiments.append(Experiment(id=entry.id, name=name, text=entry.text, line=entry.line,
                                      claims=claims, time=estimate, blocks=blocks))
    return tuple(_unique(experiments))


def _region(outline: Outline, key: str, stop_at: str | None = None) -> tuple[str, int]:
    block: Block | None = outline.block(key)
    if block is None:
        return outline.prepared, 1
    # The entries may follow as sibling headings ("### Experiments" then "### Experiment 1: ..."):
    # the region runs to the end of the enclosing section.
    level = block.section.level
    parents = [b for b in outline.blocks
               if b.start < block.start and b.section.level < level and b.subtree_end >= block.end]
    end = parents[-1].subtree_end if parents else len(outline.prepared)
    if stop_at:
        other = outline.block(stop_at)
        if other is not None and block.start < other.start < end:
            end = other.head if other.head >= 0 else other.start
    start = outline.prepared.rfind("\n", 0, block.start) + 1
    return outline.prepared[start:end], outline.prepared.count("\n", 0, start) + 1


_EXAMPLE_RE = lazy(
    r"your paper|\[optional name\]|provide a short explanation|\[ibid\]|system\\?_name",
    re.IGNORECASE)
_EXAMPLE_HEAD_RE = lazy(r"^\W*(?:example\s+)?name\W*$", re.IGNORECASE)


def _is_example(syntax: ModuleType, raw: str, head: str = "") -> bool:
    """Return True for the template's own examples: italic, or written about "your paper"."""
    return bool(syntax.emphasis_only(raw) or _EXAMPLE_RE.search(raw)
                or _EXAMPLE_HEAD_RE.match(head))


def _is_time(text: str) -> bool:
    human, compute = minutes(text)
    return human is not None or compute is not None


def _estimate(text: str) -> TimeEstimate | None:
    for match in _BRACKETS_RE.finditer(text):
        if _is_time(match.group(1)):
            human, compute = minutes(match.group(1))
            return TimeEstimate(text=match.group(1).strip(), human_minutes=human,
                                compute_minutes=compute)
    human, compute = minutes(text)
    if human is None and compute is None:
        return None
    return TimeEstimate(text=text.strip()[:120], human_minutes=human, compute_minutes=compute)


def _unique(entries: list[_T]) -> list[_T]:
    seen: set[str] = set()
    out = []
    for entry in entries:
        if entry.id not in seen:
            seen.add(entry.id)
            out.append(entry)
    return out
