"""Built-in packages: what CK artifacts commonly need, built from sources shipped with `ae`.

A package is built once per (package, compiler) into `<cache>/packages/<name>-<version>-<digest>/`
(headers in `include/`, libraries in `lib/`) and exposed as a `Software` with the `CK_ENV_*`
variables CK's own package would have set. The build runs in the sandbox like every other command;
the entry is written by the worker (see `ae.evaluators.cache`).
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ae.errors import PipelineError
from ae.evaluators import sandbox
from ae.evaluators.cache import make_dir, publish, stage_dir, usable
from ae.evaluators.paths import UnreadableFile, copy_file, read_tail
from ae.evaluators.resolve import Dependency
from ae.evaluators.software import Software, ck_tags
from ae.files.trees import remove_tree

SOURCES = Path(__file__).resolve().parent
BASE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C", "HOME": "/tmp"}
LAYOUT = "2"  # a package entry's layout and ownership rules (see ae.evaluators.cache)
LIBRARY_CAP = 64 << 20


@dataclass(frozen=True)
class BuiltinPackage:
    """A C library we can build from our own sources."""

    name: str
    version: str
    tags: tuple[str, ...]
    source_dir: str
    sources: tuple[str, ...]
    headers: tuple[str, ...]
    lib_name: str
    env_prefix: str

    def software_tags(self) -> list[str]:
        """Tags of the installed package, as CK would put on its env entry."""
        return ck_tags(self.tags, self.version)

    def digest(self, compiler: Software) -> str:
        """Hash the sources, the entry layout and the compiler the package is built with."""
        h = hashlib.sha256(f"{LAYOUT}\0{self.name}\0{self.version}\0{compiler.path}\0"
                           f"{compiler.version}\0{_identity(compiler.path)}".encode())
        for name in (*self.sources, *self.headers):
            h.update((SOURCES / self.source_dir / name).read_bytes())
        return h.hexdigest()[:16]


def _identity(path: str) -> str:
    """Return the size and modification time of the compiler binary (it may be upgraded)."""
    try:
        info = os.stat(path)
    except OSError:
        return ""
    return f"{info.st_size}:{info.st_mtime_ns}"


REGISTRY: dict[str, BuiltinPackage] = {
    "xopenme": BuiltinPackage(
        name="xopenme", version="0.3", tags=("lib", "xopenme", "rtl", "rtl-xopenme"),
        source_dir="xopenme", sources=("xopenme.c",), headers=("xopenme.h",),
        lib_name="rtlxopenme", env_prefix="CK_ENV_LIB_RTL_XOPENME"),
}


def get(name: str) -> BuiltinPackage:
    """Return the built-in package registered under `name`."""
    return REGISTRY[name]


def matching(tags: list[str]) -> list[BuiltinPackage]:
    """Return the built-in packages whose tags include every tag in `tags`."""
    return [p for p in REGISTRY.values() if set(tags) <= set(p.software_tags())]


def installed(package: BuiltinPackage, prefix: Path) -> Software:
    """Describe an installed package as `Software`."""
    include, lib = prefix / "include", prefix / "lib"
    static = f"lib{package.lib_name}.a"
    env = {
        package.env_prefix: str(prefix),
        f"{package.env_prefix}_INCLUDE": str(include),
        f"{package.env_prefix}_LIB": str(lib),
        f"{package.env_prefix}_STATIC_NAME": static,
        f"{package.env_prefix}_LFLAG": f"-l{package.lib_name}",
    }
    return Software(package.name, package.software_tags(), package.version, str(lib / static), env,
                    include_dirs=[str(include)], lib_dirs=[str(lib)], libs=[package.lib_name],
                    origin="built-in")


def build(package: BuiltinPackage, compiler: Software, cache_dir: Path, *,
          sandbox_mode: str = "auto", limits: sandbox.Limits | None = None,
          on_build: Callable[[str], None] | None = None) -> Software:
    """Build `package` with `compiler` into the cache (once) and return it as `Software`.

    The library is compiled in the sandbox in a stage directory; the worker then copies the
    headers (from our sources) and the library (read back safely) into a cache entry it writes
    itself (see `ae.evaluators.cache`), readable by every sandbox uid. A failure here is the
    service's own: `internal-error`.
    """
    prefix = cache_dir / "packages" / f"{package.name}-{package.version}-{package.digest(compiler)}"
    files = [*(f"include/{h}" for h in package.headers), f"lib/lib{package.lib_name}.a"]
    if usable(prefix, files):
        return installed(package, prefix)
    if on_build:
        on_build(f"building built-in package {package.name}")
    stage = stage_dir(cache_dir, package.name)
    try:
        _compile(package, compiler, stage, sandbox_mode, limits or sandbox.Limits())

        def fill(new: Path) -> None:
            for sub in ("include", "lib"):
                make_dir(new / sub)
            for name in package.headers:
                shutil.copyfile(SOURCES / package.source_dir / name, new / "include" / name)
                os.chmod(new / "include" / name, 0o644)
            library = f"lib/lib{package.lib_name}.a"
            copy_file(stage / library, stage, new / library, LIBRARY_CAP, 0o644)

        try:
            publish(prefix, files, fill)
        except (FileNotFoundError, UnreadableFile) as exc:
            raise PipelineError(f"Built-in package {package.name} produced no usable library "
                                f"({exc}).", kind="internal-error") from exc
    finally:
        remove_tree(stage)
    return installed(package, prefix)


def _compile(package: BuiltinPackage, compiler: Software, stage: Path, sandbox_mode: str,
             limits: sandbox.Limits) -> None:
    """Compile the package's sources into `stage/lib` in the sandbox."""
    (stage / "lib").mkdir()
    (stage / "src").mkdir()
    for name in (*package.sources, *package.headers):
        shutil.copyfile(SOURCES / package.source_dir / name, stage / "src" / name)
    objects = [Path(s).with_suffix(".o").name for s in package.sources]
    lines = ["exec 2>&1", "set -e", "cd src"]
    for src, obj in zip(package.sources, objects, strict=True):
        lines.append(f"{shlex.quote(compiler.path)} -O2 -fPIC -c {shlex.quote(src)} -o {obj}")
    lines.append(f"ar rcs ../lib/lib{package.lib_name}.a {' '.join(objects)}")
    (stage / "build.sh").write_text("\n".join(lines) + "\n")
    result = sandbox.run(
        ["/bin/sh", "build.sh"], work_dir=stage, cwd=stage, env=dict(BASE_ENV),
        stdout_path=stage / "build.log", stderr_path=stage / "build.err", limits=limits,
        mode=sandbox_mode,
    )
    if result.returncode != 0:
        try:
            log = read_tail(stage / "build.log", stage, 2000).decode(errors="replace")
        except (FileNotFoundError, UnreadableFile):
            log = ""
        raise PipelineError(
            f"Built-in package {package.name} failed to build ({result.message}): {log}",
            kind="internal-error")


def provider(cache_dir: Path, *, sandbox_mode: str = "auto", limits: sandbox.Limits | None = None,
             on_build: Callable[[str], None] | None = None
             ) -> Callable[[Dependency, Mapping[str, Software]], Software | None]:
    """Return a resolver callback that builds a matching built-in package with the chosen C compiler."""

    def provide(dep: Dependency, chosen: Mapping[str, Software]) -> Software | None:
        for package in matching(dep.tags):
            compiler = next((s for s in chosen.values() if "lang-c" in s.tags), None)
            if compiler is None:
                raise PipelineError(
                    f"Dependency '{dep.key}' needs the built-in {package.name} package, which needs "
                    "a C compiler dependency resolved before it (lower 'sort').",
                    kind="missing-dependency")
            sw = build(package, compiler, cache_dir, sandbox_mode=sandbox_mode, limits=limits,
                       on_build=on_build)
            if dep.matches(sw):
                return sw
        return None

    return provide
