"""Claims drawn from the CK experiments an artifact recorded (`ck benchmark --record`).

A recorded experiment point is a claim the authors made with numbers: under these choices (program,
command, dataset) the characteristic came out at this value. Each chosen characteristic of each
point becomes an `approx` claim whose expected value is the point's recorded centre (`#center`,
else `#mean`), with the tolerance the appendix states as its maximum allowable variation, else the
conference default (left unset here, decided by the verdict policy).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ae.checklist.claims import Claim
from ae.checklist.patterns import lazy
from ae.checklist.tolerance import Tolerance
from ae.ck.experiment import ExperimentPoint, read_experiment
from ae.ck.index import CkIndex

DEFAULT_CHARACTERISTICS = ("execution_time",)

_VARIATION = lazy(
    r"(?:maximum\s+allowable\s+variation|allowable\s+variation|allowed\s+variation|"
    r"variation\s+of\s+(?:up\s+to|at\s+most))\D{0,60}?(\d+(?:\.\d+)?)\s*%",
    re.IGNORECASE | re.DOTALL,
)


def allowable_variation(text: str | None) -> Tolerance | None:
    """Return the appendix's stated maximum allowable variation (10 % -> a relative 0.1)."""
    match = _VARIATION.search(text or "")
    if not match:
        return None
    value = float(match.group(1)) / 100
    return Tolerance(relative=value) if 0 < value < 1 else None


def _expected(point: ExperimentPoint, characteristic: str) -> float | None:
    for statistic in ("center", "mean"):
        value = point.flat.get(f"##characteristics#run#{characteristic}#{statistic}")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def claims_from_points(experiment: str, points: Iterable[ExperimentPoint], *,
                       programs: set[str], tolerance: Tolerance | None,
                       characteristics: Sequence[str] = DEFAULT_CHARACTERISTICS) -> list[Claim]:
    """Return one claim per recorded point and characteristic whose program is in `programs`."""
    claims = []
    for point in points:
        choices = point.choices
        program = str(choices.get("data_uoa") or "")
        if program not in programs:
            continue
        for characteristic in characteristics:
            expected = _expected(point, characteristic)
            if expected is None:
                continue
            claims.append(Claim(
                id=f"{experiment}:{point.uid[:8]}:{characteristic}",
                text=(f"recorded CK experiment {experiment}, point {point.uid}: {characteristic} "
                      f"of {program} was {expected:.6g}"),
                metric=characteristic, expected=expected, relation="approx", tolerance=tolerance,
                program=program, cmd_key=choices.get("cmd_key") or None,
                dataset=choices.get("dataset_uoa") or None, source="ck-experiment",
            ))
    return claims


def claims_from_experiments(index: CkIndex, *, programs: set[str], appendix_text: str | None,
                            characteristics: Sequence[str] = DEFAULT_CHARACTERISTICS) -> list[Claim]:
    """Return claims for every recorded experiment of the repositories that replays one of `programs`."""
    tolerance = allowable_variation(appendix_text)
    claims: list[Claim] = []
    for entry in index.search("experiment"):
        claims += claims_from_points(entry.uoa, read_experiment(entry), programs=programs,
                                     tolerance=tolerance, characteristics=characteristics)
    return claims
