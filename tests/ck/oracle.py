"""The original `ck` (PyPI 2.6.4, beside the running Python) as a test oracle, with a HOME of its own.

Repositories are registered offline by hand, as ck-format §9 describes: one `local:repo:<alias>`
entry per repository holding `{"path": ...}`, then `ck recache repo`. Queries run in one batch
subprocess through `ck.kernel.access` with the same argv the `ck` command line would get.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent  # the environment the tests run in
CK_BIN = VENV_BIN / "ck"
MISSING = "the original ck (PyPI ck==2.6.4) is not installed beside this Python"
REPO_MODULE_UID = "befd7892b0d469e9"  # the kernel's `repo` module

_BATCH = r"""
import contextlib, io, json, sys
import ck.kernel as ck
queries = json.load(open(sys.argv[1]))
answers = []
for q in queries:
    q = dict(q, common_func="yes", out="")
    cid = q.pop("cid", None)
    if cid is not None:
        if ":" in cid:
            parsed = ck.parse_cid({"cid": cid})
            for key in ("repo_uoa", "module_uoa", "data_uoa"):
                if parsed.get(key):
                    q[key] = parsed[key]
        else:
            q["module_uoa"] = cid
    with contextlib.redirect_stdout(io.StringIO()):
        r = ck.access(q)
    answers.append({k: r.get(k) for k in ("return", "error", "lst", "path", "data_uid",
                                          "data_uoa", "repo_uoa", "module_uoa", "dict",
                                          "timed_out", "repo_uid")})
json.dump(answers, open(sys.argv[2], "w"))
"""


def available() -> bool:
    """Tell whether the original `ck` is installed in the project's virtualenv."""
    return CK_BIN.exists()


class CkOracle:
    """One private CK installation (HOME, CK_REPOS, CK_TOOLS under `home`)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        self.env = {"HOME": str(home), "CK_REPOS": str(home / "CK"),
                    "CK_TOOLS": str(home / "CK-TOOLS"), "PATH": f"{VENV_BIN}:/usr/bin:/bin",
                    "LANG": "C.UTF-8"}
        self.ck("version")

    def ck(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run the `ck` command line; raise when it fails."""
        proc = subprocess.run([str(CK_BIN), *args], env=self.env, capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL)
        if proc.returncode != 0:
            raise AssertionError(f"ck {' '.join(args)} failed: {proc.stdout}{proc.stderr}")
        return proc

    def register(self, *repos: Path) -> None:
        """Register repositories offline (hand-written local:repo entries + `ck recache repo`)."""
        local = self.home / "CK" / "local"
        modules = local / ".cm"
        modules.mkdir(parents=True, exist_ok=True)
        (modules / "alias-a-repo").write_text(REPO_MODULE_UID + "\n", encoding="utf-8")
        (modules / f"alias-u-{REPO_MODULE_UID}").write_text("repo\n", encoding="utf-8")
        for repo in repos:
            desc = json.loads((repo / ".ckr.json").read_text(encoding="utf-8"))
            alias, repo_uid = desc["data_alias"], desc["data_uid"]
            entry = local / "repo" / alias / ".cm"
            entry.mkdir(parents=True, exist_ok=True)
            (entry / "meta.json").write_text(json.dumps({"path": str(repo)}), encoding="utf-8")
            (entry / "info.json").write_text(json.dumps({
                "backup_data_uid": repo_uid, "data_name": desc.get("data_name", alias)}),
                encoding="utf-8")
            (entry / "desc.json").write_text("{}", encoding="utf-8")
            cm = local / "repo" / ".cm"
            cm.mkdir(parents=True, exist_ok=True)
            (cm / f"alias-a-{alias}").write_text(repo_uid + "\n", encoding="utf-8")
            (cm / f"alias-u-{repo_uid}").write_text(alias + "\n", encoding="utf-8")
        self.ck("recache", "repo")

    def repo_order(self) -> list[str]:
        """Return the registered repositories' UIDs in the order `ck` searches them."""
        cache = self.home / "CK" / "local" / ".ck.cache_repo_info.json"
        return list(json.loads(cache.read_text(encoding="utf-8")))

    def batch(self, queries: list[dict[str, str]]) -> list[dict[str, Any]]:
        """Run several `ck.kernel.access` queries in one subprocess; return each answer dict."""
        qfile = self.home / "queries.json"
        afile = self.home / "answers.json"
        qfile.write_text(json.dumps(queries), encoding="utf-8")
        env = dict(self.env)
        env["PYTHONWARNINGS"] = "ignore"
        python = VENV_BIN / "python"
        exe = str(python) if python.exists() else sys.executable
        subprocess.run([exe, "-c", _BATCH, str(qfile), str(afile)], env=env,
                       check=True, capture_output=True, timeout=300, stdin=subprocess.DEVNULL)
        return json.loads(afile.read_text(encoding="utf-8"))


def rows(lst: list[dict[str, Any]] | None, repo_uids: set[str]) -> set[tuple[str, ...]]:
    """Turn a `ck` result list into comparable rows, keeping only the given repositories."""
    out = set()
    for item in lst or []:
        if item["repo_uid"] in repo_uids:
            out.add((item["repo_uoa"], item["module_uoa"], item["data_uoa"], item["data_uid"],
                     os.path.realpath(item["path"])))
    return out
