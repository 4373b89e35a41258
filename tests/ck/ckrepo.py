"""Write CK v1 repositories into a temp dir, quirks included (test helper)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any


def uid() -> str:
    """Return a fresh CK UID (16 lowercase hex digits)."""
    return secrets.token_hex(8)


def write_json(path: Path, data: Any) -> None:
    """Write `data` as indented JSON, creating parent directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


class RepoWriter:
    """Builds one repository: `.ckr.json`, modules with alias files, entries with `.cm/` files."""

    def __init__(self, root: Path, alias: str, repo_uid: str | None = None,
                 repo_deps: list[str] | None = None) -> None:
        self.root = root
        self.alias = alias
        self.uid = repo_uid or uid()
        body: dict[str, Any] = {"shared": "git", "url": f"https://example.org/{alias}"}
        if repo_deps:
            body["repo_deps"] = [{"repo_uoa": d} for d in repo_deps]
        write_json(root / ".ckr.json", {"data_alias": alias, "data_uid": self.uid,
                                        "data_name": alias.title(), "data_uoa": alias,
                                        "dict": body})
        self.modules: dict[str, str] = {}

    def alias_files(self, parent: Path, alias: str, the_uid: str, *, a: bool = True,
                    u: bool = True) -> None:
        """Write `alias-a-<alias>` and/or `alias-u-<uid>` into `parent/.cm/`."""
        cm = parent / ".cm"
        cm.mkdir(parents=True, exist_ok=True)
        if a:
            (cm / f"alias-a-{alias}").write_text(the_uid + "\n", encoding="utf-8")
        if u:
            (cm / f"alias-u-{the_uid}").write_text(alias + "\n", encoding="utf-8")

    def module(self, name: str, module_uid: str | None = None, *, aliased: bool = True) -> Path:
        """Create a module directory (aliased from the repo root unless `aliased` is false)."""
        module_uid = module_uid or uid()
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        if aliased:
            self.alias_files(self.root, name, module_uid)
        self.modules[name] = module_uid
        return path

    def entry(self, module: str, alias: str | None, meta: Any = None, *,
              entry_uid: str | None = None, info: Any = None, meta_name: str = "meta.json",
              raw_meta: bytes | None = None, alias_a: bool = True, alias_u: bool = True,
              dirname: str | None = None) -> Path:
        """Create an entry; `alias=None` makes a UID-named entry without alias files."""
        if module not in self.modules:
            self.module(module)
        entry_uid = entry_uid or uid()
        mpath = self.root / module
        path = mpath / (dirname or alias or entry_uid)
        cm = path / ".cm"
        cm.mkdir(parents=True, exist_ok=True)
        if alias is not None:
            self.alias_files(mpath, alias, entry_uid, a=alias_a, u=alias_u)
        if raw_meta is not None:
            (cm / meta_name).write_bytes(raw_meta)
        elif meta is not None:
            write_json(cm / meta_name, meta)
        write_json(cm / "info.json", info if info is not None else {
            "backup_data_uid": entry_uid, "backup_module_uoa": module,
            "control": {"engine": "CK", "version": ["2", "6", "4"]},
            "data_name": alias or entry_uid})
        write_json(cm / "desc.json", {})
        return path
