"""`ae solution init`: prepare a solution on this machine.

A solution lives in its own directory (`<home>/<name>/`): the manifest, the artifact fetched at its
pinned commit (and its `repo_deps`, like `ae run`), its own virtual environment with the pinned
Python distributions, the software detected for it, and a `state.json` saying where each is. With
`reuse_packages` the environment reads the packages of the interpreter running `ae` (a `.pth` line
naming its site-packages) and installs only what is missing or at another version: the way to set up
a machine that has no network. The pins are then checked in the environment itself: a package at
another version than the manifest pins is an error naming both.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ae.ck.repository import find_repos
from ae.errors import AeError, CkError, SolutionError
from ae.evaluators.inventory import detect_software
from ae.solutions.manifest import Manifest, canonical
from ae.solutions.manifest import from_data as manifest_from_data

PIP_TIMEOUT_S = 1800
_LIST = ("import importlib.metadata as m, json\n"
         "print(json.dumps({d.metadata['Name'].lower().replace('_', '-'): d.version "
         "for d in m.distributions() if d.metadata['Name']}))")


@dataclass(frozen=True)
class Prepared:
    """A solution ready to benchmark on this machine."""

    root: Path
    manifest: Manifest
    own: list[Path]
    repos: list[Path]
    venv: Path
    packages: dict[str, str]
    software: list[str]

    def to_dict(self) -> dict[str, Any]:
        """Return what `state.json` keeps."""
        return {"own": [str(p) for p in self.own], "repos": [str(p) for p in self.repos],
                "venv": str(self.venv), "packages": self.packages, "software": self.software}


def init(manifest: Manifest, home: Path, *, reuse_packages: bool = False) -> Prepared:
    """Fetch, set up and check everything the solution needs under `home/<name>`."""
    root = home / manifest.name
    root.mkdir(parents=True, exist_ok=True)
    (root / "manifest.json").write_bytes(canonical(manifest.data))
    own, repos = _fetch(manifest, root / "store")
    venv = _environment(root / "venv", manifest.packages, reuse_packages=reuse_packages)
    packages = installed(venv)
    wrong = {name: (pin, packages.get(_key(name))) for name, pin in manifest.packages.items()
             if packages.get(_key(name)) != pin}
    if wrong:
        listed = ", ".join(f"{n} {got or 'missing'} (pinned {pin})"
                           for n, (pin, got) in sorted(wrong.items()))
        raise SolutionError(f"the solution's environment does not hold the pinned versions: {listed}")
    found = detect_software(cache_path=root / "cache" / "software.json", environments=[venv])
    software = sorted({f"{s.name} {s.version}" for s in found if "compiler" in s.tags or "tool" in s.tags})
    missing = [t for t in manifest.tools if not any(s.name == t or t in s.tags for s in found)]
    if missing:
        raise SolutionError(f"this machine lacks what the solution needs: {', '.join(missing)} (install it, "
                            "then run `ae solution init` again)")
    prepared = Prepared(root=root, manifest=manifest, own=own, repos=repos, venv=venv,
                        packages={n: packages[_key(n)] for n in manifest.packages}, software=software)
    (root / "state.json").write_text(json.dumps(prepared.to_dict(), indent=2, sort_keys=True))
    return prepared


def load(home: Path, name: str) -> Prepared:
    """Return a solution prepared by `init`, or raise SolutionError saying to run it."""
    root = home / name
    try:
        manifest = manifest_from_data(json.loads((root / "manifest.json").read_text()))
        state = json.loads((root / "state.json").read_text())
    except (OSError, ValueError) as exc:
        raise SolutionError(f"solution {name} is not set up here ({root}): run `ae solution init {name}` "
                            "first") from exc
    return Prepared(root=root, manifest=manifest, own=[Path(p) for p in state["own"]],
                    repos=[Path(p) for p in state["repos"]], venv=Path(state["venv"]),
                    packages=dict(state["packages"]), software=list(state["software"]))


def _key(name: str) -> str:
    return name.lower().replace("_", "-")


def _fetch(manifest: Manifest, store: Path) -> tuple[list[Path], list[Path]]:
    """Fetch the artifact at its pinned commit and its dependency repositories; return own and all repos."""
    from ae.intake import dependencies
    from ae.intake.fetch import fetch_source
    from ae.intake.policy import author_policy

    if manifest.commit is None:
        raise SolutionError(f"solution {manifest.name} pins no commit: it was not published")
    policy = author_policy()

    def fetch(url: str, ref: str | None) -> dependencies.Fetched:
        return fetch_source(url, ref, store_root=store, policy=policy)

    fetched = fetch(manifest.source, manifest.commit)
    if fetched.commit != manifest.commit:
        raise SolutionError(f"{manifest.source} gave commit {fetched.commit}, "
                            f"not the pinned {manifest.commit}")
    try:
        own = find_repos(fetched.tree.resolve())
    except CkError as exc:
        raise SolutionError(f"{manifest.source}: {exc}") from exc
    deps = dependencies.resolve(own, fetch=fetch)
    return own, dependencies.search_paths(own, deps, [])


def _environment(venv: Path, pins: dict[str, str], *, reuse_packages: bool) -> Path:
    """Create the solution's virtual environment (once) and install the pinned distributions missing."""
    python = venv / "bin" / "python3"
    if not python.exists():
        _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], "create the virtual environment")
    if reuse_packages:
        [site] = list(venv.glob("lib/python*/site-packages"))
        here = sysconfig.get_paths()["purelib"]
        (site / "ae-reused-packages.pth").write_text(here + "\n")
    have = installed(venv)
    todo = [f"{name}=={pin}" for name, pin in sorted(pins.items()) if have.get(_key(name)) != pin]
    if todo:
        _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--disable-pip-version-check",
              "--quiet", *todo], f"install {', '.join(todo)}")
    return venv


def installed(venv: Path) -> dict[str, str]:
    """Return the distributions the environment's interpreter sees: name -> version."""
    done = subprocess.run([str(venv / "bin" / "python3"), "-I", "-c", _LIST], capture_output=True, text=True,
                          timeout=120, check=False)
    if done.returncode != 0:
        raise SolutionError(f"the solution's interpreter {venv}/bin/python3 does not start: "
                            f"{done.stderr.strip()[-300:]}")
    return dict(json.loads(done.stdout))


def _run(argv: list[str], what: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, env=env,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AeError(f"could not {what}: {exc}") from exc
    if done.returncode != 0:
        raise SolutionError(f"could not {what}: {(done.stderr or done.stdout).strip()[-500:]}")
