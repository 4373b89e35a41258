"""A conference's phase dates as the chair set them (stored), over the conference file's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel import Session, select

from ae.errors import AeError
from ae.review import phases
from ae.review.phases import Phase
from ae.storage.models import PhaseDate, utcnow

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


class ScheduleError(AeError):
    """A phase's dates are not valid."""


def edits_of(*, session: Session, conference: str) -> dict[str, tuple[dt.date, dt.date | None]]:
    """Return the chair's stored dates of a conference's phases by name."""
    return {row.name: (row.starts, row.ends)
            for row in session.exec(select(PhaseDate).where(PhaseDate.conference == conference))}


def effective(*, session: Session, conference: str, filed: Sequence[Phase]) -> list[Phase]:
    """Return a conference's phases: the file's, with the chair's dates applied."""
    return phases.merged(filed, edits_of(session=session, conference=conference))


def set_dates(*, session: Session, conference: str, name: str, starts: str, ends: str = "",
              by: str | None) -> PhaseDate:
    """Store the chair's dates of one phase (ISO dates; an empty end: until the next phase)."""
    name = name.strip().lower()
    if not name or len(name) > 40 or not set(name) <= _NAME_CHARS:
        raise ScheduleError(f"a phase's name is lower-case letters, digits and dashes, e.g. "
                            f"{', '.join(phases.PROCESS)} (got {name[:40]!r})")
    try:
        start = dt.date.fromisoformat(starts.strip())
        end = dt.date.fromisoformat(ends.strip()) if ends.strip() else None
    except ValueError:
        raise ScheduleError(f"phase {name!r}: dates look like 2026-12-01 (got {starts[:20]!r}"
                            f"{', ' + repr(ends[:20]) if ends.strip() else ''})") from None
    if end is not None and end < start:
        raise ScheduleError(f"phase {name!r} would end ({end}) before it starts ({start})")
    row = session.get(PhaseDate, (conference, name)) or PhaseDate(conference=conference, name=name,
                                                                   starts=start)
    row.starts, row.ends, row.updated_by, row.updated_at = start, end, by, utcnow()
    session.add(row)
    return row
