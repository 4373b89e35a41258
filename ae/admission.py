"""Admission of new submissions under load: per-conference rate and a bounded intake queue.

Why: a burst (a deadline, a script gone wrong) must not grow the queues without bound or starve
the other conferences. The per-user limit is the web layer's (Flask-Limiter, AE_RATELIMIT_SUBMIT);
here, before any row is written, a submission from the web or the API is refused with
`Overloaded` (HTTP 429 with Retry-After) when its conference passed AE_RATELIMIT_SUBMIT_CONFERENCE
in the current window, and any submission (the CLI's too) when AE_MAX_WAITING_INTAKE versions
already wait for intake. The database counts the waiting versions; Redis counts the windows (one
count for every web process and worker).
"""

from __future__ import annotations

from typing import Any

from limits import parse
from redis import Redis
from sqlmodel import Session, col, func, select

from ae.errors import Overloaded
from ae.storage.models import ArtifactVersion
from ae.storage.states import VersionState

WAITING = (VersionState.SUBMITTED, VersionState.INTAKE)


def waiting_intake(*, session: Session) -> int:
    """Return how many versions wait for (or are in) intake."""
    query = select(func.count()).select_from(ArtifactVersion).where(
        col(ArtifactVersion.status).in_(WAITING))
    return int(session.exec(query).one())


def check_queue(*, session: Session, config: Any) -> None:
    """Refuse a submission while the intake queue is full."""
    cap = int(config["MAX_WAITING_INTAKE"])
    waiting = waiting_intake(session=session)
    if waiting >= cap:
        raise Overloaded(f"the service is busy: {waiting} submissions are waiting for intake (at most "
                         f"{cap}, AE_MAX_WAITING_INTAKE); nothing was stored: submit again in a few "
                         "minutes", retry_after=120)


def count_conference(redis: Redis, conference: str, rule: str) -> None:
    """Count one submission to `conference` against `rule` ("300 per hour"); refuse past it."""
    limit = parse(rule)
    window = int(limit.get_expiry())
    key = f"ae:admit:{conference}:{int(_now(redis)) // window}"
    with redis.pipeline() as pipe:
        pipe.incr(key)
        pipe.expire(key, window)
        count = int(pipe.execute()[0])
    if count > limit.amount:
        wait = window - int(_now(redis)) % window
        raise Overloaded(f"conference {conference} takes at most {rule} submissions "
                         f"(AE_RATELIMIT_SUBMIT_CONFERENCE) and has had {limit.amount}; nothing was "
                         f"stored: submit again in {wait} s", retry_after=wait)


def _now(redis: Redis) -> float:
    """Return Redis's clock, the one every process counting windows shares."""
    seconds, micros = redis.time()
    return float(seconds) + micros / 1e6
