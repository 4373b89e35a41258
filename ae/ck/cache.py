"""The index cache: one JSON file per snapshot digest, rebuilt whenever it cannot be used."""

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


def load_cache(
    cache_file: Path, paths: list[Path]
) -> tuple[list[RepoScan], list[Problem]] | None:
    """Return the cached scans and problems for `paths`, or None when the file is unusable."""
    try:
        data = json.loads(cache_file.read_bytes())
        if data.get("format") != CACHE_FORMAT or data.get("paths") != [str(p) for p in paths]:
            return None
        return _from_json(data)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def save_cache(
    cache_file: Path, paths: list[Path], scans: list[RepoScan], problems: list[Problem]
) -> None:
    """Write the cache atomically; a cache that cannot be written only costs time later."""
    data = {"format": CACHE_FORMAT, "paths": [str(p) for p in paths],
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
