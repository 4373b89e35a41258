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

    Levels: a repository root (0), its module directories (1), their entry directories (2), and
    the `.cm` directory of each, whose files (aliases, meta, info) are stated one by one.
    """
    digest = hashlib.sha256(str(CACHE_FORMAT).encode())
    pending: list[tuple[str, int]] = [(os.fspath(p), 0) for p in reversed(paths)]
    while pending:
        directory, level = pending.pop()
        try:
            info = os.stat(directory)
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            digest.update(f"{directory}\0error {exc.errno}\n".encode())
            continue
        digest.update(f"{directory}\0{info.st_ino} {info.st_mtime_ns}\n".encode())
        in_cm = os.path.basename(directory) == ".cm"
        for entry in entries:
            if in_cm or entry.name == ".ckr.json":
                _stamp(digest, entry)
            elif entry.name == ".cm":
                pending.append((entry.path, level))
            elif level < 2 and entry.name not in (".git", ".svn") and entry.is_dir():
                if entry.is_symlink():
                    digest.update(f"{entry.path}\0link {os.readlink(entry.path)}\n".encode())
                pending.append((entry.path, level + 1))
    return digest.hexdigest()


def _stamp(digest: Any, entry: os.DirEntry[str]) -> None:
    try:
        st = entry.stat(follow_symlinks=False)
    except OSError:
        return
    digest.update(f"{entry.path}\0{st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_mode}\n".encode())


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
