"""SC AD/AE appendices (2024 template): contributions C_i, computational artifacts A_i.

The Artifact Description (AD) lists the paper's contributions and its artifacts (with DOIs and a
table of which contributions each supports), then describes every artifact in six parts: relation
to contributions, expected results, expected reproduction time, setup, execution and analysis. The
optional Artifact Evaluation (AE) part repeats setup, execution and analysis per artifact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ae.checklist.entries import entry_pattern, find_entries, references
from ae.checklist.model import Contribution, ScArtifact
from ae.checklist.outline import SYNTAXES, Outline, find_dois
from ae.checklist.patterns import lazy
from ae.checklist.placeholders import placeholder_reason

CONTRIBUTION_RE = entry_pattern("C", "contribution")
ARTIFACT_RE = entry_pattern("A", "artifact")
DESCRIBED = ("relation_to_contributions", "expected_results", "reproduction_time",
             "artifact_setup", "artifact_execution", "artifact_analysis")
EVALUATED = ("artifact_setup", "artifact_execution", "artifact_analysis")
_ID_IN_TITLE_RE = lazy(r"A\s*_?\s*\{?\s*(\d{1,3})")
_ROW_ID_RE = lazy(r"^\s*A\s*_?\s*\{?\s*(\d{1,3})\s*\}?\s*$")


def read_contributions(outline: Outline) -> tuple[Contribution, ...]:
    """Return the C_i contributions listed under the paper's main contributions."""
    block = outline.block("contributions")
    if block is None:
        return ()
    syntax = SYNTAXES[outline.syntax]
    text = outline.prepared[block.start:block.subtree_end]
    first = outline.prepared.count("\n", 0, block.start) + 1
    found: dict[str, Contribution] = {}
    for entry in find_entries(syntax, text, first, CONTRIBUTION_RE, "C"):
        body = re.sub(r"^\W*C\s*_?\s*\{?\d+\}?\W*", "", entry.text).strip()
        if placeholder_reason(body) is None and entry.id not in found:
            found[entry.id] = Contribution(id=entry.id, text=body, line=entry.line)
    return tuple(found.values())


@dataclass
class _Listed:
    """What the artifacts section says of one A_i: its line, text, DOIs and contributions."""

    line: int
    text: str = ""
    dois: tuple[str, ...] = ()
    contributions: tuple[str, ...] = ()


def read_artifacts(outline: Outline) -> tuple[ScArtifact, ...]:
    """Return the A_i artifacts: listed, tabled and described ones, merged by id."""
    syntax = SYNTAXES[outline.syntax]
    listed: dict[str, _Listed] = {}
    block = outline.block("artifacts")
    if block is not None:
        text = outline.prepared[block.start:block.subtree_end]
        first = outline.prepared.count("\n", 0, block.start) + 1
        for entry in find_entries(syntax, text, first, ARTIFACT_RE, "A"):
            first_line = syntax.clean(entry.raw.split("\n")[0])
            body = re.sub(r"^\W*\[?\W*A\s*_?\s*\{?\d+\}?\W*", "", first_line).strip()
            row_cells = re.split(r"&|\|", entry.raw.split("\n")[0])
            data = listed.setdefault(entry.id, _Listed(entry.line))
            if len(row_cells) > 2:
                data.contributions = references(syntax.clean(" ".join(row_cells[1:])), "C")
                continue
            data.text = body
            data.dois = tuple(d.value for d in find_dois(entry.raw) if not d.placeholder)
        _table_rows(syntax, text, listed, first)
        # "All computational artifacts may be archived under a single DOI": a DOI in the section
        # that no artifact line holds belongs to every artifact.
        own = {doi for data in listed.values() for doi in data.dois}
        shared = tuple(d.value for d in find_dois(text) if not d.placeholder and d.value not in own)
        if shared:
            for data in listed.values():
                if not data.dois:
                    data.dois = shared
    described, evaluated, lines = _identification(outline)
    ids = list(dict.fromkeys([*listed, *described, *evaluated]))
    artifacts = []
    for artifact_id in ids:
        data = listed.get(artifact_id) or _Listed(lines.get(artifact_id, 0))
        artifacts.append(ScArtifact(
            id=artifact_id, text=data.text, line=data.line, dois=data.dois,
            contributions=data.contributions,
            described=described.get(artifact_id, ()), evaluated=evaluated.get(artifact_id, ()),
            identified=artifact_id in described,
        ))
    return tuple(artifacts)


def _table_rows(syntax: object, text: str, listed: dict[str, _Listed], first: int) -> None:
    clean = SYNTAXES["latex"].clean if "\\" in text else SYNTAXES["markdown"].clean
    for i, line in enumerate(text.split("\n")):
        cells = [c for c in re.split(r"&|\|", line)]
        if len(cells) < 3:
            continue
        if not line.strip().startswith("|") and "&" not in line:
            continue
        if line.strip().startswith("|"):
            cells = cells[1:]
        match = _ROW_ID_RE.match(clean(cells[0]))
        if not match:
            continue
        artifact_id = f"A{int(match.group(1))}"
        listed.setdefault(artifact_id, _Listed(first + i)).contributions = references(
            clean(" ".join(cells[1:])), "C")


def _identification(
    outline: Outline,
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], dict[str, int]]:
    """Group the six per-artifact parts under the artifact heading that precedes them."""
    evaluation_start = next((b.start for b in outline.blocks if b.section.key == "ae"), None)
    described: dict[str, list[str]] = {}
    evaluated: dict[str, list[str]] = {}
    lines: dict[str, int] = {}
    current: str | None = None
    current_level = 0
    for block in outline.blocks:
        section = block.section
        if section.key == "artifact":
            match = _ID_IN_TITLE_RE.search(section.title)
            current = f"A{int(match.group(1))}" if match else None
            current_level = section.level
            if current:
                lines.setdefault(current, section.line)
                in_ae = evaluation_start is not None and block.start > evaluation_start
                (evaluated if in_ae else described).setdefault(current, [])
            continue
        if current is None:
            continue
        if section.level < current_level or section.key in ("ad", "ae", "identification"):
            current = None
            continue
        if section.key in DESCRIBED and section.filled:
            in_ae = evaluation_start is not None and block.start > evaluation_start
            target = evaluated if in_ae else described
            target.setdefault(current, [])
            if section.key not in target[current]:
                target[current].append(section.key)
    return ({k: tuple(v) for k, v in described.items()},
            {k: tuple(v) for k, v in evaluated.items()}, lines)
