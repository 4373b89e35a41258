"""One metric over many points: a value, an interval and a count per point, vectorised (numpy).

The value is the metric's statistic: over the counted repetitions of a reproduced point, or read
from the stored CK statistics of an imported one (`ckp-*.flat.json` were edited after recording in
real repositories, so a stored `#min` is taken as it is, never recomputed from `#all` or from the
sub-points).

The interval is what ties are judged on. For statistics that place a value (`#min #max #mean
#center #exp`) it is the distribution-free 95 % confidence interval of the median of the
repetitions — order statistics x(j) and x(n+1-j), j the largest with P(Binomial(n, ½) < j) <= 2.5 %
([min, max] up to 8 repetitions, the widest there is) — widened to hold the value itself. An imported
point without its `#all` list uses its stored [#min, #max]. Other statistics (`#range`,
`#repeats` …) and meta values have no interval: it is the value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from operator import attrgetter, methodcaller
from typing import Any

import numpy as np
import numpy.typing as npt

from ae.tournaments.definition import LOCATION_STATISTICS, Metric
from ae.tournaments.points import Point

Floats = npt.NDArray[np.float64]
_EXACT_UP_TO = 400


@dataclass
class Column:
    """A metric's values over a list of points (NaN where a point has none)."""

    value: Floats
    low: Floats
    high: Floats
    count: npt.NDArray[np.int64]
    notes: dict[int, str] = field(default_factory=dict)


@cache
def _lower_rank(n: int) -> int:
    """Return j (1-based): [x(j), x(n+1-j)] is the 95 % order-statistic CI of the median of n values."""
    if n > _EXACT_UP_TO:
        return max(1, math.floor(n / 2 - 0.98 * math.sqrt(n)))
    total, j, cdf = 2.0 ** -n, 0, 0.0
    for k in range(n + 1):  # cdf = P(Binomial(n, 1/2) <= k)
        cdf += math.comb(n, k) * total
        if cdf > 0.025:
            break
        j = k + 1
    return max(1, j)


def median_interval(values: Sequence[float]) -> tuple[float, float]:
    """Return the distribution-free 95 % CI of the median of `values` (the module's rule)."""
    ordered = sorted(values)
    j = _lower_rank(len(ordered))
    return ordered[j - 1], ordered[len(ordered) - j]


@dataclass(frozen=True)
class Gathered:
    """What every metric reads from the points, gathered once per board."""

    points: Sequence[Point]
    samples: list[Mapping[str, Sequence[float]]]
    metas: list[Mapping[str, Any]]
    stored: list[int]  # the points with stored CK statistics (imported)

    @classmethod
    def of(cls, points: Sequence[Point]) -> Gathered:
        """Gather the samples, meta and stored statistics of `points`."""
        return cls(points, list(map(attrgetter("samples"), points)), list(map(attrgetter("meta"), points)),
                   [i for i, flat in enumerate(map(attrgetter("flat"), points)) if flat])


def measure(metric: Metric, points: Sequence[Point] | Gathered) -> Column:
    """Return the metric's column over `points`."""
    gathered = points if isinstance(points, Gathered) else Gathered.of(points)
    n = len(gathered.points)
    column = Column(np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan), np.zeros(n, np.int64))
    if metric.from_meta:
        _from_meta(metric, gathered.metas, column)
        return column
    sample_key = metric.sample_key
    if sample_key is not None:
        found = list(map(methodcaller("get", sample_key), gathered.samples))
        rows = [i for i, values in enumerate(found) if values]
        if rows:
            _from_samples(metric, np.asarray(rows, dtype=np.int64), [found[i] or () for i in rows], column)
    else:
        column.notes.update((i, f"{metric.key} is not measured by our runs")
                            for i, s in enumerate(gathered.samples) if s)
    _from_stored(metric, gathered, column)
    return column


def _from_meta(metric: Metric, metas: list[Mapping[str, Any]], column: Column) -> None:
    raw = list(map(methodcaller("get", metric.key), metas))
    if {type(v) for v in raw} <= {int, float, type(None)}:  # the common case, vectorised
        values = np.array([np.nan if v is None else v for v in raw], dtype=np.float64)
        values[~np.isfinite(values)] = np.nan
        column.value[:] = column.low[:] = column.high[:] = values
        column.count[:] = ~np.isnan(values)
        return
    for i, value in enumerate(raw):
        if value is None or value == "":
            continue
        number = _number(value)
        if number is None:
            column.notes[i] = f"{metric.key} is not a number ({value!r})"
            continue
        column.value[i] = column.low[i] = column.high[i] = number
        column.count[i] = 1


def _number(raw: object) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw) if math.isfinite(raw) else None
    if isinstance(raw, str):
        try:
            value = float(raw.strip().lstrip("$").replace(",", ""))
        except ValueError:
            return None
        return value if math.isfinite(value) else None
    return None


def _from_stored(metric: Metric, gathered: Gathered, column: Column) -> None:
    """Read the stored statistic of each imported point; intervals from its `#all`, else [#min, #max]."""
    flat_key, every_key = metric.flat_key, f"{metric.key}#all"
    location = metric.statistic in LOCATION_STATISTICS
    listed: list[int] = []
    lists: list[Sequence[float]] = []
    for i in gathered.stored:
        if not np.isnan(column.value[i]):
            continue  # measured by a run as well: the run's samples win
        point = gathered.points[i]
        flat = point.flat
        raw = flat.get(flat_key)
        if raw is None:
            column.notes[i] = f"{flat_key} is not among the stored statistics"
            continue
        if type(raw) not in (float, int) or not math.isfinite(raw):
            column.notes[i] = f"{flat_key} holds {raw!r}, not a number"
            continue
        value = float(raw)
        if point.zero_is_missing and value == 0.0:
            column.notes[i] = f"{flat_key} recorded 0.0, read as not measured"
            continue
        repeats = flat.get(f"{metric.key}#repeats")
        column.value[i] = column.low[i] = column.high[i] = value
        column.count[i] = repeats if type(repeats) is int and repeats > 0 else 1
        if not location:
            continue
        every = flat.get(every_key)
        if isinstance(every, list) and every and all(type(v) in (float, int) for v in every):
            listed.append(i)
            lists.append(every)
            continue
        low, high = (_number(flat.get(f"{metric.key}#{s}")) for s in ("min", "max"))
        if low is not None and high is not None:
            column.low[i], column.high[i] = min(low, value), max(high, value)
    if listed:
        rows = np.asarray(listed, dtype=np.int64)
        data, n = _matrix(lists)
        ok = n > 0
        rows, data, n = rows[ok], data[ok], n[ok]
        lows, highs = _median_intervals(data, n)
        column.low[rows] = np.minimum(lows, column.value[rows])
        column.high[rows] = np.maximum(highs, column.value[rows])
        column.count[rows] = n


def _matrix(lists: list[Sequence[float]]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Return the lists as rows sorted ascending (non-finite values dropped, NaN-padded) and their counts."""
    counts = np.fromiter(map(len, lists), np.int64, len(lists))
    values = np.fromiter(chain.from_iterable(lists), np.float64, int(counts.sum()))
    width = int(counts.max())
    if (counts == width).all():  # the common case: as many repetitions everywhere
        data = values.reshape(len(lists), width)
    else:
        data = np.full((len(lists), width), np.nan)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        columns = np.arange(values.size) - np.repeat(starts, counts)
        data[np.repeat(np.arange(len(lists)), counts), columns] = values
    finite = np.isfinite(data)
    data[~finite] = np.nan
    data.sort(axis=1)  # NaN last
    return data, finite.sum(axis=1)


def _median_intervals(data: npt.NDArray[np.float64], n: npt.NDArray[np.int64]) -> tuple[Floats, Floats]:
    """Return the order-statistic 95 % CI of the median of each sorted row (module docstring)."""
    table = np.array([_lower_rank(k) for k in range(int(n.max()) + 1)], dtype=np.int64)
    j, index = table[n], np.arange(len(n))
    return data[index, j - 1], data[index, n - j]


def _from_samples(metric: Metric, rows: npt.NDArray[np.int64], lists: list[Sequence[float]],
                  column: Column) -> None:
    counts = np.fromiter(map(len, lists), np.int64, len(lists))
    data, n = _matrix(lists)
    for r in (n != counts).nonzero()[0]:
        column.notes[int(rows[r])] = f"{metric.sample_key}: a repetition is not a finite number"
    ok = n > 0
    data, n, rows = data[ok], n[ok], rows[ok]
    if not len(rows):
        return
    index = np.arange(len(rows))
    vmin, vmax = data[:, 0], data[index, n - 1]
    total = np.where(np.isnan(data), 0.0, data).sum(axis=1)
    statistic = metric.statistic
    if statistic == "exp":
        for r in rows:
            column.notes[int(r)] = "#exp (CK's kernel-density estimate) is not computed from our runs"
        return
    with np.errstate(divide="ignore", invalid="ignore"):
        values = {
            "min": vmin, "max": vmax, "mean": total / n, "center": (vmin + vmax) / 2,
            "range": vmax - vmin, "halfrange": (vmax - vmin) / 2,
            "range_percent": np.where(vmin != 0, (vmax - vmin) / vmin, np.nan),
            "repeats": n.astype(np.float64),
        }[str(statistic)]
    if statistic in LOCATION_STATISTICS:
        low, high = _median_intervals(data, n)
        low, high = np.minimum(low, values), np.maximum(high, values)
    else:
        low = high = values
    column.value[rows], column.low[rows], column.high[rows], column.count[rows] = values, low, high, n
