"""A run's logs and outputs as the pages read them: listed, downloaded and followed while they grow.

Why: these files were written by the artifact inside the sandbox, in the run's work dir. Every
read goes through `ae.evaluators.paths` (no link followed, regular files only, size-capped), and
a name asked for is served only when it is one the run record (or the live progress) lists:
nothing from a URL becomes a path unchecked.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ae.evaluators.paths import UnreadableFile, open_file, read_file, read_tail
from ae.evaluators.run import RUN_DIR

STREAMS = ("stdout", "stderr")
DOWNLOAD_CAP = 16 << 20  # bytes of one file a download returns (logs: their last bytes)
FOLLOW_START = 64 << 10  # bytes of a log shown before following it
FOLLOW_CHUNK = 256 << 10  # bytes read from one log per poll


def work_dir(data_dir: Path, run_id: str) -> Path:
    """Return the work dir of a run (where the worker on this machine ran it)."""
    return data_dir / "runs" / run_id


def log_names(record: Mapping[str, Any], live: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return stdout and stderr as paths relative to the work dir: the record's, else the live ones."""
    names = dict(record.get("logs") or live or {})
    return {stream: str(names[stream]) for stream in STREAMS if names.get(stream)}


def output_names(record: Mapping[str, Any]) -> list[str]:
    """Return the outputs a finished run declared and left (relative to its run directory)."""
    return sorted(str(name) for name in record.get("outputs") or {})


def read_log(root: Path, name: str, *, cap: int = DOWNLOAD_CAP) -> bytes:
    """Return the last `cap` bytes of a log (`name` relative to the work dir `root`)."""
    return read_tail(root / name, root, cap)


def read_output(root: Path, name: str, *, cap: int = DOWNLOAD_CAP) -> bytes:
    """Return an output of a run (`name` relative to its run directory); UnreadableFile over `cap`."""
    return read_file(root / RUN_DIR / name, root, cap)


@dataclass
class _Cursor:
    """How far one log has been read: the file (inode) and the offset after its last full line."""

    inode: int = 0
    offset: int = -1  # -1: not started; begin near the end


@dataclass
class Follower:
    """Follow a run's logs as they grow; a log written anew (the next repetition) starts over.

    `position` says how far every log was read, and a Follower made with it resumes there (the
    Last-Event-ID of a reconnecting browser).
    """

    root: Path
    names: dict[str, str]
    cursors: dict[str, _Cursor] = field(default_factory=dict)
    generation: int = 0  # the repetition whose logs are read (0: unknown)

    @classmethod
    def resume(cls, root: Path, names: dict[str, str], position: str | None) -> Follower:
        """Return a Follower starting at `position` (as `position` returned), else at the logs' ends."""
        follower = cls(root, names)
        parts = (position or "").split(":")
        if len(parts) == 1 + 2 * len(STREAMS) and all(p.isdigit() for p in parts):
            follower.generation = int(parts[0])
            for n, stream in enumerate(STREAMS):
                follower.cursors[stream] = _Cursor(int(parts[1 + 2 * n]), int(parts[2 + 2 * n]))
        return follower

    @property
    def position(self) -> str:
        """Return where every log was read up to, as one token."""
        cursors = [self.cursors.get(s, _Cursor()) for s in STREAMS]
        return ":".join([str(self.generation), *(f"{c.inode}:{max(c.offset, 0)}" for c in cursors)])

    def poll(self, *, final: bool = False, generation: int | None = None) -> Iterator[tuple[str, list[str]]]:
        """Yield (stream, new complete lines) per log; `final` also yields a last unended line.

        A new `generation` (the next repetition, which writes its logs anew) reads them from their
        start: a file's inode alone cannot tell, since a removed file's inode is soon reused.
        """
        if generation is not None and generation != self.generation:
            if self.generation:
                self.cursors = {s: _Cursor(0, 0) for s in STREAMS}
            self.generation = generation
        for stream in STREAMS:
            name = self.names.get(stream)
            if name is None:
                continue
            lines = self._read(self.cursors.setdefault(stream, _Cursor()), self.root / name, final)
            if lines:
                yield stream, lines

    def _read(self, cursor: _Cursor, path: Path, final: bool) -> list[str]:
        try:
            fd = open_file(path, self.root)
        except (FileNotFoundError, UnreadableFile):
            return []
        try:
            size, inode = os.fstat(fd).st_size, os.fstat(fd).st_ino
            midway = False
            if inode != cursor.inode or size < cursor.offset:
                midway = cursor.offset < 0 and size > FOLLOW_START
                cursor.inode, cursor.offset = inode, max(0, size - FOLLOW_START) if midway else 0
            data = os.pread(fd, FOLLOW_CHUNK, cursor.offset) if size > cursor.offset else b""
        finally:
            os.close(fd)
        lines = data.split(b"\n")
        rest = lines.pop()
        if rest and (final or (not lines and len(data) == FOLLOW_CHUNK)):
            lines.append(rest)  # a last line without its end, or one longer than a chunk
            rest = b""
        cursor.offset += len(data) - len(rest)
        if midway and lines:
            lines.pop(0)  # begun inside a line: drop its end
        return [line.decode("utf-8", "replace").replace("\r", "") for line in lines]
