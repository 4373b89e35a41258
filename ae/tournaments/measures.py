"""One metric over many points: a value, an interval and a count per point, vectorised (numpy).

The value is the metric's statistic: over the counted repetitions of a reproduced point, or read
from the stored CK statistics of an imported one (`ckp-*.flat.json` were edited after recording in
real repositories, so a stored `#min` is taken as it is, never recomputed from `#all` or from the
sub-points).

The interval is what ties are judged on. For statistics that place a value (`#min #max #mean
#center #exp`) it is the distribution-free 95 % confidence interval of the median of the
repetitions — order statistics x(j) and x(n+1-j), j the largest with P(Binomial(n, ½) < j) <= 2.5 %
(all of them, [min, max], below 6 repetitions) — widened to hold the value itself. An imported
point without its `#all` list uses its stored [#min, #max]. Other statistics (`#range`,
`#repeats` …) and meta values have no interval: it is the value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

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


def measure(metric: Metric, points: Sequence[Point]) -> Column:
    """Return the metric's column over `points`."""
    n = len(points)
    column = Column(np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan), np.zeros(n, np.int64))
    if metric.from_meta:
        _from_meta(metric, points, column)
        return column
    sample_key = metric.sample_key
    rows: list[int] = []
    lists: list[Sequence[float]] = []
    for i, point in enumerate(points):
        values = point.samples.get(sample_key) if sample_key is not None else None
        if values:
            rows.append(i)
            lists.append(values)
        elif point.flat:
            _from_flat(metric, point, i, column)
        elif point.samples and sample_key is None:
            column.notes[i] = f"{metric.key} is not measured by our runs"
    if rows:
        _from_samples(metric, np.asarray(rows), lists, column)
    return column


def _from_meta(metric: Metric, points: Sequence[Point], column: Column) -> None:
    for i, point in enumerate(points):
        raw = point.meta.get(metric.key)
        if raw is None or raw == "":
            continue
        number = _number(raw)
        if number is None:
            column.notes[i] = f"{metric.key} is not a number ({raw!r})"
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


def _from_flat(metric: Metric, point: Point, i: int, column: Column) -> None:
    flat = point.flat
    raw = flat.get(metric.flat_key)
    if raw is None:
        column.notes[i] = f"{metric.flat_key} is not among the stored statistics"
        return
    value = _number(raw) if not isinstance(raw, str) else None
    if value is None:
        column.notes[i] = f"{metric.flat_key} holds {raw!r}, not a number"
        return
    if point.zero_is_missing and value == 0.0:
        column.notes[i] = f"{metric.flat_key} recorded 0.0, read as not measured"
        return
    low = high = value
    repeats = flat.get(f"{metric.key}#repeats")
    count = int(repeats) if isinstance(repeats, int) and not isinstance(repeats, bool) else 1
    if metric.statistic in LOCATION_STATISTICS:
        every = flat.get(f"{metric.key}#all")
        numbers = [v for v in every if _number(v) is not None and not isinstance(v, str)] \
            if isinstance(every, list) else []
        if numbers:
            low, high = median_interval([float(v) for v in numbers])
            count = len(numbers)
        else:
            bounds = [_number(flat.get(f"{metric.key}#{s}")) for s in ("min", "max")]
            if bounds[0] is not None and bounds[1] is not None:
                low, high = bounds[0], bounds[1]
        low, high = min(low, value), max(high, value)
    column.value[i], column.low[i], column.high[i], column.count[i] = value, low, high, count


def _from_samples(metric: Metric, rows: npt.NDArray[np.int64], lists: list[Sequence[float]],
                  column: Column) -> None:
    counts = np.fromiter((len(v) for v in lists), np.int64, len(lists))
    width = int(counts.max())
    data = np.full((len(lists), width), np.nan)
    flat = np.fromiter((x for values in lists for x in values), np.float64, int(counts.sum()))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    cols = np.arange(flat.size) - np.repeat(starts, counts)
    data[np.repeat(np.arange(len(lists)), counts), cols] = flat
    finite = np.isfinite(data)
    bad = (finite.sum(axis=1) != counts).nonzero()[0]
    for r in bad:
        column.notes[int(rows[r])] = f"{metric.sample_key}: a repetition is not a finite number"
    data[~finite] = np.nan
    data.sort(axis=1)  # NaN last
    n = finite.sum(axis=1)
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
        j = np.fromiter((_lower_rank(int(k)) for k in n), np.int64, len(n))
        low = np.minimum(data[index, j - 1], values)
        high = np.maximum(data[index, n - j], values)
    else:
        low = high = values
    column.value[rows], column.low[rows], column.high[rows], column.count[rows] = values, low, high, n
