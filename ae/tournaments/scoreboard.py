"""The scoreboard: every point with its values, the constraints it breaks, its front and its places.

Rules (DESIGN §10):
- a point is *ranked* when it is measured, its provenance is one the rules rank, it has a value for
  every metric of the fronts and of the constraints, and it breaks no constraint; every other
  point is still shown, with the reasons it is not ranked (a broken constraint is shown, never
  hidden);
- the fronts are the non-dominated sorting of the ranked points over the chosen metrics
  (`ae.tournaments.pareto`), 1 for the frontier;
- a ranked point's *place* on a metric is 1 + the number of ranked points whose interval lies
  entirely on the better side of its own; points whose intervals overlap are statistically tied
  (`ties` counts them), so tied points can share a place;
- the board sorts by any column, best first by default, points without a value last; equal values
  keep the order the points came in (the service gives them by entry, then configuration);
- nothing is stored: the board is computed from the points and the rules each time, so a change of
  rules re-ranks at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from ae.tournaments import pareto
from ae.tournaments.definition import Direction, Metric, Tournament
from ae.tournaments.measures import Column, Gathered, measure
from ae.tournaments.points import Point, PointStatus

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Cell:
    """One metric of one point on the board."""

    value: float | None
    low: float | None
    high: float | None
    n: int
    text: str
    claimed: float | None = None
    claimed_text: str = ""
    place: int | None = None
    ties: int = 0
    violates: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the cell as JSON-ready data."""
        return {"value": self.value, "low": self.low, "high": self.high, "n": self.n, "text": self.text,
                "claimed": self.claimed, "place": self.place, "ties": self.ties,
                "violates": self.violates, "note": self.note}


@dataclass(frozen=True)
class Row:
    """One point on the board."""

    point: Point
    cells: dict[str, Cell]
    front: int | None
    ranked: bool
    reasons: tuple[str, ...]
    meta: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Return the row as JSON-ready data."""
        p = self.point
        return {"id": p.id, "entry": p.entry, "entry_id": p.entry_id, "configuration": p.configuration,
                "provenance": str(p.provenance), "status": str(p.status), "front": self.front,
                "ranked": self.ranked, "reasons": list(self.reasons), "meta": self.meta,
                "notes": list(p.notes), "metrics": {name: c.to_dict() for name, c in self.cells.items()}}


@dataclass
class Scoreboard:
    """A tournament's points ranked and sorted under its rules (columnar; rows on demand)."""

    tournament: Tournament
    points: Sequence[Point]
    front_metrics: tuple[Metric, ...]
    sort: str
    descending: bool
    columns: dict[str, Column]
    front: Ints
    ranked: Bools
    order: Ints
    place: dict[str, Ints] = field(default_factory=dict)
    ties: dict[str, Ints] = field(default_factory=dict)
    violated: dict[str, Bools] = field(default_factory=dict)
    unranked_provenance: Bools = field(default_factory=lambda: np.zeros(0, bool))

    def reasons(self, i: int) -> list[str]:
        """Return why point `i` is not ranked (empty when it is)."""
        point, out = self.points[i], []
        if point.status is PointStatus.PENDING:
            out.append("not measured yet")
        elif point.status is PointStatus.FAILED:
            out.append(f"failed: {point.message}" if point.message else "failed")
        if self.unranked_provenance[i]:
            out.append(f"{point.provenance} points are not ranked in this tournament")
        for constraint in self.tournament.constraints:
            metric = self.tournament.metric(constraint.metric)
            value = self.columns[metric.name].value[i]
            if self.violated[constraint.text][i]:
                out.append(f"breaks {constraint.text} ({metric.format(float(value))})")
            elif np.isnan(value) and point.status is PointStatus.MEASURED:
                out.append(f"{constraint.metric} has no value, so {constraint.text} cannot be checked")
        if point.status is PointStatus.MEASURED:
            checked = {c.metric for c in self.tournament.constraints}
            out += [f"no value for {m.name}" for m in self.front_metrics
                    if np.isnan(self.columns[m.name].value[i]) and m.name not in checked]
        return out

    @property
    def front_count(self) -> int:
        """Return the number of fronts."""
        return int(self.front.max()) if len(self.front) else 0

    def __len__(self) -> int:
        return len(self.points)

    def rows(self, offset: int = 0, limit: int | None = None) -> list[Row]:
        """Return rows in board order (a page of them with `offset` and `limit`)."""
        chosen = self.order[offset:None if limit is None else offset + limit]
        return [self.row(int(i)) for i in chosen]

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows())

    def row(self, i: int) -> Row:
        """Return the row of point `i` (its index in `points`)."""
        point = self.points[i]
        cells = {}
        for metric in self.tournament.metrics:
            column = self.columns[metric.name]
            value = _opt(column.value[i])
            claimed = point.claimed.get(metric.key) if not metric.from_meta else None
            violates = None
            for constraint in self.tournament.constraints:
                if constraint.metric == metric.name and self.violated[constraint.text][i]:
                    violates = constraint.text
            place = int(self.place[metric.name][i]) if metric.name in self.place else 0
            cells[metric.name] = Cell(
                value=value, low=_opt(column.low[i]), high=_opt(column.high[i]), n=int(column.count[i]),
                text=metric.format(value), claimed=claimed,
                claimed_text=metric.format(claimed) if claimed is not None else "",
                place=place or None, ties=int(self.ties[metric.name][i]) if place else 0,
                violates=violates, note=column.notes.get(i))
        front = int(self.front[i]) or None
        meta = {key: point.meta.get(key) for key in self.tournament.entry_meta}
        ranked = bool(self.ranked[i])
        return Row(point=point, cells=cells, front=front, ranked=ranked,
                   reasons=() if ranked else tuple(self.reasons(i)), meta=meta)

    def summary(self) -> dict[str, Any]:
        """Return the board's shape: counts, the sort and the metrics of the fronts."""
        return {"points": len(self.points), "ranked": int(self.ranked.sum()), "fronts": self.front_count,
                "frontier": int((self.front == 1).sum()),
                "front_metrics": [m.name for m in self.front_metrics],
                "sort": self.sort, "descending": self.descending,
                "entries": len({p.entry for p in self.points})}

    def to_dict(self, offset: int = 0, limit: int | None = None) -> dict[str, Any]:
        """Return the rules, the board's shape and its rows as JSON-ready data."""
        return {"tournament": self.tournament.to_dict(), **self.summary(),
                "rows": [r.to_dict() for r in self.rows(offset, limit)]}


def _opt(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def build(tournament: Tournament, points: Sequence[Point], *, fronts: Sequence[str] | None = None,
          sort: str | None = None, descending: bool | None = None) -> Scoreboard:
    """Rank and sort `points` under `tournament`'s rules (module docstring)."""
    front_metrics = tournament.front_metrics(fronts)
    sort = tournament.check_column(sort or tournament.sort)
    n = len(points)
    gathered = Gathered.of(points)
    columns = {m.name: measure(m, gathered) for m in tournament.metrics}
    ranked = np.array(list(map(attrgetter("status"), points)), dtype=object) == PointStatus.MEASURED
    ranked = ranked.astype(bool)
    provenance = np.array(list(map(attrgetter("provenance"), points)), dtype=object)
    unranked_provenance = np.zeros(n, bool)
    for kind in set(provenance.tolist()) - set(tournament.ranked):
        unranked_provenance |= (provenance == kind).astype(bool)
    ranked &= ~unranked_provenance
    violated: dict[str, Bools] = {}
    for constraint in tournament.constraints:
        values = columns[constraint.metric].value
        present = ~np.isnan(values)
        holds = np.zeros(n, bool)
        holds[present] = _vector_holds(values[present], constraint.op, constraint.value)
        violated[constraint.text] = present & ~holds
        ranked &= holds
    for metric in front_metrics:
        ranked &= ~np.isnan(columns[metric.name].value)
    front = np.zeros(n, np.int64)
    chosen = ranked.nonzero()[0]
    if len(chosen):
        matrix = np.column_stack([columns[m.name].value[chosen] for m in front_metrics])
        front[chosen] = pareto.fronts(matrix, [m.direction is Direction.MAX for m in front_metrics])
    place, ties = {}, {}
    for metric in tournament.metrics:
        place[metric.name], ties[metric.name] = _places(columns[metric.name], ranked, metric.direction)
    board = Scoreboard(tournament=tournament, points=points, front_metrics=front_metrics, sort=sort,
                       descending=False, columns=columns, front=front, ranked=ranked,
                       order=np.arange(n), place=place, ties=ties, violated=violated,
                       unranked_provenance=unranked_provenance)
    board.descending, board.order = _order(board, sort, descending)
    return board


def _vector_holds(values: npt.NDArray[np.float64], op: str, bound: float) -> Bools:
    result: Bools = {">=": values >= bound, "<=": values <= bound, ">": values > bound,
                     "<": values < bound}[op]
    return result


def _places(column: Column, ranked: Bools, direction: Direction) -> tuple[Ints, Ints]:
    """Return each point's place (0: none) and the number of ranked points tied with it."""
    n = len(ranked)
    place, ties = np.zeros(n, np.int64), np.zeros(n, np.int64)
    chosen = (ranked & ~np.isnan(column.value)).nonzero()[0]
    if not len(chosen):
        return place, ties
    low, high = column.low[chosen], column.high[chosen]
    lows, highs = np.sort(low), np.sort(high)
    below = np.searchsorted(highs, low, side="left")          # intervals entirely below this one
    above = len(chosen) - np.searchsorted(lows, high, side="right")  # entirely above
    better = below if direction is Direction.MIN else above
    place[chosen] = better + 1
    ties[chosen] = len(chosen) - below - above - 1
    return place, ties


def _order(board: Scoreboard, sort: str, descending: bool | None) -> tuple[bool, Ints]:
    """Return (descending, point indices in board order) for a sort column."""
    points = board.points
    base = np.arange(len(points))  # ties keep the order the points came in (entry, configuration)
    names = board.tournament.metric_names()
    if sort == "front" or sort in names:
        metric = board.front_metrics[0] if sort == "front" else board.tournament.metric(sort)
        natural = metric.direction is Direction.MAX
        flip = natural if descending is None or sort == "front" else descending
        key = _numeric_key(board.columns[metric.name].value, flip)
        order = base[np.argsort(key[base], kind="stable")]
        if sort == "front":
            flip_front = bool(descending)
            fronts = board.front.astype(np.float64)
            fronts[fronts == 0] = np.nan
            order = order[np.argsort(_numeric_key(fronts, flip_front)[order], kind="stable")]
            return flip_front, order
        return flip, order
    values = [_text_value(board, i, sort) for i in range(len(points))]
    numbers = [v for v in values if v is not None]
    flip = bool(descending)
    if numbers and all(isinstance(v, int | float) for v in numbers):
        key = _numeric_key(np.array([np.nan if v is None else float(v) for v in values]), flip)
    else:
        ranks = {v: r for r, v in enumerate(sorted({str(v) for v in numbers}))}
        key = _numeric_key(np.array([np.nan if v is None else ranks[str(v)] for v in values],
                                    dtype=np.float64), flip)
    return flip, base[np.argsort(key[base], kind="stable")]


def _numeric_key(values: npt.NDArray[np.float64], descending: bool) -> npt.NDArray[np.float64]:
    key = -values if descending else values.copy()
    key[np.isnan(key)] = np.inf  # no value: last, whichever way the column is sorted
    return key


def _text_value(board: Scoreboard, i: int, column: str) -> Any:
    point = board.points[i]
    if column in ("entry", "configuration", "provenance", "status"):
        return str(getattr(point, column))
    value = point.meta.get(column)
    if isinstance(value, bool) or value == "":
        return None if value == "" else str(value)
    return value


def points_by_entry(board: Scoreboard) -> Mapping[str, list[Row]]:
    """Return the board's rows grouped by entry, in board order."""
    grouped: dict[str, list[Row]] = {}
    for row in board.rows():
        grouped.setdefault(row.point.entry, []).append(row)
    return grouped
