"""The dated phases of a conference's evaluation, and which one is current on a given day.

Rule: a phase starts on its `date` and lasts until its `end` if it has one, else until the next
phase starts; the current phase is the one that started last among those not yet over (none
before the first starts or after an ended last one). The review rounds are the kick-the-tires and
full-evaluation phases, in that order; the chair's edits of dates (stored) replace the file's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from ae.errors import ConfigError

BIDDING = "bidding"
KICK_THE_TIRES = "kick-the-tires"
FULL_EVALUATION = "full-evaluation"
DISCUSSION = "discussion"
DECISION = "decision"
#: The phases of the review process, in order; a file may name other milestones too.
PROCESS = (BIDDING, KICK_THE_TIRES, FULL_EVALUATION, DISCUSSION, DECISION)
#: Phases in which evaluators write reviews: the review rounds.
ROUNDS = (KICK_THE_TIRES, FULL_EVALUATION)


@dataclass(frozen=True)
class Phase:
    """A dated phase of the evaluation (or another milestone such as camera-ready)."""

    name: str
    date: dt.date
    end: dt.date | None = None

    @property
    def is_round(self) -> bool:
        """Tell whether evaluators review in this phase."""
        return self.name in ROUNDS


def day(setting: object) -> dt.date:
    """Return the day phases are read on: the TODAY setting (an ISO date), else today (UTC)."""
    if not setting:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(str(setting))
    except ValueError:
        raise ConfigError(f"AE_TODAY must be a date like 2026-12-01 (got {setting!r})") from None


def ordered(phases: Iterable[Phase]) -> list[Phase]:
    """Return phases by start date (the process's order breaks ties)."""
    rank = {name: n for n, name in enumerate(PROCESS)}
    return sorted(phases, key=lambda p: (p.date, rank.get(p.name, len(PROCESS))))


def current(phases: Sequence[Phase], today: dt.date) -> Phase | None:
    """Return the phase under way on `today`, or None between or outside them."""
    started = [p for p in ordered(phases) if p.date <= today]
    if not started:
        return None
    last = started[-1]
    return None if last.end is not None and today > last.end else last


def merged(phases: Sequence[Phase], edits: Mapping[str, tuple[dt.date, dt.date | None]]) -> list[Phase]:
    """Return the file's phases with the chair's stored dates applied (and phases the chair added)."""
    found = {p.name: p for p in phases}
    for name, (starts, ends) in edits.items():
        found[name] = (replace(found[name], date=starts, end=ends) if name in found
                       else Phase(name, starts, ends))
    return ordered(found.values())


def rounds(phases: Sequence[Phase]) -> tuple[str, ...]:
    """Return the review rounds of a conference: those among its phases, else both standard ones."""
    named = tuple(p.name for p in ordered(phases) if p.is_round)
    return named or ROUNDS
