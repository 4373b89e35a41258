"""A board as CSV (one row per point, one group of columns per metric) or as JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from ae.reports.tournament import Plot, TournamentReport
from ae.tournaments.scoreboard import Scoreboard

_PER_METRIC = ("", "_low", "_high", "_n", "_claimed", "_place", "_ties", "_violates", "_note")


def header(board: Scoreboard) -> list[str]:
    """Return the CSV header of a board."""
    metrics = [f"{m.name}{suffix}" for m in board.tournament.metrics for suffix in _PER_METRIC]
    return ["entry", "configuration", "provenance", "status", "front", "ranked", "reasons", *metrics,
            *board.tournament.entry_meta, "notes", "id"]


def to_csv(board: Scoreboard) -> str:
    """Return the board as CSV, in board order (numbers unrounded; empty where there is none)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header(board))
    for row in board.rows():
        cells: list[Any] = []
        for metric in board.tournament.metrics:
            c = row.cells[metric.name]
            ties = c.ties if c.place else None
            cells += [c.value, c.low, c.high, c.n, c.claimed, c.place, ties, c.violates, c.note]
        p = row.point
        writer.writerow(_blank([p.entry, p.configuration, p.provenance, p.status, row.front, row.ranked,
                                "; ".join(row.reasons), *cells,
                                *(row.meta.get(k) for k in board.tournament.entry_meta),
                                "; ".join(p.notes), p.id]))
    return out.getvalue()


def _blank(values: list[Any]) -> list[Any]:
    return ["" if v is None else v for v in values]


def to_json(board: Scoreboard) -> str:
    """Return the board as JSON: its rules, shape and every row."""
    return json.dumps(board.to_dict(), indent=1, sort_keys=True, allow_nan=False) + "\n"


def to_report(board: Scoreboard, *, conference: str, published: bool = False,
              plots: Sequence[tuple[str, str]] = (), notes: Sequence[str] = ()) -> TournamentReport:
    """Return the plain data of a tournament report of the board (`plots`: caption and SVG)."""
    t = board.tournament
    metrics = [{"name": m.name, "label": m.label or m.name, "key": m.flat_key, "arrow": m.direction.arrow,
                "better": m.direction.words, "unit": m.unit} for m in t.metrics]
    rules = [f"constraint: {c.text}" for c in t.constraints]
    rules.append(f"fronts over {', '.join(m.name for m in board.front_metrics)}")
    rules.append(f"ranked: {', '.join(sorted(t.ranked))}")
    if t.pools is not None:
        rules.append(f"runs on pools: {', '.join(t.pools)}")
    if t.skip_first or t.last:
        rules.append(f"repetitions: the first {t.skip_first} of each run dropped"
                     + (f", then the last {t.last} counted" if t.last else ""))
    rows = []
    for row in board.rows():
        cells = {}
        for m in t.metrics:
            c = row.cells[m.name]
            text = c.text + (f" (claimed {c.claimed_text})" if c.claimed_text else "")
            cells[m.name] = text + (f" ✗ {c.violates}" if c.violates else "")
        rows.append({"entry": row.point.entry, "configuration": row.point.configuration,
                     "provenance": str(row.point.provenance), "front": row.front, "cells": cells,
                     "reasons": "; ".join(row.reasons)})
    return TournamentReport(title=t.name, conference=conference, summary=board.summary(), metrics=metrics,
                            rules=rules, rows=rows, description=t.description, published=published,
                            plots=[Plot(caption, svg) for caption, svg in plots], notes=list(notes))
