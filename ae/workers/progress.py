"""Live progress of a run: written to Redis by the worker as the pipeline reports it, read by pages.

One hash per run, `ae:progress:<run id>`: the stage, repetition i of n, when the run and the
current repetition started, the seconds the finished repetitions took, and where the run's
stdout and stderr go (relative to its work dir). It expires a day after its last write: the
database keeps what lasts. Progress is best effort: a Redis failure never fails a run.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

TTL_S = 86400
_RUNNING = re.compile(r"running (\d+)/(\d+)")


def key(run_id: str) -> str:
    """Return the Redis key of a run's progress hash."""
    return f"ae:progress:{run_id}"


class Reporter:
    """The pipeline's `progress` callback for one run, writing what it hears to Redis."""

    def __init__(self, redis: Redis, run_id: str, *, total: int,
                 clock: Callable[[], float] = time.time) -> None:
        self.redis, self.key, self.clock = redis, key(run_id), clock
        self.total, self.repetition, self.done_s = total, 0, 0.0
        self.rep_started: float | None = None
        self.logs: dict[str, str] = {}

    def start(self) -> None:
        """Mark the run started (an earlier attempt's progress is dropped)."""
        now = self.clock()
        self._write({"stage": "starting", "repetition": 0, "total": self.total, "started_at": now,
                     "done_s": 0.0}, fresh=True)

    def say(self, message: str) -> None:
        """Take one pipeline message: `running i/n` starts repetition i, anything else is a stage."""
        now = self.clock()
        self._close_repetition(now)
        found = _RUNNING.fullmatch(message)
        fields: dict[str, Any] = {"stage": message}
        if found:
            self.repetition, self.total = int(found.group(1)), int(found.group(2))
            self.rep_started = now
            fields.update(stage="running", repetition=self.repetition, total=self.total,
                          rep_started_at=now)
        self._write({**fields, "done_s": self.done_s})

    def streams(self, stdout: Path, stderr: Path, work_dir: Path) -> None:
        """Record where the run's stdout and stderr go, relative to its work dir."""
        self.logs = {"stdout": str(stdout.relative_to(work_dir)),
                     "stderr": str(stderr.relative_to(work_dir))}
        self._write(self.logs)

    def finish(self, status: str) -> None:
        """Mark the run finished with its status."""
        now = self.clock()
        self._close_repetition(now)
        self._write({"stage": "finished", "status": status, "finished_at": now, "done_s": self.done_s})

    def _close_repetition(self, now: float) -> None:
        if self.rep_started is not None:
            self.done_s += now - self.rep_started
            self.rep_started = None

    def _write(self, fields: dict[str, Any], *, fresh: bool = False) -> None:
        try:
            with self.redis.pipeline() as pipe:
                if fresh:
                    pipe.delete(self.key)
                pipe.hset(self.key, mapping={k: str(v) for k, v in fields.items()})
                pipe.expire(self.key, TTL_S)
                pipe.execute()
        except RedisError as exc:
            log.warning("progress of %s not recorded: %s", self.key, exc)


@dataclass(frozen=True)
class Progress:
    """Where a run stands: stage, repetition i of n, seconds elapsed and (once one repetition has
    finished) an estimate of the seconds left."""

    stage: str
    repetition: int
    total: int
    elapsed_s: float
    remaining_s: float | None
    logs: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """Return the progress as JSON-ready data."""
        return {"stage": self.stage, "repetition": self.repetition, "total": self.total,
                "elapsed_s": round(self.elapsed_s, 1),
                "remaining_s": None if self.remaining_s is None else round(self.remaining_s, 1),
                "logs": self.logs}


def read(redis: Redis, run_id: str, *, now: float | None = None) -> Progress | None:
    """Return a run's progress, or None when the worker recorded none (or Redis is away)."""
    try:
        raw = redis.hgetall(key(run_id))
    except RedisError as exc:
        log.warning("progress of run %s not read: %s", run_id, exc)
        return None
    if not raw:
        return None
    return summarize({_text(k): _text(v) for k, v in raw.items()}, now=now)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def summarize(data: dict[str, str], *, now: float | None = None) -> Progress:
    """Turn a progress hash into a Progress: the estimate is the mean finished repetition's time
    times the repetitions left, less what the current one has already run."""
    now = time.time() if now is None else now
    started = float(data.get("started_at") or now)
    end = float(data["finished_at"]) if data.get("finished_at") else now
    repetition, total = int(data.get("repetition") or 0), int(data.get("total") or 0)
    running = data.get("stage") == "running"
    finished = repetition - 1 if running else repetition
    remaining = None
    if finished > 0 and not data.get("finished_at"):
        mean = float(data.get("done_s") or 0) / finished
        current = now - float(data.get("rep_started_at") or now) if running else 0.0
        remaining = max(0.0, mean * (total - finished) - current)
    logs = {name: data[name] for name in ("stdout", "stderr") if data.get(name)}
    return Progress(stage=data.get("stage", ""), repetition=repetition, total=total,
                    elapsed_s=max(0.0, end - started), remaining_s=remaining, logs=logs)
