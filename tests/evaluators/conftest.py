"""Fixtures for pipeline tests: one-program CK repositories written in the test's tmp dir."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

SECRET = "ae-test-secret-4b1d"


def write_program_repo(root: Path, meta: dict[str, Any], files: dict[str, str] | None = None,
                       name: str = "prog") -> Path:
    """Write a CK repository holding one program entry `name` with `meta` and its `files`."""
    def dump(path: Path, data: Any) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data))

    dump(root / ".ckr.json", {"data_alias": "readback", "data_uid": "0123456789abcd01",
                              "data_uoa": "readback", "dict": {}})
    (root / ".cm").mkdir(exist_ok=True)
    (root / ".cm" / "alias-a-program").write_text("b0ac08fe1d3c2615\n")
    (root / ".cm" / "alias-u-b0ac08fe1d3c2615").write_text("program\n")
    entry = root / "program" / name
    dump(entry / ".cm" / "meta.json", {"program": "yes", "tags": ["program"], **meta})
    (root / "program" / ".cm").mkdir(exist_ok=True)
    (root / "program" / ".cm" / f"alias-a-{name}").write_text("00000000000e0001\n")
    (root / "program" / ".cm" / "alias-u-00000000000e0001").write_text(f"{name}\n")
    for rel, text in (files or {}).items():
        (entry / rel).parent.mkdir(parents=True, exist_ok=True)
        (entry / rel).write_text(text)
    return root


@pytest.fixture
def program_repo() -> Callable[..., Path]:
    """Return `write_program_repo`."""
    return write_program_repo


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> str:
    """Put a secret into the worker's environment (what `/proc/self/environ` would leak)."""
    monkeypatch.setenv("AE_TEST_SECRET_KEY", SECRET)
    return SECRET


@pytest.fixture
def no_hang() -> Iterator[Callable[[float], None]]:
    """Return `arm(seconds)`: past that, the test fails with TimeoutError instead of hanging."""
    def expired(_signum: int, _frame: object) -> None:
        raise TimeoutError("the worker blocked (a FIFO or a huge file read back?)")

    previous = signal.signal(signal.SIGALRM, expired)
    yield lambda seconds: signal.setitimer(signal.ITIMER_REAL, seconds)
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)
