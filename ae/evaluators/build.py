"""Compile and link a CK program the way `ck compile` does, once per (program, deps, flags).

Each source is compiled with the resolved compiler (`compiler_env`, default `CK_CC`), CK's OS
defines, `build_compiler_vars` as `-D`, the entry and `include_dirs` plus every dependency's
include directories as `-I`; then the objects are linked with the dependencies' libraries and
`extra_ld_vars` (`$<<VAR>>$` expanded from the dependency environment). All commands run as one
script in one sandbox call; the binary and the compile log are cached (see `cache`) under a hash
of everything the build could read (`build_digest`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ae.errors import PipelineError
from ae.evaluators import sandbox
from ae.evaluators.cache import publish, stage_dir, usable
from ae.evaluators.inputs import DigestCache
from ae.evaluators.paths import UnreadableFile, copy_file, read_file
from ae.evaluators.software import Software
from ae.evaluators.template import expand_env, leftovers
from ae.files.trees import remove_tree

CK_OS_DEFINES = ("-DCK_HOST_OS_NAME2_LINUX=1", "-DCK_HOST_OS_NAME_LINUX=1",
                 "-DCK_TARGET_OS_NAME2_LINUX=1", "-DCK_TARGET_OS_NAME_LINUX=1")
CACHE_LAYOUT = "ae-build-2"  # changes whenever an entry's layout or the key's inputs do
LOG = "compile.log"


@dataclass
class BuildResult:
    """The outcome of building one program."""

    ok: bool
    binary: Path | None
    digest: str
    commands: list[str]
    log: str
    seconds: float
    cached: bool
    message: str = ""
    object_sizes: dict[str, int] = field(default_factory=dict)


def target_name(meta: Mapping[str, Any]) -> str:
    """Return the executable's file name (`target_file` + `.out`, CK's default `a.out`)."""
    name = str(meta.get("target_file") or "a") + ".out"
    if "/" in name or name.startswith(".."):
        raise PipelineError(f"target_file {meta.get('target_file')!r} must be a plain file name.",
                            kind="meta-error")
    return name


def needs_build(meta: Mapping[str, Any]) -> bool:
    """Tell whether the program is compiled at all (`no_compile`, no sources)."""
    return meta.get("no_compile") != "yes" and bool(meta.get("source_files"))


def dependency_env(deps: Mapping[str, Software], base: Mapping[str, str]) -> dict[str, str]:
    """Merge the dependencies' variables over `base`, with their binary dirs first on PATH."""
    env = dict(base)
    bins: list[str] = []
    for sw in deps.values():
        env.update(sw.env)
        if sw.path and os.path.isfile(sw.path) and os.access(sw.path, os.X_OK):
            bins.append(os.path.dirname(sw.path))
    path = [*dict.fromkeys(bins), *env.get("PATH", "").split(":")]
    env["PATH"] = ":".join(dict.fromkeys(p for p in path if p))
    return env


def compile_commands(
    entry_path: Path,
    meta: Mapping[str, Any],
    sources: Sequence[Path],
    deps: Mapping[str, Software],
    env: Mapping[str, str],
    optimization: str,
) -> list[list[str]]:
    """Return the compile commands (one per source) followed by the link command, as argv lists."""
    compiler_var = str(meta.get("compiler_env") or "CK_CC")
    linker_var = str(meta.get("linker_env") or compiler_var)
    compiler = shlex.split(env.get(compiler_var, ""))
    linker = shlex.split(env.get(linker_var, "")) or compiler
    if not compiler:
        raise PipelineError(
            f"No resolved dependency sets {compiler_var} (the program's compiler_env); add a "
            "compiler to compile_deps.", kind="missing-dependency")
    defines = []
    for key, value in (meta.get("build_compiler_vars") or {}).items():
        value = expand_env(str(value), env)
        defines.append(f"-D{key}" if value == "" else f"-D{key}={value}")
    includes = [f"-I{entry_path}"]
    for d in meta.get("include_dirs") or []:
        includes.append(f"-I{entry_path / expand_env(str(d), env)}")
    for sw in deps.values():
        includes.extend(f"-I{d}" for d in sw.include_dirs)
    obligatory = shlex.split(env.get("CK_COMPILER_FLAGS_OBLIGATORY", ""))
    commands, objects = [], []
    for src in sources:
        obj = _object_name(src, entry_path)
        objects.append(obj)
        commands.append([*compiler, *shlex.split(optimization), "-c", *obligatory,
                         *CK_OS_DEFINES, *defines, *includes, str(src), "-o", obj])
    libs: list[str] = []
    for sw in deps.values():
        libs.extend(f"-L{d}" for d in sw.lib_dirs)
        libs.extend(f"-l{name}" for name in sw.libs)
    first = shlex.split(expand_env(str(meta.get("extra_ld_vars_first") or ""), env))
    extra = shlex.split(expand_env(str(meta.get("extra_ld_vars") or ""), env))
    misc = shlex.split(env.get("CK_LD_FLAGS_MISC", "")) + shlex.split(env.get("CK_LD_FLAGS_EXTRA", ""))
    commands.append([*linker, *first, *objects, "-o", target_name(meta), *misc, *libs, *extra])
    return commands


def _object_name(src: Path, entry_path: Path) -> str:
    try:
        rel = src.relative_to(entry_path)
    except ValueError:
        rel = Path(src.name)
    return str(rel.with_suffix("")).replace("/", "_") + ".o"


def compile_script(commands: Sequence[str], jobs: int | None = None) -> str:
    """Return a shell script running the compile commands `jobs` at a time, then the link.

    Each compile writes its own log, printed in source order after its batch, so the compile log
    reads as if the commands had run one after the other; the first failure stops the build.
    """
    width = max(1, jobs or os.cpu_count() or 1)
    *compiles, link = commands
    lines = ["exec 2>&1", "failed=0"]
    for start in range(0, len(compiles), width):
        batch = list(enumerate(compiles))[start:start + width]
        for n, cmd in batch:
            lines.append(f"{cmd} > .compile-{n}.log 2>&1 & pid{n}=$!")
        for n, cmd in batch:
            lines.append(f"wait $pid{n} || failed=1")
            lines.append(f"echo {shlex.quote('+ ' + cmd)}; [ -s .compile-{n}.log ] && cat .compile-{n}.log")
        lines.append('[ "$failed" = 0 ] || exit 1')
    lines += [f"echo {shlex.quote('+ ' + link)}", link]
    return "\n".join(lines) + "\n"


def build_digest(
    *, program_uid: str, entry_path: Path, meta: Mapping[str, Any], commands: Sequence[str],
    env: Mapping[str, str], deps: Mapping[str, Software], repos: Mapping[str, str],
    compilers: Mapping[str, str],
) -> str:
    """Hash every input a build can read: the whole program entry, the repository trees bound
    into its sandbox (`repos`: path -> tree digest), the commands (flags, include and library
    dirs), the environment, the resolved dependencies (built-in packages carry their digest in
    their path) and each compiler's binary (`compilers`: path -> sha256)."""
    dep_ids = {k: [s.name, s.version, s.path, sorted(s.tags), sorted(s.env.items()),
                   s.include_dirs, s.lib_dirs, s.libs, _identity(s.path)]
               for k, s in deps.items()}
    data = [CACHE_LAYOUT, program_uid, str(entry_path), meta, sorted(repos.items()), list(commands),
            sorted(env.items()), dep_ids, sorted(compilers.items())]
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _identity(path: str) -> list[int]:
    """Return the size and modification time of a dependency's file (nothing when none)."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return []
    return [info.st_size, info.st_mtime_ns] if os.path.isfile(path) else []


def build_program(
    *,
    program_uid: str,
    entry_path: Path,
    meta: Mapping[str, Any],
    sources: Sequence[Path],
    deps: Mapping[str, Software],
    base_env: Mapping[str, str],
    cache: Path,
    repos: Sequence[Path],
    digests: DigestCache,
    optimization: str = "-O3",
    ro_binds: Sequence[Path] = (),
    limits: sandbox.Limits | None = None,
    sandbox_mode: str = "auto",
    jobs: int | None = None,
) -> BuildResult:
    """Build the program into `cache/builds/<digest>/` unless that build is already cached."""
    missing = [str(s) for s in sources if not s.is_file()]
    if missing:
        raise PipelineError(f"Source file {missing[0]} listed in source_files does not exist.",
                            kind="compile-error")
    env = dependency_env(deps, base_env)
    for key, value in (meta.get("compile_vars") or {}).items():
        env[str(key)] = expand_env(str(value), env)
    commands = compile_commands(entry_path, meta, sources, deps, env, optimization)
    text_commands = [shlex.join(c) for c in commands]
    left = [p for c in text_commands for p in leftovers(c)]
    if left:
        raise PipelineError(f"Build meta of {entry_path} contains {left[0]}, which nothing "
                            "substitutes.", kind="meta-error")
    compilers = {s.path: digests.file_digest(s.path) for s in deps.values()
                 if "compiler" in s.tags and os.path.isfile(s.path)}
    digest = build_digest(
        program_uid=program_uid, entry_path=entry_path, meta=meta, commands=text_commands,
        env=env, deps=deps, repos={str(r): digests.tree_digest(r) for r in dict.fromkeys(repos)},
        compilers=compilers)
    limits = limits or sandbox.Limits()
    final = cache / "builds" / digest
    name = target_name(meta)
    if usable(final, [name, LOG]):
        log = _read_log(final, limits)
        return BuildResult(True, final / name, digest, text_commands, log, 0.0, cached=True)
    stage = stage_dir(cache, digest[:16])
    try:
        return _compile(stage, final, name, text_commands, env, digest, ro_binds, limits,
                        sandbox_mode, jobs)
    finally:
        remove_tree(stage)


def _compile(stage: Path, final: Path, name: str, commands: list[str], env: dict[str, str],
             digest: str, ro_binds: Sequence[Path], limits: sandbox.Limits, sandbox_mode: str,
             jobs: int | None) -> BuildResult:
    """Compile in the sandbox with `stage` as its work dir; publish binary and log into `final`."""
    (stage / "compile.sh").write_text(compile_script(commands, jobs))
    started = time.perf_counter()
    result = sandbox.run(
        ["/bin/sh", "compile.sh"], work_dir=stage, cwd=stage, ro_binds=tuple(ro_binds), env=env,
        stdout_path=stage / LOG, stderr_path=stage / "compile.err", limits=limits,
        mode=sandbox_mode,
    )
    seconds = time.perf_counter() - started

    def failed(why: str, log: str) -> BuildResult:
        return BuildResult(False, None, digest, commands, log, seconds, cached=False, message=why)

    try:
        log = _read_log(stage, limits)
    except (FileNotFoundError, UnreadableFile) as exc:
        return failed(f"The compile log {LOG} was replaced during the build ({_why(exc)}); the "
                      "build is not used.", "")
    if result.returncode != 0:
        reason = "timed out" if result.termination == "timeout" else f"failed ({result.message})"
        return failed(f"Compilation {reason}.", log)
    sizes = {e.name: e.stat(follow_symlinks=False).st_size for e in os.scandir(stage)
             if e.name.endswith(".o") and e.is_file(follow_symlinks=False)}

    def fill(new: Path) -> None:
        copy_file(stage / name, stage, new / name, limits.file_size_bytes, 0o755)
        (new / LOG).write_text(log)
        os.chmod(new / LOG, 0o644)

    try:
        publish(final, [name, LOG], fill)
    except (FileNotFoundError, UnreadableFile) as exc:
        return failed(f"The build did not produce a usable {name} ({_why(exc)}).", log)
    return BuildResult(True, final / name, digest, commands, log, seconds, cached=False,
                       object_sizes=sizes)


def _why(exc: Exception) -> str:
    return "it does not exist" if isinstance(exc, FileNotFoundError) else f"it {exc}"


def _read_log(folder: Path, limits: sandbox.Limits) -> str:
    """Return the compile log (the sandbox capped it at `output_bytes` plus a marker)."""
    return read_file(folder / LOG, folder, limits.output_bytes + 4096).decode(errors="replace")
