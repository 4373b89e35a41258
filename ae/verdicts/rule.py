"""Verdicts: does a set of measured repetitions reproduce a claim?

The rule is a test of *equivalence*, not of difference (DESIGN §7). For each repetition we take the
ratio r = measured / expected and bootstrap a confidence interval (95 % by default) of the median
ratio. The claim's tolerance (relative, or absolute converted through the expected value, else the
policy default of 8 %, CK replay's threshold) gives a band of acceptable ratios:

* ``approx``: reproduced when the whole CI lies inside [1 - tol, 1 + tol]; not reproduced when the
  whole CI lies outside it; otherwise inconclusive, and more repetitions are requested (an estimate
  from the CI half-width shrinking as 1/sqrt(n)) until the policy's maximum.
* ``at_most`` / ``at_least``: the same with a one-sided band (ratio <= 1 + tol, ratio >= 1 - tol).
  A negative expected value flips the direction of the ratio, so the band side flips with it.
* ``equal``: for the ``output`` metric, reproduced exactly when the outputs were compared and match;
  for a numeric metric (a count, a return code) every repetition must equal the expected value
  (within an explicit tolerance, if the claim gives one). Timings are never "equal".
* An expected value of 0 has no ratio: the median itself is compared with an absolute band
  [-tol_abs, +tol_abs] (a relative tolerance of 0 is 0).

A failed run, an output mismatch or a non-finite measurement is never "reproduced". Too few
repetitions give "inconclusive" with the missing count. Noise is flagged, not judged: a coefficient
of variation above the threshold (``high-cv``) and two separated groups of samples (``multimodal``,
see `_modes`).

The bootstrap is seeded and exact in distribution: the median of a resample of n sorted values is
fixed by which order statistics land in the middle, so instead of drawing n values per resample we
draw the middle order-statistic indices from their exact binomial law (two or three random numbers
per resample). Same samples, same policy, same Python version: same verdict, so a verdict can
always be recomputed from the stored samples.
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from random import Random
from typing import Any

from ae.checklist.claims import Claim
from ae.ck.flat import parse_key, split_statistic
from ae.errors import CkError, VerdictError


class Outcome(StrEnum):
    """A claim's verdict."""

    REPRODUCED = "reproduced"
    NOT_REPRODUCED = "not-reproduced"
    INCONCLUSIVE = "inconclusive"


OUTPUT_METRIC = "output"

# Multimodality: the widest gap between neighbouring sorted samples splits them into two groups of
# at least max(3, 20 % of n) samples each; the gap is at least 3 times the larger group's standard
# deviation and at least 2 % of the overall median (so timer quantisation is not a "mode").
_MODE_MIN_N = 6
_MODE_MIN_SHARE = 0.2
_MODE_GAP_SPREAD = 3.0
_MODE_MIN_GAP = 0.02
_EDGE_EPS = 1e-12
_MISSING = object()


@dataclass(frozen=True)
class VerdictPolicy:
    """The conference's knobs for turning repetitions into a verdict."""

    default_tolerance: float = 0.08
    min_repetitions: int = 3
    max_repetitions: int = 15
    confidence: float = 0.95
    bootstrap_resamples: int = 2000
    cv_threshold: float = 0.10
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0 < self.confidence < 1:
            raise VerdictError(f"Verdict policy: confidence must lie between 0 and 1 "
                               f"(got {self.confidence}).")
        if not 1 <= self.min_repetitions <= self.max_repetitions:
            raise VerdictError(
                f"Verdict policy: repetitions must satisfy 1 <= min_repetitions <= max_repetitions "
                f"(got {self.min_repetitions} and {self.max_repetitions})."
            )
        if self.bootstrap_resamples < 1 or self.default_tolerance < 0 or self.cv_threshold < 0:
            raise VerdictError("Verdict policy: bootstrap_resamples must be at least 1 and "
                               "default_tolerance and cv_threshold must not be negative.")


@dataclass(frozen=True)
class Verdict:
    """The outcome for one claim, with the numbers that justify it.

    `band` and `ratio_ci` are ratios (measured / expected) when `scale` is "ratio"; when the claimed
    value is 0, `scale` is "absolute", `band` is in the metric's unit and the ratios are None.
    `measured_ci` is always the CI of the median measured value, in the metric's unit.
    """

    claim_id: str
    outcome: str
    reason: str
    n: int
    measured_median: float | None
    ratio_median: float | None
    ratio_ci: tuple[float, float] | None
    band: tuple[float, float] | None
    noise: tuple[str, ...]
    more_repetitions: int
    measured_ci: tuple[float, float] | None = None
    scale: str = "ratio"

    def to_dict(self) -> dict[str, Any]:
        """Return the verdict as JSON-ready data (an open band end becomes None)."""
        data = asdict(self)
        for key in ("ratio_ci", "band", "measured_ci"):
            if data[key] is not None:
                data[key] = [v if math.isfinite(v) else None for v in data[key]]
        for key in ("measured_median", "ratio_median"):
            if data[key] is not None and not math.isfinite(data[key]):
                data[key] = None
        data["noise"] = list(self.noise)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Verdict:
        """Rebuild a verdict stored with `to_dict`."""
        def pair(key: str, low: float, high: float) -> tuple[float, float] | None:
            value = data.get(key)
            if value is None:
                return None
            return (low if value[0] is None else value[0], high if value[1] is None else value[1])

        return cls(
            claim_id=data["claim_id"], outcome=data["outcome"], reason=data["reason"], n=data["n"],
            measured_median=data.get("measured_median"), ratio_median=data.get("ratio_median"),
            ratio_ci=pair("ratio_ci", math.nan, math.nan),
            band=pair("band", -math.inf, math.inf), noise=tuple(data.get("noise", ())),
            more_repetitions=data.get("more_repetitions", 0),
            measured_ci=pair("measured_ci", math.nan, math.nan),
            scale=data.get("scale", "ratio"),
        )


def decide(claim: Claim, samples: Sequence[float], *, runs_ok: bool = True,
           outputs_ok: bool | None = None, policy: VerdictPolicy = VerdictPolicy()) -> Verdict:
    """Decide whether `samples` (one per repetition) reproduce `claim` (rule: module docstring)."""
    values = [float(x) for x in samples]
    base = _Base(claim, values, policy)
    if not runs_ok:
        return base.verdict(Outcome.NOT_REPRODUCED, "Not reproduced: a run of this claim failed, and a "
                            "failed run never counts as reproducing a result.")
    if outputs_ok is False:
        return base.verdict(Outcome.NOT_REPRODUCED, "Not reproduced: the program's outputs differ from "
                            "the reference outputs (see the output diff).")
    bad = [x for x in values if not math.isfinite(x)]
    if bad:
        return base.verdict(Outcome.NOT_REPRODUCED, f"Not reproduced: {len(bad)} of {len(values)} "
                            f"measurements of {claim.metric} are not finite numbers ({bad[0]}).")
    if claim.relation == "equal":
        return _decide_equal(base, outputs_ok)
    if claim.relation not in ("approx", "at_most", "at_least"):
        raise VerdictError(f'Claim "{claim.id}": unknown relation "{claim.relation}".')
    if claim.expected is None:
        return base.verdict(Outcome.INCONCLUSIVE, f'Inconclusive: the claim gives no expected value for '
                            f'{claim.metric}, so there is nothing to compare "{claim.relation}" with.')
    missing = base.missing_repetitions()
    if missing is not None:
        return missing
    return _decide_numeric(base, claim.expected)


def samples_for(claim: Claim, run_samples: Sequence[Mapping[str, Any]]) -> list[float]:
    """Pick the claim's metric from per-repetition characteristic dicts, in order.

    The metric may be a plain key (``execution_time``, found at the top or, if unique, nested), or
    a CK flat key (``##characteristics#run#execution_time``): looked up as a flat key, with its
    ``#all`` list, then as a nested path, then by its trailing path elements (so a repetition dict
    holding ``{"run": {...}}`` or ``{"execution_time": ...}`` works too). A statistic suffix such
    as ``#min`` that is not stored is dropped: each repetition contributes its own value. A list
    value contributes every element. Repetitions lacking the metric are skipped.
    """
    out: list[float] = []
    found = False
    for rep in run_samples:
        value = _lookup(rep, claim.metric, claim.id)
        if value is _MISSING or value is None:
            continue
        found = True
        out.extend(_numbers(value, claim))
    if run_samples and not found:
        keys = ", ".join(sorted(map(str, run_samples[0]))[:8]) or "none"
        raise VerdictError(
            f'Claim "{claim.id}": metric "{claim.metric}" is in none of the {len(run_samples)} '
            f"run records (keys of the first: {keys})."
        )
    return out


class _Base:
    """What every verdict of one decision shares: claim, samples, policy, noise."""

    def __init__(self, claim: Claim, values: list[float], policy: VerdictPolicy) -> None:
        self.claim, self.values, self.policy = claim, values, policy
        finite = [x for x in values if math.isfinite(x)]
        self.median = statistics.median(finite) if finite else None
        relative = claim.expected != 0
        self.noise, self.noise_text = _noise(finite, policy.cv_threshold, relative=relative)

    def verdict(self, outcome: str, reason: str, *, more: int = 0, **numbers: Any) -> Verdict:
        if self.noise_text:
            reason = f"{reason.rstrip('.')}; noisy: {self.noise_text}."
        return Verdict(
            claim_id=self.claim.id, outcome=outcome, reason=reason, n=len(self.values),
            measured_median=numbers.pop("measured_median", self.median),
            ratio_median=numbers.pop("ratio_median", None), ratio_ci=numbers.pop("ratio_ci", None),
            band=numbers.pop("band", None), noise=self.noise, more_repetitions=more,
            measured_ci=numbers.pop("measured_ci", None), scale=numbers.pop("scale", "ratio"),
        )

    def required(self) -> int:
        return max(self.policy.min_repetitions, self.claim.min_repetitions or 0)

    def missing_repetitions(self) -> Verdict | None:
        """Return an inconclusive verdict when there are fewer samples than required."""
        n, need, cap = len(self.values), self.required(), self.policy.max_repetitions
        if n >= need:
            return None
        if n >= cap:
            return self.verdict(Outcome.INCONCLUSIVE, f"Inconclusive: the claim needs {need} repetitions "
                                f"but only {n} ran and the maximum of {cap} is reached, so no "
                                "more are requested.")
        more = min(need, cap) - n
        return self.verdict(Outcome.INCONCLUSIVE, f"Inconclusive: {n} repetition{_s(n)} of at least "
                            f"{need} needed; {more} more {_are(more)} requested.", more=more)


def _decide_equal(base: _Base, outputs_ok: bool | None) -> Verdict:
    claim = base.claim
    if claim.metric == OUTPUT_METRIC or claim.expected is None:
        if outputs_ok:
            return base.verdict(Outcome.REPRODUCED, "Reproduced: the program's outputs match the "
                                "reference outputs.")
        return base.verdict(Outcome.INCONCLUSIVE, "Inconclusive: the outputs were not compared (no "
                            "reference outputs or no correctness files), and an equality claim is "
                            "never decided from measurements.")
    missing = base.missing_repetitions()
    if missing is not None:
        return missing
    expected = claim.expected
    allowed = claim.tolerance.allowed(expected) if claim.tolerance else 0.0
    off = [x for x in base.values if abs(x - expected) > allowed]
    within = f" within ±{_num(allowed)}" if allowed else ""
    if off:
        return base.verdict(Outcome.NOT_REPRODUCED, f"Not reproduced: {len(off)} of {len(base.values)} "
                            f"repetitions differ from the claimed {_qty(expected, claim)}{within} "
                            f"(e.g. {_num(off[0])}).")
    return base.verdict(Outcome.REPRODUCED, f"Reproduced: all {len(base.values)} repetitions equal the "
                        f"claimed {_qty(expected, claim)}{within}.")


def _decide_numeric(base: _Base, expected: float) -> Verdict:
    claim, policy, values = base.claim, base.policy, base.values
    lo, hi = _median_ci(values, policy)
    med = statistics.median(values)
    n, cap = len(values), policy.max_repetitions
    conf = f"{policy.confidence * 100:g} % CI"
    if expected == 0:
        tol = claim.tolerance.allowed(expected) if claim.tolerance else 0.0
        band = _band(claim.relation, -tol, tol)
        how = (f"absolute tolerance {claim.tolerance.describe()}" if claim.tolerance and tol
               else "no absolute tolerance given, and a relative tolerance of 0 is 0")
        ci, mid = (lo, hi), med
        said = (f"the claimed value is 0, so ratios are undefined and the median of {n} runs, "
                f"{_qty(med, claim)} ({conf} {_num(lo)} to {_num(hi)}), is compared with "
                f"{_band_text(band, False)} ({how})")
        numbers: dict[str, Any] = {"scale": "absolute"}
    else:
        tol, how = _tolerance(claim, expected, policy)
        relation = claim.relation
        if expected < 0 and relation != "approx":
            relation = "at_least" if relation == "at_most" else "at_most"
        band = _band(relation, 1 - tol, 1 + tol)
        first, second = sorted((lo / expected, hi / expected))
        ci = (first, second)
        mid = med / expected
        said = (f"the median of {n} runs, {_qty(med, claim)}, is {_ratio(mid)}× the claimed "
                f"{_qty(expected, claim)} ({conf} {_ratio(ci[0])}× to {_ratio(ci[1])}×), against "
                f"{_band_text(band, True)} ({how})")
        numbers = {"ratio_median": mid, "ratio_ci": ci}
    numbers.update(band=band, measured_ci=(lo, hi), measured_median=med)
    if band[0] - _eps(band[0]) <= ci[0] and ci[1] <= band[1] + _eps(band[1]):
        return base.verdict(Outcome.REPRODUCED, f"Reproduced: {said}; the interval lies inside.",
                            **numbers)
    if ci[1] < band[0] - _eps(band[0]) or ci[0] > band[1] + _eps(band[1]):
        return base.verdict(Outcome.NOT_REPRODUCED, f"Not reproduced: {said}; the interval lies "
                            "entirely outside.", **numbers)
    if n >= cap:
        return base.verdict(Outcome.INCONCLUSIVE, f"Inconclusive: {said}; the interval straddles the "
                            f"band edge and the maximum of {cap} repetitions is reached, so no "
                            "more are requested.", **numbers)
    more = _more_repetitions(n, cap, mid, ci, band)
    return base.verdict(Outcome.INCONCLUSIVE, f"Inconclusive: {said}; the interval straddles the band "
                        f"edge, so {more} more repetition{_s(more)} {_are(more)} requested.", more=more,
                        **numbers)


def _tolerance(claim: Claim, expected: float, policy: VerdictPolicy) -> tuple[float, str]:
    """Return the relative tolerance and how it was chosen."""
    if claim.tolerance is None:
        return policy.default_tolerance, f"default tolerance ±{_pct(policy.default_tolerance)}"
    rel = claim.tolerance.relative_to(expected)
    if claim.tolerance.relative is not None:
        return rel, f"tolerance {claim.tolerance.describe()}"
    return rel, f"absolute tolerance {claim.tolerance.describe(claim.unit)} = ±{_pct(rel)}"


def _band(relation: str, low: float, high: float) -> tuple[float, float]:
    if relation == "at_most":
        return (-math.inf, high)
    if relation == "at_least":
        return (low, math.inf)
    return (low, high)


def _band_text(band: tuple[float, float], ratio: bool) -> str:
    def show(value: float) -> str:
        return f"{_ratio(value)}×" if ratio else _num(value)

    if band[0] == -math.inf:
        return f"the allowed maximum {show(band[1])}"
    if band[1] == math.inf:
        return f"the allowed minimum {show(band[0])}"
    return f"the allowed band {show(band[0])} to {show(band[1])}"


def _eps(edge: float) -> float:
    return _EDGE_EPS * max(1.0, abs(edge)) if math.isfinite(edge) else 0.0


def _more_repetitions(n: int, cap: int, mid: float, ci: tuple[float, float],
                      band: tuple[float, float]) -> int:
    """Estimate how many more runs shrink the CI (∝ 1/√n) clear of the nearest band edge."""
    edges = [e for e in band if math.isfinite(e)]
    margin = min(abs(mid - e) for e in edges)
    half = max(mid - ci[0], ci[1] - mid)
    if not margin > 0 or not half > 0:
        return cap - n
    factor = (half / margin) ** 2 if half < margin * 1e6 else math.inf
    if not math.isfinite(factor) or n * factor >= cap:
        return cap - n
    needed = math.ceil(n * factor)
    return max(1, min(needed - n, cap - n))


def _median_ci(values: list[float], policy: VerdictPolicy) -> tuple[float, float]:
    """Return the seeded percentile-bootstrap CI of the median of `values`."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 1 or ordered[0] == ordered[-1]:
        return ordered[0], ordered[-1]
    medians = sorted(_bootstrap_medians(ordered, policy.bootstrap_resamples, Random(policy.seed)))
    alpha = (1 - policy.confidence) / 2
    count = len(medians)
    low = medians[min(count - 1, math.floor(alpha * count))]
    high = medians[max(0, math.ceil((1 - alpha) * count) - 1)]
    return low, high


def _bootstrap_medians(ordered: list[float], resamples: int, rng: Random) -> list[float]:
    """Draw resample medians of sorted values from the exact law of the middle order statistics.

    A resample is n indices drawn uniformly with replacement. Its m-th smallest index I (m =
    ceil(n/2)) satisfies P(I <= i) = P(Binomial(n, (i+1)/n) >= m). For even n the median also needs
    the next index J: J = I unless exactly m indices are <= I, and then J is the smallest of n - m
    uniform indices above I. Sampling (I, J) this way gives the same distribution as sorting n
    draws, at a cost independent of n.
    """
    n = len(ordered)
    m = (n + 1) // 2
    cdf = [_binomial_tail(n, (i + 1) / n, m) for i in range(n)]
    cdf[-1] = 1.0
    out: list[float] = []
    if n % 2:
        for _ in range(resamples):
            out.append(ordered[min(bisect_right(cdf, rng.random()), n - 1)])
        return out
    split = _split_probabilities(n, m, cdf)
    power = 1.0 / (n - m)
    for _ in range(resamples):
        i = min(bisect_right(cdf, rng.random()), n - 1)
        j = i
        if rng.random() < split[i]:
            above = n - 1 - i
            j = i + 1 + min(above - 1, math.floor(above * (1 - (1 - rng.random()) ** power)))
        out.append((ordered[i] + ordered[j]) / 2)
    return out


def _split_probabilities(n: int, m: int, cdf: list[float]) -> list[float]:
    """Return P(J > I | I = i): exactly m of the n indices are <= i and none of the rest is i."""
    log_choose = math.lgamma(n + 1) - math.lgamma(m + 1) - math.lgamma(n - m + 1)
    split = []
    for i in range(n):
        p_i = cdf[i] - (cdf[i - 1] if i else 0.0)
        if i == n - 1 or p_i <= 0:
            split.append(0.0)
            continue
        log_joint = (log_choose + (n - m) * math.log((n - 1 - i) / n) + m * math.log((i + 1) / n)
                     + math.log1p(-((i / (i + 1)) ** m)))
        split.append(min(1.0, max(0.0, math.exp(log_joint) / p_i)))
    return split


def _binomial_tail(n: int, p: float, m: int) -> float:
    """Return P(Binomial(n, p) >= m)."""
    if p >= 1:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    log_n = math.lgamma(n + 1)
    total = 0.0
    for k in range(m, n + 1):
        total += math.exp(log_n - math.lgamma(k + 1) - math.lgamma(n - k + 1)
                          + k * log_p + (n - k) * log_q)
    return min(total, 1.0)


def _noise(values: list[float], cv_threshold: float, *,
           relative: bool) -> tuple[tuple[str, ...], str]:
    """Return the noise flags of the samples and a short description of them.

    The coefficient of variation is only meaningful on a ratio scale: it is skipped when the
    claimed value is 0 (the samples then hover around 0 and any spread would look infinite).
    """
    if len(values) < 2:
        return (), ""
    scale = max(abs(x) for x in values) or 1.0
    values = [x / scale for x in values]  # both tests are scale-free; this avoids overflow
    flags, text = [], []
    mean, sd = statistics.fmean(values), statistics.stdev(values)
    cv = sd / abs(mean) if mean else (math.inf if sd else 0.0)
    if relative and cv > cv_threshold:
        flags.append("high-cv")
        shown = f"{cv * 100:.0f} %" if math.isfinite(cv) else "unbounded (mean 0)"
        text.append(f"coefficient of variation {shown} above {_pct(cv_threshold)}")
    modes = _modes(values)
    if modes is not None:
        flags.append("multimodal")
        low, high = modes[0] * scale, modes[1] * scale
        text.append(f"two groups of samples around {_num(low)} and {_num(high)}")
    return tuple(flags), " and ".join(text)


def _modes(values: list[float]) -> tuple[float, float] | None:
    """Return the two group medians when the samples split into two separated groups, else None.

    The test (documented in docs/verdicts.md): sort the samples, consider each gap between
    neighbours that leaves at least max(3, 20 % of n) samples on both sides, take the widest; the
    samples are bimodal when that gap is at least 3 times the larger within-group standard
    deviation and at least 2 % of the overall median's magnitude. Needs n >= 6.
    """
    n = len(values)
    if n < _MODE_MIN_N:
        return None
    ordered = sorted(values)
    least = max(3, math.ceil(_MODE_MIN_SHARE * n))
    cut = max(range(least, n - least + 1), key=lambda k: ordered[k] - ordered[k - 1])
    gap = ordered[cut] - ordered[cut - 1]
    left, right = ordered[:cut], ordered[cut:]
    spread = max(statistics.stdev(left), statistics.stdev(right))
    if gap <= 0 or gap < _MODE_GAP_SPREAD * spread:
        return None
    if gap < _MODE_MIN_GAP * abs(statistics.median(ordered)):
        return None
    return statistics.median(left), statistics.median(right)


def _lookup(rep: Mapping[str, Any], metric: str, claim_id: str) -> Any:
    if metric in rep:
        return rep[metric]
    if not metric.startswith("#"):
        return _find_unique(rep, metric, claim_id)
    if metric + "#all" in rep:
        return rep[metric + "#all"]
    base, statistic = split_statistic(metric)
    if statistic and base in rep:
        return rep[base]
    try:
        steps = parse_key(base)
    except CkError as exc:
        raise VerdictError(f'Claim "{claim_id}": metric "{metric}" is not a valid CK flat key '
                           f"({exc}).") from exc
    for start in range(len(steps)):
        value = _walk(rep, steps[start:])
        if value is not _MISSING:
            return value
    return _MISSING


def _walk(node: Any, steps: Sequence[str | int]) -> Any:
    for step in steps:
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return _MISSING
        elif not isinstance(node, Mapping) or step not in node:
            return _MISSING
        node = node[step]
    return node


def _find_unique(rep: Mapping[str, Any], key: str, claim_id: str) -> Any:
    """Find a plain key in nested dicts or at the end of flat keys; it must be unique."""
    hits: list[tuple[str, Any]] = []

    def visit(node: Mapping[str, Any], path: str, depth: int) -> None:
        for name, value in node.items():
            if name == key:
                hits.append((f"{path}{name}", value))
            elif isinstance(name, str) and name.startswith("#") and name.endswith("#" + key):
                hits.append((name, value))
            elif isinstance(value, Mapping) and depth < 6:
                visit(value, f"{path}{name}.", depth + 1)

    visit(rep, "", 0)
    if len(hits) > 1:
        where = ", ".join(path for path, _ in hits[:5])
        raise VerdictError(f'Claim "{claim_id}": metric "{key}" is ambiguous in a run record '
                           f"({where}); name it with a CK flat key.")
    return hits[0][1] if hits else _MISSING


def _numbers(value: Any, claim: Claim) -> list[float]:
    items = value if isinstance(value, list | tuple) else [value]
    out = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int | float | str):
            raise VerdictError(f'Claim "{claim.id}": metric "{claim.metric}" holds '
                               f"{type(item).__name__} {item!r}, not a number.")
        try:
            out.append(float(item))
        except ValueError as exc:
            raise VerdictError(f'Claim "{claim.id}": metric "{claim.metric}" holds the text '
                               f"{item!r}, not a number.") from exc
    return out


def _qty(value: float, claim: Claim) -> str:
    return f"{_num(value)} {claim.unit}" if claim.unit else _num(value)


def _num(value: float) -> str:
    return f"{value:.4g}"


def _ratio(value: float) -> str:
    return f"{value:.3f}"


def _pct(fraction: float) -> str:
    return f"{fraction * 100:.4g} %"


def _are(count: int) -> str:
    return "is" if count == 1 else "are"


def _s(count: int) -> str:
    return "" if count == 1 else "s"
