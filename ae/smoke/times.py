"""The appendix's own "time needed to complete experiments", read as a number of seconds.

Rule: a number with a unit ("2 hours", "30 min", "1-2 days": the upper end of a range) is an
estimate; a unit alone ("seconds", "a few minutes", "under an hour") is an upper bound of one such
unit (a few: three). Anything else ("n/a", "depends") is not a time. A large mismatch is an
estimate more than `FACTOR` times the stated time, or (for a stated estimate of a minute or more,
not a bound) less than a `FACTOR`-th of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FACTOR = 5.0
_UNITS = {"s": 1, "sec": 1, "second": 1, "min": 60, "minute": 60, "h": 3600, "hr": 3600,
          "hour": 3600, "day": 86400, "week": 604800}
_NUMBER = r"(\d+(?:\.\d+)?)"
_UNIT = r"(seconds?|secs?|s|minutes?|mins?|hours?|hrs?|h|days?|weeks?)\b"
_AMOUNT = re.compile(rf"{_NUMBER}\s*(?:(?:-|–|to)\s*{_NUMBER}\s*)?{_UNIT}", re.IGNORECASE)
_BARE = re.compile(r"(?:\b(a few|few|several)\s+|\b(?:an?|one)\s+)?"
                   r"\b(seconds?|minutes?|hours?|days?|weeks?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Stated:
    """A time the appendix states: seconds, and whether it is only an upper bound."""

    seconds: float
    bound: bool
    text: str


def _unit(word: str) -> int:
    word = word.lower()
    for name, seconds in sorted(_UNITS.items(), key=lambda i: -len(i[0])):
        if word.startswith(name):
            return seconds
    return 1


def parse(text: str | None) -> Stated | None:
    """Read a stated time ("about 2 hours", "seconds", "1-2 days"); None when none is there."""
    if not text:
        return None
    found = _AMOUNT.search(text)
    if found:
        low, high, unit = found.groups()
        value = float(high or low) * _unit(unit)
        bound = bool(re.search(r"\b(under|less than|at most|below|within|up to|<)", text, re.I))
        return Stated(value, bound, text.strip())
    bare = _BARE.search(text)
    if bare:
        few, unit = bare.groups()
        return Stated((3.0 if few else 1.0) * _unit(unit) * (60 if unit.lower().startswith("sec")
                                                               and not few else 1), True, text.strip())
    return None


def mismatch(estimate_s: float, stated: Stated | None) -> str | None:
    """Say how an estimate disagrees with the stated time by more than FACTOR, or None."""
    if stated is None:
        return None
    if estimate_s > FACTOR * stated.seconds:
        return (f"the estimate ({human_seconds(estimate_s)}) is more than {FACTOR:g}× the appendix's "
                f"\u201c{stated.text}\u201d")
    if not stated.bound and stated.seconds >= 60 and estimate_s * FACTOR < stated.seconds:
        return (f"the estimate ({human_seconds(estimate_s)}) is less than a {FACTOR:g}th of the "
                f"appendix's \u201c{stated.text}\u201d")
    return None


def human_seconds(seconds: float) -> str:
    """Write a duration for people: "0.4 s", "12 min", "3.5 h"."""
    if seconds < 60:
        return f"{seconds:.2g} s" if seconds < 10 else f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def hours(seconds: float) -> str:
    """Write seconds as hours with enough digits to tell small amounts apart ("0.0012")."""
    value = seconds / 3600
    if value == 0:
        return "0"
    if value >= 10:
        return f"{value:.0f}"
    return f"{value:.2g}" if value < 1 else f"{value:.1f}"
