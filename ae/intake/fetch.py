"""Fetch a source into the snapshot store: an uploaded archive, or a git source pinned to a commit."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from ae.intake import snapshot
from ae.intake.archive import fetch_archive
from ae.intake.dependencies import Fetch, Fetched
from ae.intake.pin import pin
from ae.intake.policy import SourcePolicy, archive_digest


def fetch_source(source: str, ref: str | None, *, store_root: Path, policy: SourcePolicy) -> Fetched:
    """Take in `source` at `ref` under `policy`, stored in `store_root/snapshots/` by digest.

    For an uploaded archive (`archive:<sha256>`) the version's `ref`, when it names an archive,
    is that version's own upload.
    """
    if archive_digest(source) is not None:
        upload = ref if ref is not None and archive_digest(ref) is not None else source
        return fetch_archive(upload, store_root=store_root, caps=policy.caps)
    return fetch_git(source, ref, store_root=store_root, policy=policy)


def fetch_git(source: str, ref: str | None, *, store_root: Path, policy: SourcePolicy) -> Fetched:
    """Pin the git `source` at `ref` under `policy` and store it in `store_root/snapshots/` by digest."""
    pinned = pin(source, ref, store_root / "incoming", policy=policy)
    snap = snapshot.store(pinned.tar_path, store_root / "snapshots", caps=policy.caps)
    return Fetched(commit=pinned.commit, digest=snap.digest, tree=snap.tree)


def fetcher(*, store_root: Path, policy: SourcePolicy) -> Fetch:
    """Return a `Fetch` that stores what it fetches under `store_root` (dependency repositories: git only)."""
    return partial(fetch_git, store_root=store_root, policy=policy)
