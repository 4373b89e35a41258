"""Outliers among crowd results: flagged, never hidden.

Rule: within one group (a configuration on one hardware class), a result's median of a metric is an
outlier when its modified z-score (0.6745 · |x − median| / MAD, Iglewicz and Hoaglin) exceeds 3.5; a
group needs at least three results to say so. Where every value equals the median (MAD 0) a value
that differs is an outlier.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping

THRESHOLD = 3.5
MIN_GROUP = 3


def outliers(values: Mapping[str, float]) -> dict[str, float]:
    """Return the ids of `values` (id -> value) that are outliers, with their modified z-score."""
    if len(values) < MIN_GROUP:
        return {}
    centre = statistics.median(values.values())
    mad = statistics.median(abs(v - centre) for v in values.values())
    found = {}
    for key, value in values.items():
        if mad == 0:
            if value != centre:
                found[key] = float("inf")
            continue
        score = 0.6745 * abs(value - centre) / mad
        if score > THRESHOLD:
            found[key] = score
    return found
