"""Server-sent events of one run: its log lines as they are written, its progress, and its end.

The stream polls twice a second: the run's status (database), its progress (Redis) and the new
bytes of its logs. A connection lasts at most `MAX_S` seconds, then the browser's EventSource
reconnects with the last event id, which says how far each log was read, so no line is lost or
repeated; a server worker is never held for the whole of a long run. `end` closes the stream.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ae.workers.logs import Follower

POLL_S = 0.5
MAX_S = 55.0
RETRY_MS = 500
KEEPALIVE_S = 5.0  # a comment line this often: a closed connection is noticed, its thread freed


@dataclass(frozen=True)
class RunState:
    """What the stream needs to know about its run at each poll."""

    finished: str | None  # the final status once the run has finished
    logs: dict[str, str]  # stdout/stderr relative to the work dir (empty until the worker says)
    progress: dict[str, Any] | None


def event(name: str, data: str, event_id: str | None = None) -> str:
    """Return one event in the text/event-stream format (each line of `data` its own data field)."""
    head = f"event: {name}\n" + (f"id: {event_id}\n" if event_id is not None else "")
    return head + "".join(f"data: {line}\n" for line in data.split("\n")) + "\n"


def _repetition(state: RunState) -> int | None:
    return int(state.progress["repetition"]) if state.progress else None


def run_events(look: Callable[[], RunState], root: Path, *, position: str | None = None,
               max_s: float = MAX_S, poll_s: float = POLL_S) -> Iterator[str]:
    """Yield the events of a run until it ends (or `max_s` passes: the browser reconnects)."""
    yield f"retry: {RETRY_MS}\n\n"
    follower = Follower.resume(root, {}, position)
    deadline = time.monotonic() + max_s
    shown: dict[str, Any] | None = None
    quiet_since = time.monotonic()
    while True:
        state = look()
        follower.names = state.logs
        sent = []
        if state.progress is not None and state.progress != shown:
            shown = state.progress
            sent.append(event("progress", json.dumps(state.progress)))
        while True:  # a finished run's logs are read to their end, a chunk at a time
            batch = list(follower.poll(final=state.finished is not None, generation=_repetition(state)))
            sent.extend(event(stream, "\n".join(lines), follower.position) for stream, lines in batch)
            if not batch or state.finished is None:
                break
        if state.finished is not None:
            yield from sent
            yield event("end", state.finished)
            return
        now = time.monotonic()
        if not sent and now - quiet_since >= KEEPALIVE_S:
            sent.append(":\n\n")
        if sent:
            quiet_since = now
        yield from sent
        if now >= deadline:
            return
        time.sleep(poll_s)
