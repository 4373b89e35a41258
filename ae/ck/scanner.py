"""Walking one CK repository the way `ck list` does, and noting every defect on the way.

CK's rules (kernel `find_path_to_entry` and `list_data`), reproduced here:
- a directory name that is a UID is looked up in the parent's `.cm/alias-u-<uid>`; when that file
  exists, the entry lives in the directory it names (not checked for existence), else in `<uid>/`;
- any other name must be a directory and have `.cm/alias-a-<name>` (its first line is the UID);
  without it the directory is skipped by listings and is an error ("inconsistent entry") on load;
- a listed directory is an entry only when it has a `.cm/` directory; `.cm`, `.svn`, `.git` and
  non-directories are ignored; meta is `.cm/meta.json`, else `.cm/data.json`.
We refuse alias files naming paths (`..`, `/`) and symlinks that leave the repository.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ae.ck.entry import CkRepo, Problem, is_uid
from ae.ck.files import MISSING, UnreadableFile, inside, load_json, read_first_line, read_small

SPECIAL = frozenset({".cm", ".svn", ".git"})


@dataclass(slots=True)
class Found:
    """Where a UOA points inside a parent directory (CK's `find_path_to_entry` answer)."""

    path: str
    uid: str
    alias: str

    @property
    def uoa(self) -> str:
        """Return the alias, else the UID."""
        return self.alias or self.uid


class Inconsistent(Exception):
    """An aliased directory has no `alias-a-` file (CK error 10)."""


class UnsafeAlias(Inconsistent):
    """An `alias-u-` file names a path (`..`, `/`) instead of a directory name."""


def resolve(parent: str, uoa: str, root: str) -> Found | None:
    """Find a module or entry by UID or alias in `parent`; None when absent.

    Raises Inconsistent for an alias directory without its alias file, and for alias files that
    name a path instead of a directory name.
    """
    cm = os.path.join(parent, ".cm")
    if is_uid(uoa):
        alias = read_first_line(os.path.join(cm, "alias-u-" + uoa), root)
        if alias is not None:
            if not _plain_name(alias):
                raise UnsafeAlias(f"alias-u-{uoa} names {alias!r}, which is not a directory name")
            return Found(_contained(os.path.join(parent, alias), root), uoa, alias)
        path = os.path.join(parent, uoa)
        return Found(_contained(path, root), uoa, "") if os.path.isdir(path) else None
    if not _plain_name(uoa):
        return None
    path = os.path.join(parent, uoa)
    if not os.path.isdir(path):
        return None
    _contained(path, root)
    uid = read_first_line(os.path.join(cm, "alias-a-" + uoa), root)
    if uid is None:
        raise Inconsistent(f"directory {uoa!r} exists but {os.path.join(cm, 'alias-a-' + uoa)} "
                           "does not")
    return Found(path, uid, uoa)


def _contained(path: str, root: str) -> str:
    """Return `path`, refusing a symbolic link that leads out of the repository."""
    if os.path.islink(path) and not inside(path, root):
        raise UnsafeAlias(f"{path} is a symbolic link that leaves the repository")
    return path


def _plain_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\0" not in name


@dataclass(slots=True)
class EntryRecord:
    """An indexed entry: identity, meta (None when unreadable) and the reason load would fail."""

    uoa: str
    uid: str
    alias: str
    path: str
    meta: Any
    info: dict[str, Any]
    searchable: bool
    error: str | None = None


@dataclass(slots=True)
class ModuleRecord:
    """A module directory of a repository, with the entries listed under its (resolved) path."""

    uoa: str
    uid: str
    alias: str
    path: str


@dataclass
class RepoScan:
    """Everything read from one repository."""

    repo: CkRepo
    root: str
    modules: list[ModuleRecord] = field(default_factory=list)
    entries: dict[str, list[EntryRecord]] = field(default_factory=dict)


def scan_repo(repo: CkRepo, problems: list[Problem], *, verify_aliases: bool = False) -> RepoScan:
    """Read every module and entry of `repo`, appending each defect to `problems`.

    Alias files are always checked for existence (from the directory listing); with
    `verify_aliases` every `alias-u-<uid>` is also read back and compared with its alias, which
    costs one more file read per entry.
    """
    root = os.path.realpath(repo.path)
    result = RepoScan(repo=repo, root=root)
    base = str(repo.path)
    for name in _subdirs(base, root, problems):
        found = _resolve_listed(base, name, root, problems, module_level=True)
        if found is None:
            continue
        module = ModuleRecord(found.uoa, found.uid, found.alias, found.path)
        result.modules.append(module)
        if found.path not in result.entries:
            result.entries[found.path] = scan_module(found.path, root, problems,
                                                      verify_aliases=verify_aliases)
    return result


def _subdirs(parent: str, root: str, problems: list[Problem]) -> list[str]:
    names: list[str] = []
    try:
        listing = list(os.scandir(parent))
    except OSError as exc:
        problems.append(Problem(Path(parent), f"cannot be listed ({exc.strerror})"))
        return names
    for item in listing:
        if item.name in SPECIAL:
            continue
        try:
            if not item.is_dir():
                continue
            if item.is_symlink() and not inside(item.path, root):
                problems.append(Problem(Path(item.path),
                                        "is a symbolic link that leaves the repository; skipped"))
                continue
        except OSError:
            continue
        names.append(item.name)
    names.sort()
    return names


def _looks_like_ck(path: str, module_level: bool) -> bool:
    """Tell whether an unaliased directory holds CK content (other directories are not ours)."""
    if not module_level:
        return os.path.isdir(os.path.join(path, ".cm"))
    try:
        return any(os.path.isdir(os.path.join(path, n, ".cm")) for n in os.listdir(path))
    except OSError:
        return False


def _resolve_listed(
    parent: str, name: str, root: str, problems: list[Problem], module_level: bool = False
) -> Found | None:
    try:
        found = resolve(parent, name, root)
    except Inconsistent as exc:
        if isinstance(exc, UnsafeAlias) or _looks_like_ck(os.path.join(parent, name), module_level):
            problems.append(Problem(Path(parent, name), f"{exc}; ck skips it"))
        return None
    if found is None:
        return None
    cm = os.path.join(parent, ".cm")
    if found.alias and name == found.uid:
        problems.append(Problem(Path(parent, name), f"is named by UID but .cm/alias-u-{name} "
                                f"redirects it to {found.alias!r}; ck lists {found.alias!r} "
                                "instead"))
        if os.path.lexists(found.path) and not inside(found.path, root):
            problems.append(Problem(Path(found.path), "is a symbolic link that leaves the "
                                    "repository; skipped"))
            return None
    elif found.alias:
        if not is_uid(found.uid):
            problems.append(Problem(Path(cm, "alias-a-" + name),
                                    f"holds {found.uid!r}, which is not a 16-hex-digit UID"))
        back = read_first_line(os.path.join(cm, "alias-u-" + found.uid), root)
        if back is None:
            problems.append(Problem(Path(cm, "alias-a-" + name), f"points to UID {found.uid!r} "
                                    f"but .cm/alias-u-{found.uid} is missing"))
        elif back != name:
            problems.append(Problem(Path(cm, "alias-u-" + found.uid), f"names {back!r} but "
                                    f".cm/alias-a-{name} points to this UID (inconsistent "
                                    "alias files)"))
    return found


def scan_module(
    module_path: str, root: str, problems: list[Problem], *, verify_aliases: bool = True
) -> list[EntryRecord]:
    """List one module's entries (the hot loop of indexing: kept flat on purpose)."""
    records: list[EntryRecord] = []
    seen_uid: dict[str, str] = {}
    by_path: dict[str, EntryRecord | None] = {}
    cm_dir = os.path.join(module_path, ".cm")
    try:
        cm_names = set(os.listdir(cm_dir))
    except OSError:
        cm_names = set()
    prefix = module_path + "/"
    alias_prefix = cm_dir + "/alias-a-"
    for name in _subdirs(module_path, root, problems):
        found = None
        if "alias-a-" + name in cm_names and not is_uid(name):
            try:
                uid = _first_line(read_small(alias_prefix + name, root, 4096))
            except UnreadableFile:
                uid = None
            if uid is not None:
                found = Found(prefix + name, uid, name)
                if not is_uid(uid) or "alias-u-" + uid not in cm_names:
                    _check_alias_a(cm_dir, cm_names, name, uid, problems)
                elif verify_aliases:
                    _check_alias_u(cm_dir, name, uid, root, problems)
        if found is None:
            found = _resolve_listed(module_path, name, root, problems)
            if found is None:
                continue
        path = found.path
        record: EntryRecord | None
        if path in by_path:
            same = by_path[path]
            if same is None or any(r.path == path and r.uid == found.uid for r in records):
                continue
            record = EntryRecord(found.uoa, found.uid, found.alias, path, same.meta, same.info,
                                 same.searchable, same.error)
        else:
            record = by_path[path] = read_entry(found, root, problems)
            if record is None:
                continue
        other = seen_uid.setdefault(found.uid, path)
        if other != path:
            problems.append(Problem(Path(path), f"UID {found.uid} is also used by {other}; "
                                    "lookups by UID find only one of them"))
        records.append(record)
    _check_stray_alias_files(cm_dir, cm_names, records, root, problems)
    return records


def _check_alias_a(
    cm_dir: str, cm_names: set[str], name: str, uid: str, problems: list[Problem]
) -> None:
    if not is_uid(uid):
        problems.append(Problem(Path(cm_dir, "alias-a-" + name),
                                f"holds {uid!r}, which is not a 16-hex-digit UID"))
    if "alias-u-" + uid not in cm_names:
        problems.append(Problem(Path(cm_dir, "alias-a-" + name), f"points to UID {uid!r} "
                                f"but .cm/alias-u-{uid} is missing"))


def _check_alias_u(cm_dir: str, name: str, uid: str, root: str, problems: list[Problem]) -> None:
    try:
        back = _first_line(read_small(cm_dir + "/alias-u-" + uid, root, 4096))
    except UnreadableFile:
        back = None
    if back != name:
        problems.append(Problem(Path(cm_dir, "alias-u-" + uid), f"names {back!r} but "
                                f".cm/alias-a-{name} points to this UID (inconsistent "
                                "alias files)"))


def _first_line(data: bytes | None) -> str | None:
    if data is None:
        return None
    try:
        return data.decode("utf-8").split("\n", 1)[0].strip()
    except UnicodeDecodeError:
        return None


def read_entry(found: Found, root: str, problems: list[Problem]) -> EntryRecord | None:
    """Read one entry's `.cm/` files; None when it has no `.cm/` directory (not an entry)."""
    cm = found.path + "/.cm"
    try:
        st = os.lstat(cm)
    except OSError:
        return None
    if stat.S_ISLNK(st.st_mode):
        if not inside(cm, root):
            problems.append(Problem(Path(cm), "is a symbolic link that leaves the repository; "
                                    "skipped"))
            return None
        if not os.path.isdir(cm):
            return None
    elif not stat.S_ISDIR(st.st_mode):
        return None
    meta: Any = None
    bad: tuple[str, str] | None = None
    meta_path = cm + "/meta.json"
    try:
        meta = load_json(meta_path, root)
        if meta is MISSING:
            meta_path = cm + "/data.json"
            meta = load_json(meta_path, root)
        if meta is MISSING:
            meta = None
            bad = (found.path, "has .cm/ but neither .cm/meta.json nor .cm/data.json")
    except UnreadableFile as exc:
        bad = (meta_path, str(exc))
    if bad is None and not isinstance(meta, dict):
        # ck's own search crashes on such meta (AttributeError); we report it instead
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
            type(meta), "a number")
        bad = (meta_path, f"is {kind}, not a JSON object")
        meta = None
    searchable = bad is None
    if isinstance(meta, dict) and str(meta.get("_base_entry", "")).strip():
        problems.append(Problem(Path(meta_path), "uses _base_entry (meta inheritance of "
                                "ck 2.6.4), which is not applied here"))
    info: dict[str, Any] = {}
    info_path = cm + "/info.json"
    try:
        raw = load_json(info_path, root)
        if isinstance(raw, dict):
            info = raw
        elif raw is not MISSING and bad is None:
            bad = (info_path, "is not a JSON object")
    except UnreadableFile as exc:
        bad = bad or (info_path, str(exc))
    error = None
    if bad is not None:
        problems.append(Problem(Path(bad[0]), bad[1]))
        error = f"{bad[0]}: {bad[1]}"
    return EntryRecord(found.uoa, found.uid, found.alias, found.path, meta, info, searchable, error)


def _check_stray_alias_files(
    cm: str, names: set[str], records: list[EntryRecord], root: str, problems: list[Problem]
) -> None:
    claimed = {r.alias: r.uid for r in records if r.alias}
    known_uids = {r.uid for r in records}
    for fname in names:
        if not fname.startswith("alias-u-"):
            continue
        uid = fname[len("alias-u-"):]
        if uid in known_uids:
            continue
        alias = read_first_line(os.path.join(cm, fname), root)
        if alias is not None and alias in claimed:
            problems.append(Problem(Path(cm, fname), f"gives alias {alias!r} to UID {uid}, but "
                                    f"alias-a-{alias} gives it to {claimed[alias]} (duplicate "
                                    "alias)"))
