"""An in-memory index of one or more CK repositories, cached per snapshot digest.

Answers `ls` (CID patterns), `search` (AND of exact tags) and `load` (first hit in search order)
with the same results as the original `ck` for the same repositories, without re-reading files.
"""

from __future__ import annotations

import builtins
import fnmatch
import gc
import hashlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ae.ck.cache import cache_name, fingerprint, load_cache, save_cache
from ae.ck.entry import CkEntry, CkRepo, Problem, is_uid
from ae.ck.files import UnreadableFile, read_json
from ae.ck.repository import read_repo
from ae.ck.scanner import (
    EntryRecord,
    Found,
    Inconsistent,
    ModuleRecord,
    RepoScan,
    read_entry,
    resolve,
    scan_module,
    scan_repo,
)
from ae.errors import CkError


def _wild(s: str) -> bool:
    return "*" in s or "?" in s


def split_cid(cid: str, module: str | None = None) -> tuple[str, str, str]:
    """Split `repo:module:data`, `module:data` or (with `module`) a bare UOA into three parts."""
    parts = cid.split(":")
    if module is not None:
        if len(parts) != 1:
            raise CkError(f"CID {cid!r} names a module; do not pass module={module!r} as well.")
        return "", module, cid
    if len(parts) == 2:
        return "", parts[0], parts[1]
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    raise CkError(f"CID {cid!r} must look like module:data or repo:module:data.")


class CkIndex:
    """Entries of several CK repositories in search order (first repo wins on `load`)."""

    # The method `list` (named after `ck list`) shadows the builtin in this class's scope, so the
    # signatures here spell the type `builtins.list`.

    def __init__(self, scans: builtins.list[RepoScan], problems: builtins.list[Problem]) -> None:
        self._scans = scans
        self.repos: list[CkRepo] = [s.repo for s in scans]
        self.problems: list[Problem] = problems
        self._by_path: dict[str, EntryRecord] = {}
        for scan in scans:
            for records in scan.entries.values():
                for record in records:
                    self._by_path.setdefault(record.path, record)
        self._tags: dict[str, dict[str, tuple[list[int], set[int]]]] = {}
        self._resolved: dict[tuple[str, str], Found | None] = {}
        self._made: dict[tuple[str, ...], CkEntry] = {}

    # -- building ------------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        repo_paths: Sequence[Path],
        *,
        cache_dir: Path | None = None,
        cache_key: str | None = None,
        stamp: str | None = None,
        verify_aliases: bool = False,
    ) -> CkIndex:
        """Index `repo_paths` (in search order), reusing `cache_dir`'s copy for `cache_key`.

        `cache_key` is the caller's digest of the repositories' content (e.g. the snapshot
        sha256), `stamp` what else must match (the fingerprint of a working tree); a missing,
        unreadable or mismatching cache file is rebuilt. `verify_aliases`
        also reads every `alias-u-` file back (see `scan_repo`); a verified build is cached
        separately.
        """
        paths = [Path(p) for p in repo_paths]
        cache_file = None
        if cache_dir is not None and cache_key is not None:
            suffix = "-verified" if verify_aliases else ""
            cache_file = Path(cache_dir) / f"ck-index-{cache_name(cache_key)}{suffix}.json"
            cached = load_cache(cache_file, paths, stamp)
            if cached is not None:
                return cls(*cached)
        problems: list[Problem] = []
        collecting = gc.isenabled()
        gc.disable()  # tens of thousands of small dicts: cyclic GC passes would cost ~40 %
        try:
            scans = [scan_repo(read_repo(p, problems), problems, verify_aliases=verify_aliases)
                     for p in paths]
            index = cls(scans, problems)
        finally:
            if collecting:
                gc.enable()
        if cache_file is not None:
            save_cache(cache_file, paths, scans, problems, stamp)
        return index

    @classmethod
    def build_cached(cls, repo_paths: Sequence[Path], cache_dir: Path) -> CkIndex:
        """Index `repo_paths` through a cache in `cache_dir` that any change to them invalidates."""
        paths = [Path(p).resolve() for p in repo_paths]
        key = "tree-" + hashlib.sha256("\0".join(map(str, paths)).encode()).hexdigest()
        return cls.build(paths, cache_dir=cache_dir, cache_key=key, stamp=fingerprint(paths))

    # -- queries -------------------------------------------------------------------------------

    def entries(self) -> Iterator[CkEntry]:
        """Yield every indexed entry (repo order, then module and entry directory order)."""
        for scan in self._scans:
            done: set[str] = set()
            for module in scan.modules:
                if module.path not in done:
                    done.add(module.path)
                    for record in scan.entries.get(module.path, []):
                        yield self._entry(scan.repo, module, record)

    def list(self, pattern: str) -> builtins.list[CkEntry]:
        """Return the entries matching a CID pattern (`*`/`?` wildcards) as `ck list` finds them.

        `program` means `program:*`; `module:data` and `repo:module:data` are matched as CK does:
        a wildcard matches aliases only (UID-only repos and modules are skipped unless the
        pattern is `*`), fixed parts are resolved through the alias files.
        """
        parts = pattern.split(":")
        if len(parts) == 1:
            parts = ["", parts[0], "*"]
        elif len(parts) == 2:
            parts = ["", *parts]
        elif len(parts) != 3:
            raise CkError(f"Pattern {pattern!r} must look like module, module:data or "
                          "repo:module:data.")
        return [self._entry(scan.repo, m, r) for scan, m, r in self._match(*parts)]

    def search(self, module: str, tags: Sequence[str] = ()) -> builtins.list[CkEntry]:
        """Return the entries of `module` (a pattern as in `list`) having every tag in `tags`.

        Like `ck search`, entries whose meta is missing or malformed are never returned, and tags
        are exact, case-sensitive strings looked up in the meta's `tags` list.
        """
        pattern = module if ":" in module else f"{module}:*"
        wanted = list(tags)
        found = []
        for scan, mod, record in self._match(*self._parts(pattern), tags=wanted):
            # (postings hold only searchable entries having every tag: the check is then cheap)
            if record.searchable and _has_tags(record.meta, wanted):
                found.append(self._entry(scan.repo, mod, record))
        return found

    def load(self, cid_or_uoa: str, module: str | None = None) -> CkEntry:
        """Return the first entry in search order for a CID (or a UOA of `module`).

        Raises CkError naming the CID when it is not found, and naming the file when the entry's
        alias files are inconsistent or its meta, info, desc or updates file is unreadable.
        """
        repo_part, module_part, data_part = split_cid(cid_or_uoa, module)
        if not module_part or not data_part or _wild(module_part + data_part + repo_part):
            raise CkError(f"Cannot load {cid_or_uoa!r}: give a module and an entry without "
                          "wildcards (use list for patterns).")
        for scan in self._scans:
            if repo_part and repo_part not in (scan.repo.alias, scan.repo.uid):
                continue
            try:
                mod = resolve(str(scan.repo.path), module_part, scan.root)
                if mod is None:
                    continue
                module_part = mod.uoa  # CK quirk, see `_match`
                found = resolve(mod.path, data_part, scan.root)
            except Inconsistent as exc:
                raise CkError(f"Cannot load {cid_or_uoa!r}: {exc}.") from exc
            if found is None:
                continue
            record = self._record(found, scan.root)
            if record.error is not None:
                raise CkError(f"Cannot load {cid_or_uoa!r}: {record.error}.")
            for extra in ("desc.json", "updates.json"):
                _check_optional(os.path.join(found.path, ".cm", extra), scan.root, cid_or_uoa)
            module_record = ModuleRecord(mod.uoa, mod.uid, mod.alias, mod.path)
            return _entry(scan.repo, module_record, record)
        where = f" in repository {repo_part!r}" if repo_part else ""
        raise CkError(f"CK entry {cid_or_uoa!r} was not found{where} "
                      f"(searched {', '.join(r.alias for r in self.repos) or 'no repositories'}).")

    # -- internals -----------------------------------------------------------------------------

    @staticmethod
    def _parts(pattern: str) -> tuple[str, str, str]:
        parts = pattern.split(":")
        if len(parts) == 2:
            return "", parts[0], parts[1]
        if len(parts) == 3:
            return parts[0], parts[1], parts[2]
        raise CkError(f"Pattern {pattern!r} must look like module:data or repo:module:data.")

    def _match(
        self, repo_part: str, module_part: str, data_part: str, tags: Sequence[str] = ()
    ) -> Iterator[tuple[RepoScan, ModuleRecord, EntryRecord]]:
        repo_part = repo_part or "*"
        module_part = module_part or "*"
        data_part = data_part or "*"
        for scan in self._scans:
            if not _repo_matches(scan.repo, repo_part):
                continue
            done: set[str] = set()
            modules = self._modules(scan, module_part)
            if modules and not _wild(module_part):
                # CK quirk (kernel list_data/find_path_to_data): once a fixed module UOA is found
                # in a repository, the later repositories are searched by the UOA found there,
                # so a module UID resolves by its alias in repositories that use other UIDs.
                module_part = modules[0].uoa
            for mod in modules:
                if mod.path in done:  # two module dirs resolving to one path: list it once
                    continue
                done.add(mod.path)
                for record in self._records(scan, mod, data_part, tags):
                    yield scan, mod, record

    def _modules(self, scan: RepoScan, module_part: str) -> builtins.list[ModuleRecord]:
        if not _wild(module_part):
            found = self._resolve(str(scan.repo.path), module_part, scan.root)
            if found is None:
                return []
            return [ModuleRecord(found.uoa, found.uid, found.alias, found.path)]
        return [m for m in scan.modules if _name_matches(m.uoa, module_part, uid_skips=True)]

    def _records(
        self, scan: RepoScan, mod: ModuleRecord, data_part: str, tags: Sequence[str]
    ) -> builtins.list[EntryRecord]:
        if not _wild(data_part):
            found = self._resolve(mod.path, data_part, scan.root)
            if found is None or not os.path.isdir(os.path.join(found.path, ".cm")):
                return []
            return [self._record(found, scan.root)]
        records = scan.entries.get(mod.path)
        if records is None:
            # a module reached only through a fixed UID: read it now (its problems were reported
            # when its directory was listed, or do not concern `ck list`)
            records = scan.entries[mod.path] = scan_module(mod.path, scan.root, [])
        if tags:
            records = self._with_tags(mod.path, records, tags)
        if data_part == "*":
            return records
        return [r for r in records if fnmatch.fnmatchcase(r.uoa, data_part)]

    def _with_tags(
        self, module_path: str, records: builtins.list[EntryRecord], tags: Sequence[str]
    ) -> builtins.list[EntryRecord]:
        postings = self._tags.get(module_path)
        if postings is None:
            postings = self._tags[module_path] = _tag_postings(records)
        lists = []
        for tag in set(tags):
            hits = postings.get(tag)
            if hits is None:
                return []
            lists.append(hits)
        if len(lists) == 1:
            return [records[i] for i in lists[0][0]]
        common = set.intersection(*(h[1] for h in lists))
        return [records[i] for i in sorted(common)]

    def _resolve(self, parent: str, uoa: str, root: str) -> Found | None:
        """Resolve a fixed UOA once per index (the snapshot does not change)."""
        key = (parent, uoa)
        if key not in self._resolved:
            try:
                self._resolved[key] = resolve(parent, uoa, root)
            except Inconsistent:
                self._resolved[key] = None
        return self._resolved[key]

    def _entry(self, repo: CkRepo, module: ModuleRecord, record: EntryRecord) -> CkEntry:
        key = (repo.alias, repo.uid, module.uoa, module.uid, record.path, record.uid)
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = _entry(repo, module, record)
        return made

    def _record(self, found: Found, root: str) -> EntryRecord:
        known = self._by_path.get(found.path)
        if known is not None:
            if known.uid == found.uid and known.alias == found.alias:
                return known
            return EntryRecord(found.uoa, found.uid, found.alias, found.path, known.meta,
                               known.info, known.searchable, known.error)
        record = read_entry(found, root, [])
        if record is None:
            return EntryRecord(found.uoa, found.uid, found.alias, found.path, None, {}, False,
                               f"{found.path}: meta description is not found")
        return record


def _tag_postings(records: list[EntryRecord]) -> dict[str, tuple[list[int], set[int]]]:
    lists: dict[str, list[int]] = {}
    for n, record in enumerate(records):
        meta = record.meta
        if not record.searchable or not isinstance(meta, dict):
            continue
        tags = meta.get("tags")
        if not isinstance(tags, list):
            continue
        for tag in dict.fromkeys(t for t in tags if isinstance(t, str)):
            lists.setdefault(tag, []).append(n)
    return {tag: (hits, set(hits)) for tag, hits in lists.items()}


def _has_tags(meta: Any, tags: Sequence[str]) -> bool:
    if not tags:
        return True
    if not isinstance(meta, dict):
        return False
    have = meta.get("tags")
    return isinstance(have, list) and all(t in have for t in tags)


def _repo_matches(repo: CkRepo, pattern: str) -> bool:
    if not _wild(pattern):
        return pattern in (repo.alias, repo.uid)
    return _name_matches(repo.alias, pattern, uid_skips=True)


def _name_matches(name: str, pattern: str, *, uid_skips: bool) -> bool:
    if pattern == "*":
        return True
    if uid_skips and is_uid(name):
        return False
    return fnmatch.fnmatchcase(name, pattern)


def _entry(repo: CkRepo, module: ModuleRecord, record: EntryRecord) -> CkEntry:
    meta = record.meta if isinstance(record.meta, dict) else {}
    return CkEntry(
        repo_alias=repo.alias,
        repo_uid=repo.uid,
        module=module.uoa,
        alias=record.alias or None,
        uid=record.uid,
        path=Path(record.path),
        meta=meta,
        info=record.info,
        module_uid=module.uid,
    )


def _check_optional(path: str, root: str, cid: str) -> None:
    try:
        read_json(path, root)
    except FileNotFoundError:
        return
    except UnreadableFile as exc:
        raise CkError(f"Cannot load {cid!r}: {path}: {exc}.") from exc
