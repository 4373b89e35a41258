"""The portable CK program pipeline: platform → resolve → build → run → validate → record.

`run_program` never raises for what an artifact does wrong: missing software, a compile error, a
failing command, a wrong output all end in a `RunRecord` with `ok=False` and a failure kind. It
raises `AeError` only for the caller's mistakes (unknown program, unknown command key, bad spec).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ae.ck import CkEntry, CkIndex
from ae.ck.files import inside
from ae.errors import AeError, CkError, PipelineError
from ae.evaluators import datasets, packages, sandbox
from ae.evaluators.build import build_program, dependency_env, needs_build, target_name
from ae.evaluators.cache import make_dir
from ae.evaluators.inputs import DigestCache
from ae.evaluators.inventory import detect_software
from ae.evaluators.platform import detect_platform
from ae.evaluators.record import RunRecord
from ae.evaluators.resolve import parse_deps, resolve_deps
from ae.evaluators.run import (
    RunPlan,
    output_digests,
    plan_run,
    run_repetition,
    run_time,
    tail,
)
from ae.evaluators.software import Software
from ae.evaluators.template import take_from
from ae.evaluators.validate import check_outputs, reference_key, shipped_reference

BASE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            "TMPDIR": "/tmp"}
Progress = Callable[[str], None]
Streams = Callable[[Path, Path, Path], None]  # (stdout file, stderr file, work dir), once planned


log = logging.getLogger(__name__)

@dataclass
class RunSpec:
    """What to run, where, and with which limits."""

    repo_paths: list[Path]
    program: str
    work_dir: Path
    cmd_key: str | None = None
    dataset: str | None = None
    repetitions: int = 3
    cache_dir: Path | None = None
    references_dir: Path | None = None
    limits: sandbox.Limits | None = None
    sandbox_mode: str = "auto"
    network: bool = False
    optimization: str = "-O3"
    repeat: int | None = None       # CK's --repeat: overrides CT_REPEAT_MAIN (no calibration anyway)
    dataset_file: str | None = None  # CK's --dataset_file: the file $#dataset_filename#$ names
    python_environments: tuple[Path, ...] = ()  # offered instead of the worker's own (a solution's venv)


@dataclass(frozen=True)
class Target:
    """One runnable (program, cmd_key, dataset); dataset None means chosen by tags."""

    program: str
    cmd_key: str
    dataset: str | None


def _programs(index: CkIndex, own: set[Path] | None) -> list[CkEntry]:
    seen: dict[str, CkEntry] = {}
    for entry in index.search("program"):
        if own is not None and not any(entry.path.is_relative_to(p) for p in own):
            continue
        if isinstance(entry.meta.get("run_cmds"), dict) and entry.meta.get("run_cmds"):
            seen.setdefault(entry.uid, entry)
    return sorted(seen.values(), key=lambda e: e.uoa)


def _index(repo_paths: Sequence[Path], cache_dir: Path | None) -> CkIndex:
    """Index the repositories, through `cache_dir/ck-index` when there is a cache."""
    paths = [Path(p).resolve() for p in repo_paths]
    return CkIndex.build_cached(paths, cache_dir / "ck-index") if cache_dir else CkIndex.build(paths)


def list_targets(repo_paths: Sequence[Path], own: Sequence[Path] | None = None,
                 cache_dir: Path | None = None) -> list[Target]:
    """List every program × cmd_key; where several datasets match the tags, one target each.

    Programs come from `own` (the artifact's repositories; default: all of `repo_paths`), datasets
    from every repository, dependencies included.
    """
    index = _index(repo_paths, cache_dir)
    mine = {Path(p).resolve() for p in own} if own is not None else None
    targets: list[Target] = []
    for entry in _programs(index, mine):
        for cmd_key in sorted(entry.meta["run_cmds"]):
            run_cmd = entry.meta["run_cmds"][cmd_key]
            tags = datasets.dataset_tags(run_cmd) if isinstance(run_cmd, dict) else []
            found = datasets.candidates(index, tags) if tags else []
            if len(found) > 1:
                targets.extend(Target(entry.uoa, cmd_key, d.uoa)
                               for d in sorted(found, key=lambda d: d.uoa))
            else:
                targets.append(Target(entry.uoa, cmd_key, None))
    return targets


def choose_cmd_key(meta: dict[str, Any], wanted: str | None, program: str) -> str:
    """Return the command key to run: the one named, the only one, or `default`."""
    keys: list[str] = sorted(meta.get("run_cmds") or {})
    if wanted is not None:
        if wanted not in keys:
            raise AeError(f"Program {program} has no command key {wanted!r} "
                          f"(it has: {', '.join(keys) or 'none'}).")
        return wanted
    if len(keys) == 1:
        return keys[0]
    if "default" in keys:
        return "default"
    raise AeError(f"Program {program} has several command keys ({', '.join(keys)}); name one.")


def _load_program(index: CkIndex, spec: RunSpec) -> CkEntry:
    try:
        if ":" in spec.program:
            entry = index.load(spec.program)
        else:
            entry = index.load(spec.program, module="program")
    except CkError as exc:
        raise AeError(f"Program {spec.program!r} was not found: {exc}") from exc
    if not isinstance(entry.meta.get("run_cmds"), dict):
        raise AeError(f"Entry {entry.cid} ({entry.path}) has no run_cmds: it is not a program.")
    return entry


def _check_spec(spec: RunSpec) -> None:
    if spec.repetitions < 1:
        raise AeError(f"Repetitions must be at least 1, not {spec.repetitions}.")
    if not spec.repo_paths:
        raise AeError("No CK repository was given to run from.")
    spec.work_dir.mkdir(parents=True, exist_ok=True)
    if any(spec.work_dir.iterdir()):
        raise AeError(f"Work dir {spec.work_dir} is not empty; each run needs a fresh one.")


def _entry_path(index: CkIndex, cid: str, module: str, where: str) -> Path:
    """Return the directory of the entry a meta value refers to (alias, UID or CID)."""
    try:
        found = index.load(cid) if ":" in cid else index.load(cid, module=module)
    except CkError as exc:
        raise PipelineError(f"{where} refers to {cid!r}, which is not found: {exc}",
                            kind="meta-error") from exc
    return found.path


def _resolve_meta(index: CkIndex, entry: CkEntry) -> tuple[dict[str, Any], Path]:
    """Resolve `$#ck_take_from_{CID}#$` everywhere in the meta, and `base_uoa` (CK: the program's
    files, `src_path` included, come from the base entry's directory)."""

    def lookup(cid: str) -> str:
        return str(_entry_path(index, cid, "program", f"Program {entry.uoa}")) + "/"

    meta = take_from(entry.meta, lookup)
    base = meta.get("base_uoa")
    path = _entry_path(index, str(base), "program", f"base_uoa of {entry.uoa}") if base else entry.path
    return meta, path


def _sources(meta: dict[str, Any], entry_path: Path, repos: Sequence[Path]) -> list[Path]:
    """Return the program's source paths (relative to the entry, or absolute after take-from);
    each must be a file inside one of the repositories, never elsewhere on the worker."""
    out = []
    for name in meta.get("source_files") or []:
        path = entry_path / str(name)
        if not path.is_file() or not any(inside(str(path), str(repo)) for repo in repos):
            raise PipelineError(f"Source file {name} of source_files is not a file inside the "
                                "artifact's repositories.", kind="compile-error")
        out.append(path)
    return out


def _deps_view(deps: dict[str, Software]) -> dict[str, Any]:
    return {k: {"name": s.name, "version": s.version, "path": s.path, "tags": s.tags,
                "origin": s.origin, "env": s.env} for k, s in deps.items()}


def run_program(spec: RunSpec, *, progress: Progress | None = None,
                streams: Streams | None = None) -> RunRecord:
    """Build and run one program command through the whole pipeline; return its record.

    `progress` hears each stage (`running i/n` for repetition i of n); `streams` hears where the
    command's stdout and stderr will be written, before the first repetition (live log views).
    """
    say = progress or (lambda _msg: None)
    _check_spec(spec)
    spec = dataclasses.replace(spec, work_dir=spec.work_dir.resolve())
    index = _index(spec.repo_paths, spec.cache_dir)
    entry = _load_program(index, spec)
    cmd_key = choose_cmd_key(entry.meta, spec.cmd_key, entry.uoa)
    record = RunRecord(ok=True, failure_kind=None, message="", program=entry.uoa, cmd_key=cmd_key,
                       dataset=spec.dataset, program_uid=entry.uid)
    if spec.sandbox_mode == "none":
        warning = (f"{entry.uoa} {cmd_key}: AE_SANDBOX=none, the artifact runs UNSANDBOXED with the "
                   "worker's rights (unsafe: trusted code only)")
        log.warning(warning)
        record.notes.append(warning)
    say("detecting platform")
    record.platform = detect_platform().to_dict()
    try:
        _pipeline(spec, index, entry, cmd_key, record, say, streams)
    except PipelineError as exc:
        record.fail(exc.kind, str(exc))
    except OSError as exc:  # the worker's own machinery: the artifact's doings never raise here
        log.exception("%s %s: the pipeline failed", entry.uoa, cmd_key)
        record.fail("internal-error", f"The worker failed while running {entry.uoa}: {exc}")
    if record.ok:
        n = len(record.samples)
        record.message = f"{entry.uoa} {cmd_key} ran {n} time{'s' * (n != 1)} successfully."
    return record


def _pipeline(spec: RunSpec, index: CkIndex, entry: CkEntry, cmd_key: str, record: RunRecord,
              say: Progress, streams: Streams | None = None) -> None:
    meta, entry_path = _resolve_meta(index, entry)
    cache = spec.cache_dir or (spec.work_dir / ".ae" / "cache")
    run_cmd = meta["run_cmds"][cmd_key]
    dataset = datasets.choose_dataset(index, run_cmd, spec.dataset,
                                      f"{entry.uoa} command {cmd_key}", spec.dataset_file)
    if dataset is not None:
        record.dataset = dataset.entry.uoa
        record.dataset_file = dataset.files[0] if dataset.files else None
    deps = _resolve_deps(spec, meta, run_cmd, cache, record, say)
    mounts = [Path(m) for sw in deps.values() for m in sw.mounts]  # a Python environment's dirs
    ro_binds = [*dict.fromkeys(Path(p).resolve() for p in spec.repo_paths), cache / "packages",
                cache / "shims", *dict.fromkeys(mounts)]
    binary = None
    if needs_build(meta):
        say("compiling")
        binary = _build(spec, entry, entry_path, meta, deps, cache, ro_binds, record)
    env = dependency_env(deps, BASE_ENV)
    env["PATH"] = ":".join([*_python_shims(deps, cache / "shims"), env["PATH"]])
    env["HOME"] = str(spec.work_dir)
    plan = plan_run(cmd_key=cmd_key, meta=meta, entry_path=entry_path, work_dir=spec.work_dir,
                    binary=binary, binary_name=target_name(meta) if binary else None,
                    dataset=dataset, env=env, repeat=spec.repeat)
    record.env = dict(plan.env)
    record.notes.extend(plan.notes)
    record.commands.extend([*plan.pre_commands, plan.command, *plan.post_commands])
    if streams is not None:
        streams(plan.stdout_file, plan.stderr_file, spec.work_dir)
    _repeat(spec, plan, ro_binds, record, say)
    if plan.correctness_files:
        say("validating outputs")
        key = reference_key(program_uid=entry.uid, cmd_key=cmd_key, run_time=run_time(run_cmd, meta),
                            dataset_uid=dataset.entry.uid if dataset else None,
                            dataset_file=record.dataset_file, repeat=plan.repeat, env=plan.env)
        record.output_check = check_outputs(plan.cwd, plan.correctness_files,
                                            shipped=shipped_reference(index, key),
                                            references_dir=spec.references_dir, key=key,
                                            root=spec.work_dir)
        bad = [name for name, r in record.output_check.items() if not r["ok"]]
        if bad:
            raise PipelineError(f"Output {', '.join(bad)} differs from the reference "
                                f"({key.entry_uoa}/{key.subdir}).", kind="output-mismatch")


def _python_shims(deps: dict[str, Software], root: Path) -> list[str]:
    """Give each resolved Python a `python` name on PATH (CK commands say `python`; Debian has
    only `python3`): a directory holding a `python` symlink to the interpreter."""
    dirs = []
    for sw in deps.values():
        if "lang-python" not in sw.tags or not sw.path.startswith("/"):
            continue
        shim = root / hashlib.sha256(sw.path.encode()).hexdigest()[:16]
        if not (shim / "python").is_symlink():
            make_dir(shim)
            tmp = shim / f".python-{os.getpid()}"
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(sw.path)
            os.replace(tmp, shim / "python")
        dirs.append(str(shim))
    return dirs


def _resolve_deps(spec: RunSpec, meta: dict[str, Any], run_cmd: dict[str, Any], cache: Path,
                  record: RunRecord, say: Progress) -> dict[str, Software]:
    """Detect software (cached) and resolve compile deps, then run deps, building packages."""
    say("detecting software")
    software = detect_software(cache_path=cache / "software.json", environments=spec.python_environments)
    record.platform["compilers"] = sorted({f"{s.name} {s.version}" for s in software
                                           if "compiler" in s.tags})
    for sub in ("packages", "shims"):  # bound into every sandbox: readable by any sandbox uid
        make_dir(cache / sub)
    provide = packages.provider(cache, sandbox_mode=spec.sandbox_mode, limits=spec.limits,
                                on_build=say)
    deps = resolve_deps(parse_deps(meta.get("compile_deps") or meta.get("deps")), software,
                        provide=provide)
    run_deps = parse_deps({**(meta.get("run_deps") or {}), **(run_cmd.get("run_deps") or {})})
    deps = resolve_deps(run_deps, software, provide=provide, resolved=deps)
    record.deps = _deps_view(deps)
    return deps


def _build(spec: RunSpec, entry: CkEntry, entry_path: Path, meta: dict[str, Any],
           deps: dict[str, Software], cache: Path, ro_binds: list[Path], record: RunRecord) -> Path:
    """Build (or reuse) the binary; a failed build raises `compile-error` with the log kept."""
    repos = [Path(p).resolve() for p in spec.repo_paths]
    built = build_program(
        program_uid=entry.uid, entry_path=entry_path, meta=meta,
        sources=_sources(meta, entry_path, repos), deps=deps, base_env=BASE_ENV, cache=cache,
        repos=repos, digests=DigestCache(cache), optimization=spec.optimization,
        ro_binds=ro_binds, limits=spec.limits, sandbox_mode=spec.sandbox_mode)
    record.commands.extend(built.commands)
    record.compile_log = built.log
    record.build = {"digest": built.digest, "cached": built.cached, "seconds": built.seconds,
                    "object_sizes": built.object_sizes}
    if not built.ok or built.binary is None:
        raise PipelineError(f"{built.message} See the compile log of {entry.uoa}.",
                            kind="compile-error")
    return built.binary


def _repeat(spec: RunSpec, plan: RunPlan, ro_binds: list[Path], record: RunRecord,
            say: Progress) -> None:
    """Run the repetitions, stopping at the first failure; keep digests and output tails."""
    try:
        for n in range(spec.repetitions):
            say(f"running {n + 1}/{spec.repetitions}")
            rep = run_repetition(plan, ro_binds=ro_binds, limits=spec.limits,
                                 mode=spec.sandbox_mode, network=spec.network)
            if rep.sample:
                record.add_sample(rep.sample, rep.time_source)
            if not rep.ok:
                raise PipelineError(rep.message, kind=rep.failure_kind or "run-error")
    finally:
        record.outputs, notes = output_digests(plan, spec.limits or sandbox.Limits())
        record.stdout_tail, stdout_note = tail(plan.stdout_file, spec.work_dir)
        record.stderr_tail, stderr_note = tail(plan.stderr_file, spec.work_dir)
        record.notes.extend(n for n in [*notes, stdout_note, stderr_note] if n)
