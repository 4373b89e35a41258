"""The index cache: one JSON file per content key, rebuilt whenever it cannot be used.

The key is a snapshot's digest where there is one, else `fingerprint(paths)`: the status (inode,
size, modification time) of every directory and `.cm` file the scanner reads, so that any change a
listing could see invalidates it, at the price of stat calls rather than reads and JSON parsing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from array import array
from pathlib import Path
from typing import Any

from ae.ck.entry import CkRepo, Problem
from ae.ck.scanner import EntryRecord, ModuleRecord, RepoScan

CACHE_FORMAT = 1
_SAFE_KEY = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def cache_name(key: str) -> str:
    """Return `key` when it is a plain file name, else its sha256 (no paths from callers)."""
    if _SAFE_KEY.match(key):
        return key
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def fingerprint(paths: list[Path]) -> str:
    """Return a digest of the status of every directory and `.cm` file the scanner reads.

    Levels: a repository root (0), its module directories (1), their entry directories (2); the
    `.cm` directory of each is listed and every file in it (aliases, meta, info) is stated.
    Directories are stated too, so an entry added, removed or renamed changes the digest. The
    listing order of an unchanged directory is stable, so no sorting is needed: a directory whose
    order changed was modified, and its new modification time already changes the digest.
    """
    stamps: list[int] = [CACHE_FORMAT]
    names: list[str] = []
    pending: list[tuple[str, int]] = [(os.fspath(p), 0) for p in reversed(paths)]
    while pending:
        directory, level = pending.pop()
        names.append(directory)
        try:
            info = os.stat(directory)
            listing = os.scandir(directory)
        except OSError as exc:
            stamps += (-1, exc.errno or 0)
            continue
        stamps += (info.st_ino, info.st_mtime_ns)
        with listing:
            for entry in listing:
                name = entry.name
                if name == ".cm":
                    _stamp_files(entry.path, stamps)
                elif name == ".ckr.json":
                    _stamp_file(entry, stamps)
                elif level < 2 and name not in (".git", ".svn") and entry.is_dir():
                    if entry.is_symlink():
                        names.append(os.readlink(entry.path))
                    if level == 1:  # an entry: only its .cm matters, not its sources
                        names.append(entry.path)
                        _stamp_files(os.path.join(entry.path, ".cm"), stamps)
                    else:
                        pending.append((entry.path, level + 1))
    digest = hashlib.sha256(array("q", stamps).tobytes())
    digest.update("\0".join(names).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _stamp_files(directory: str, stamps: list[int]) -> None:
    """Add the status of a `.cm` directory and of every file in it."""
    try:
        info = os.stat(directory)
        listing = os.scandir(directory)
    except OSError as exc:
        stamps += (-2, exc.errno or 0)
        return
    stamps += (info.st_ino, info.st_mtime_ns)
    with listing:
        for entry in listing:
            _stamp_file(entry, stamps)


def _stamp_file(entry: os.DirEntry[str], stamps: list[int]) -> None:
    try:
        st = entry.stat(follow_symlinks=False)
    except OSError:
        stamps.append(-3)
        return
    stamps += (st.st_ino, st.st_size, st.st_mtime_ns, st.st_mode)


def load_cache(
    cache_file: Path, paths: list[Path], stamp: str | None = None
) -> tuple[list[RepoScan], list[Problem]] | None:
    """Return the cached scans and problems for `paths` (and `stamp`), or None when unusable."""
    try:
        data = json.loads(cache_file.read_bytes())
        if (data.get("format") != CACHE_FORMAT or data.get("paths") != [str(p) for p in paths]
                or data.get("stamp") != stamp):
            return None
        return _from_json(data)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def save_cache(
    cache_file: Path, paths: list[Path], scans: list[RepoScan], problems: list[Problem],
    stamp: str | None = None,
) -> None:
    """Write the cache atomically; a cache that cannot be written only costs time later."""
    data = {"format": CACHE_FORMAT, "paths": [str(p) for p in paths], "stamp": stamp,
            **_to_json(scans, problems)}
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_name(f".{cache_file.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, cache_file)
    except OSError:
        return


def _to_json(scans: list[RepoScan], problems: list[Problem]) -> dict[str, Any]:
    out = []
    for scan in scans:
        repo = scan.repo
        out.append({
            "repo": [repo.alias, repo.uid, repo.name, str(repo.path), list(repo.repo_deps),
                     repo.dict],
            "root": scan.root,
            "modules": [[m.uoa, m.uid, m.alias, m.path] for m in scan.modules],
            "entries": {
                path: [[r.uoa, r.uid, r.alias, r.path, r.meta, r.info, r.searchable, r.error]
                       for r in records]
                for path, records in scan.entries.items()
            },
        })
    return {"scans": out, "problems": [[str(p.path), p.message] for p in problems]}


def _from_json(data: dict[str, Any]) -> tuple[list[RepoScan], list[Problem]]:
    scans = []
    for item in data["scans"]:
        alias, uid, name, path, deps, body = item["repo"]
        scan = RepoScan(repo=CkRepo(alias, uid, name, Path(path), tuple(deps), body),
                        root=item["root"])
        scan.modules = [ModuleRecord(*m) for m in item["modules"]]
        scan.entries = {p: [EntryRecord(*r) for r in rs] for p, rs in item["entries"].items()}
        scans.append(scan)
    return scans, [Problem(Path(p), m) for p, m in data["problems"]]
