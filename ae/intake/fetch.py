"""Fetch a git source into the snapshot store: pin a commit, export it, store it by digest."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from ae.intake import snapshot
from ae.intake.dependencies import Fetch, Fetched
from ae.intake.pin import pin
from ae.intake.policy import SourcePolicy


def fetch_source(source: str, ref: str | None, *, store_root: Path, policy: SourcePolicy) -> Fetched:
    """Pin `source` at `ref` under `policy` and store it in `store_root/snapshots/` by digest."""
    pinned = pin(source, ref, store_root / "incoming", policy=policy)
    snap = snapshot.store(pinned.tar_path, store_root / "snapshots", caps=policy.caps)
    return Fetched(commit=pinned.commit, digest=snap.digest, tree=snap.tree)


def fetcher(*, store_root: Path, policy: SourcePolicy) -> Fetch:
    """Return a `Fetch` that stores what it fetches under `store_root` (for dependency repositories)."""
    return partial(fetch_source, store_root=store_root, policy=policy)
