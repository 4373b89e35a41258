"""Software detectors: one small class per kind of software, in a dict registry.

Each detector finds candidates on a fixed search path (never the worker's `PATH`), asks each one
for its version, and returns `Software` with the tags and the `CK_*` variables that CK's `soft`
plugins would have exported, so programs written for CK find what they expect.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from ae.ck.versions import compare_versions
from ae.evaluators.software import Software, ck_tags

PKG_CONFIG_DIRS = (
    "/usr/local/lib/x86_64-linux-gnu/pkgconfig", "/usr/local/lib/pkgconfig",
    "/usr/local/share/pkgconfig", "/usr/lib/x86_64-linux-gnu/pkgconfig",
    "/usr/lib/aarch64-linux-gnu/pkgconfig", "/usr/lib/pkgconfig", "/usr/share/pkgconfig",
)
_VERSION = re.compile(r"(\d+(?:\.\d+)*)")


class Detector(Protocol):
    """Finds one kind of software."""

    name: str

    def detect(self, search_path: Sequence[str]) -> list[Software]:
        """Return every installation found."""
        ...


def _output(argv: Sequence[str], timeout: float = 10.0) -> str:
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout,
                              check=False, env={"PATH": "/usr/local/bin:/usr/bin:/bin",
                                                "LC_ALL": "C"})
    except (OSError, subprocess.SubprocessError):
        return ""
    return (done.stdout + done.stderr) if done.returncode == 0 else ""


def _first_version(text: str, after: str = "") -> str:
    start = text.find(after) if after else 0
    match = _VERSION.search(text, max(start, 0))
    return match.group(1) if match else ""


def find_executables(search_path: Sequence[str], pattern: str) -> list[Path]:
    """Executables whose name fully matches `pattern`, one per real file, the shortest name kept."""
    regex = re.compile(pattern)
    by_real: dict[str, Path] = {}
    for directory in search_path:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            if not regex.fullmatch(name):
                continue
            path = Path(directory) / name
            if not os.access(path, os.X_OK) or path.is_dir():
                continue
            real = os.path.realpath(path)
            kept = by_real.get(real)
            if kept is None or len(name) < len(kept.name):
                by_real[real] = path
    return sorted(by_real.values())


def _compiler_env(prefix: str, path: Path, cc: str, cxx: str) -> dict[str, str]:
    """The variables CK's C/C++ compiler soft entries export (ck-env `soft/compiler.gcc`)."""
    root = str(path.parent.parent)
    return {
        prefix: root,
        f"{prefix}_BIN": str(path.parent),
        f"{prefix}_FILE": str(path),
        "CK_CC": cc,
        "CK_CXX": cxx,
        "CK_LD": cc,
        "CK_AR": "ar",
        "CK_LB": "ar rcs",
        "CK_OPT_SPEED": "-O3",
        "CK_OPT_SIZE": "-Os",
        "CK_FLAGS_CREATE_OBJ": "-c",
        "CK_FLAGS_OUTPUT": "-o ",
        "CK_FLAG_PREFIX_INCLUDE": "-I",
        "CK_FLAG_PREFIX_VAR": "-D",
        "CK_FLAG_PREFIX_LIB_DIR": "-L",
        "CK_FLAGS_STATIC_BIN": "-static -fPIC",
        "CK_FLAGS_DYNAMIC_BIN": " ",
        "CK_FLAGS_STATIC_LIB": "-fPIC",
        "CK_FLAGS_DLL": "-shared -fPIC",
        "CK_LINKER_FLAG_OPENMP": "-fopenmp",
        "CK_COMPILER_FLAG_OPENMP": "-fopenmp",
        "CK_COMPILER_FLAGS_OBLIGATORY": "-pipe",  # no temp files between cc1 and as
        "CK_LD_FLAGS_MISC": "",
        "CK_LD_FLAGS_EXTRA": "",
        "CK_EXTRA_LIB_M": "-lm",
        "CK_EXTRA_LIB_DL": "-ldl",
        "CK_OBJ_EXT": ".o",
        "CK_EXE_EXT": ".out",
        "CK_LIB_EXT": ".a",
        "CK_DLL_EXT": ".so",
        "CK_OBJDUMP": "objdump -d",
    }


class CCompilerDetector:
    """A C/C++ compiler family (`gcc`/`g++`, `clang`/`clang++`), versioned names included."""

    def __init__(self, name: str, cxx: str, tags: list[str], env_prefix: str,
                 version_args: tuple[str, ...], version_after: str = "") -> None:
        self.name = name
        self.cxx = cxx
        self.tags = tags
        self.env_prefix = env_prefix
        self.version_args = version_args
        self.version_after = version_after

    def detect(self, search_path: Sequence[str]) -> list[Software]:
        """Return every installation found, with its C++ sibling as `CK_CXX`."""
        found = []
        for path in find_executables(search_path, rf"{re.escape(self.name)}(-\d+)?"):
            version = _first_version(_output([str(path), *self.version_args]), self.version_after)
            if not version:
                continue
            cxx = path.parent / path.name.replace(self.name, self.cxx)
            env = _compiler_env(self.env_prefix, path, path.name,
                                cxx.name if cxx.exists() else self.cxx)
            found.append(Software(self.name, ck_tags(self.tags, version), version, str(path), env))
        return found


class PythonDetector:
    """Python interpreters (`python3`, `python3.11`, …)."""

    name = "python"

    def detect(self, search_path: Sequence[str]) -> list[Software]:
        """Return every Python found."""
        found = []
        for path in find_executables(search_path, r"python(3(\.\d+)?)?"):
            version = _first_version(_output([str(path), "--version"]))
            if not version:
                continue
            env = {
                "CK_ENV_COMPILER_PYTHON": str(path.parent.parent),
                "CK_ENV_COMPILER_PYTHON_BIN": str(path.parent),
                "CK_ENV_COMPILER_PYTHON_FILE": str(path),
                "CK_PYTHON_BIN": path.name,
                "CK_PYC": "python",
                "CK_PY_RT": "python",
                "CK_PY_OBJ_EXT": ".pyc",
            }
            if version.startswith("3"):
                env["CK_PYTHON_VER3"] = "YES"
            tags = ["compiler", "python", "lang-python"]
            found.append(Software("python", ck_tags(tags, version), version, str(path), env))
        return found


class ToolDetector:
    """A command-line tool found by name whose `--version` output names its version."""

    def __init__(self, name: str, pattern: str, tags: list[str], env_prefix: str,
                 version_after: str = "") -> None:
        self.name = name
        self.pattern = pattern
        self.tags = tags
        self.env_prefix = env_prefix
        self.version_after = version_after

    def detect(self, search_path: Sequence[str]) -> list[Software]:
        """Return every installation of the tool."""
        found = []
        for path in find_executables(search_path, self.pattern):
            version = _first_version(_output([str(path), "--version"]), self.version_after)
            if not version:
                continue
            env = {self.env_prefix: str(path.parent.parent), f"{self.env_prefix}_BIN": str(path.parent),
                   f"{self.env_prefix}_FILE": str(path)}
            if self.name == "nvcc":
                env.update({"CK_NVCC": str(path), "CK_ENV_COMPILER_CUDA_INSTALLED": "yes"})
            found.append(Software(self.name, ck_tags(self.tags, version), version, str(path), env))
        return found


def pkg_config_dirs() -> list[str]:
    """The pkg-config directories that exist on this machine."""
    return [d for d in PKG_CONFIG_DIRS if os.path.isdir(d)]


def _pc_fields(text: str) -> tuple[dict[str, str], dict[str, str]]:
    variables: dict[str, str] = {}
    fields: dict[str, str] = {}

    def expand(value: str) -> str:
        return re.sub(r"\$\{(\w+)\}", lambda m: variables.get(m.group(1), ""), value)

    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        var = re.match(r"^([\w.]+)\s*=\s*(.*)$", line)
        field_ = re.match(r"^([\w.]+)\s*:\s*(.*)$", line)
        if var:
            variables[var.group(1)] = expand(var.group(2))
        elif field_:
            fields[field_.group(1)] = expand(field_.group(2))
    return variables, fields


class PkgConfigDetector:
    """Libraries that ship a pkg-config `.pc` file (read directly: one file each, no subprocess)."""

    name = "pkg-config"

    def detect(self, search_path: Sequence[str]) -> list[Software]:
        """Return one `Software` per `.pc` file."""
        found: dict[str, Software] = {}
        for directory in pkg_config_dirs():
            for pc in sorted(Path(directory).glob("*.pc")):
                if pc.stem in found:
                    continue
                try:
                    variables, fields = _pc_fields(pc.read_text(errors="replace"))
                except OSError:
                    continue
                version = fields.get("Version", "").strip()
                libs = re.findall(r"(?:^|\s)-l(\S+)", fields.get("Libs", ""))
                name = re.sub(r"\W", "_", pc.stem).upper()
                include = variables.get("includedir", "")
                libdir = variables.get("libdir", "")
                env = {f"CK_ENV_LIB_{name}": variables.get("prefix", ""),
                       f"CK_ENV_LIB_{name}_INCLUDE": include, f"CK_ENV_LIB_{name}_LIB": libdir}
                found[pc.stem] = Software(
                    pc.stem, ck_tags(["lib", pc.stem.lower()], version), version, str(pc), env,
                    include_dirs=[include] if include else [], lib_dirs=[libdir] if libdir else [],
                    libs=libs)
        return list(found.values())


_LIST_PACKAGES = (
    "import importlib.metadata as m, json, sys\n"
    "print(json.dumps([[d.metadata['Name'], d.version, str(d.locate_file(''))]"
    " for d in m.distributions() if d.metadata['Name']]))"
)


def python_environments(chosen: Sequence[Path] = ()) -> list[Path]:
    """Return the virtual environments whose packages are offered: `chosen` (a solution's own), else
    the one this worker runs in (none outside one).

    Their packages are offered to artifacts as `python-package` software, each naming the
    environment's interpreter in `CK_ENV_COMPILER_PYTHON_FILE`: an operator installs what
    artifacts need (scikit-learn, ONNX Runtime, ...) beside the worker, and the sandbox sees that
    environment read-only.
    """
    if chosen:
        return [Path(p) for p in chosen]
    return [Path(sys.prefix)] if sys.prefix != sys.base_prefix else []


def _environment_mounts(root: Path) -> list[str]:
    """Return the dirs a virtual environment's interpreter needs: itself and its base outside /usr."""
    mounts = [str(root)]
    try:
        config = (root / "pyvenv.cfg").read_text(errors="replace")
    except OSError:
        return mounts
    home = re.search(r"^home\s*=\s*(.+)$", config, re.MULTILINE)
    if home:
        base = os.path.dirname(os.path.realpath(home.group(1).strip()))
        if os.path.commonpath([base, "/usr"]) != "/usr":
            mounts.append(base)
    return mounts + _site_links(root)


def _site_links(root: Path) -> list[str]:
    """Return the other site-packages directories an environment's `.pth` files name (a solution
    environment that reuses another environment's packages): only plain lines naming an existing
    `site-packages` directory, never code lines or other folders."""
    found = []
    for pth in sorted(root.glob("lib/python*/site-packages/*.pth")):
        try:
            lines = pth.read_text(errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            path = Path(line.strip())
            if path.is_absolute() and path.name == "site-packages" and path.is_dir():
                found.append(os.path.realpath(path))
    return found


def _packages(interpreter: str, mounts: list[str]) -> list[Software]:
    """Return one `Software` per distribution installed for `interpreter`."""
    try:
        rows = json.loads(_output([interpreter, "-I", "-c", _LIST_PACKAGES], timeout=30) or "[]")
    except ValueError:
        return []
    found: dict[str, Software] = {}
    for name, version, location in rows:
        key = name.lower().replace("_", "-")
        if key in found:
            continue
        env_name = re.sub(r"\W", "_", key).upper()
        env = {f"CK_ENV_LIB_PYTHON_{env_name}": location, "CK_ENV_COMPILER_PYTHON_FILE": interpreter}
        found[key] = Software(key, ck_tags(["lib", "python-package", key], version), version,
                              location, env, mounts=list(mounts))
    return list(found.values())


class PythonPackageDetector:
    """Python packages of the newest detected system Python and of the worker's own environment."""

    name = "python-package"

    def __init__(self, environments: Sequence[Path] = ()) -> None:
        self.environments = list(environments)

    def detect(self, search_path: Sequence[str]) -> list[Software]:
        """Return one `Software` per installed distribution and interpreter."""
        found: list[Software] = []
        pythons = PythonDetector().detect(search_path)
        if pythons:
            best = pythons[0]
            for p in pythons[1:]:
                if compare_versions(p.version, best.version) > 0:
                    best = p
            found.extend(_packages(best.path, []))
        for root in python_environments(self.environments):
            interpreter = root / "bin" / "python3"
            if interpreter.exists():
                found.extend(_packages(str(interpreter), _environment_mounts(root)))
        return found


REGISTRY: dict[str, Detector] = {
    "gcc": CCompilerDetector("gcc", "g++", ["compiler", "gcc", "lang-c", "lang-cpp"],
                             "CK_ENV_COMPILER_GCC", ("-dumpfullversion", "-dumpversion")),
    "clang": CCompilerDetector("clang", "clang++", ["compiler", "llvm", "clang", "lang-c", "lang-cpp"],
                               "CK_ENV_COMPILER_LLVM", ("--version",), version_after="version"),
    "python": PythonDetector(),
    "cmake": ToolDetector("cmake", r"cmake", ["tool", "cmake"], "CK_ENV_TOOL_CMAKE"),
    "make": ToolDetector("make", r"g?make", ["tool", "make"], "CK_ENV_TOOL_MAKE"),
    "nvcc": ToolDetector("nvcc", r"nvcc", ["compiler", "cuda", "nvcc", "lang-cu"],
                         "CK_ENV_COMPILER_CUDA", version_after="release"),
    "pkg-config": PkgConfigDetector(),
    "python-package": PythonPackageDetector(),
}


def get(name: str) -> Detector:
    """Return the detector registered under `name`."""
    return REGISTRY[name]
