"""Run one `run_cmds` entry: substitute, lay out a private work dir, run repetitions in the sandbox.

The layout mimics CK's `<entry>/tmp` without writing into the (read-only) snapshot: the program
entry's files are symlinked into the work dir and the command runs in `<work dir>/tmp`, so `../x`
and `$#src_path#$x` both reach the entry's files, while outputs land in the private work dir.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ae.errors import PipelineError
from ae.evaluators import sandbox
from ae.evaluators.datasets import ChosenDataset
from ae.evaluators.paths import UnreadableFile, contained, digest_file, fresh, read_file, read_tail
from ae.evaluators.template import check_complete, env_to_shell, expand_env, substitute

RUN_DIR = "tmp"
OWN_DIR = ".ae"
TIMER_CAP = 4 << 20
SHELL = "/bin/bash" if os.path.exists("/bin/bash") else "/bin/sh"


@dataclass
class RunPlan:
    """Everything needed to run a command repeatedly, already substituted."""

    cmd_key: str
    command: str
    cwd: Path
    env: dict[str, str]
    stdout_file: Path
    stderr_file: Path
    timer_file: str | None
    output_files: list[str]
    correctness_files: list[str]
    pre_commands: list[str]
    post_commands: list[str]
    ignore_return_code: bool
    repeat: int
    notes: list[str] = field(default_factory=list)


@dataclass
class Repetition:
    """The outcome of one repetition; `time_source` says where its execution time came from:
    `timer` (the program's timer file), `wall` (the wall clock measured inside the sandbox) or
    `none` (the repetition failed before a time could be taken)."""

    ok: bool
    failure_kind: str | None
    message: str
    sample: dict[str, float]
    timer: dict[str, Any] | None
    returncode: int
    time_source: str = "none"


def run_time(run_cmd: Mapping[str, Any], meta: Mapping[str, Any]) -> dict[str, Any]:
    """Return a command's `run_time`, falling back to the top-level keys CK falls back to."""
    rt = dict(run_cmd.get("run_time") or {})
    for key in ("run_correctness_output_files", "run_output_files", "fine_grain_timer_file"):
        if key not in rt and key in meta:
            rt[key] = meta[key]
    return rt


def _list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def substitutions(*, entry_path: Path, binary_name: str | None, dataset: ChosenDataset | None,
                  repeat: int) -> dict[str, str]:
    """Return every `$#key#$` value CK offers in run commands."""
    values = {
        "src_path": str(entry_path) + "/", "src_path_local": str(entry_path) + "/",
        "up_dir": "../", "previous_dir": "../", "dir_sep": "/", "os_dir_separator": "/",
        "script_ext": ".sh", "env1": "${", "env2": "}", "repeat": str(repeat),
    }
    if binary_name:
        values["BIN_FILE"] = "./" + binary_name
        values["ONLY_BIN_FILE"] = binary_name
    if dataset is not None:
        values.update(dataset.substitutions())
    return values


def _command(text: Any, values: Mapping[str, str], where: str) -> str:
    if isinstance(text, list):
        text = " ".join(str(t) for t in text)
    return check_complete(env_to_shell(substitute(str(text), values)), where)


def prepare_work_dir(work_dir: Path, entry_path: Path, binary: Path | None) -> Path:
    """Link the entry's files into `work_dir`, copy the binary into the run dir; return the run dir."""
    run_dir = work_dir / RUN_DIR
    run_dir.mkdir(parents=True, exist_ok=True)
    (work_dir / OWN_DIR).mkdir(exist_ok=True)
    for item in sorted(entry_path.iterdir()):
        if item.name in (".cm", RUN_DIR, OWN_DIR):
            continue
        link = work_dir / item.name
        if not link.exists() and not link.is_symlink():
            link.symlink_to(item)
    if binary is not None:
        shutil.copy2(binary, run_dir / binary.name)
    return run_dir


def plan_run(
    *,
    cmd_key: str,
    meta: Mapping[str, Any],
    entry_path: Path,
    work_dir: Path,
    binary: Path | None,
    binary_name: str | None,
    dataset: ChosenDataset | None,
    env: Mapping[str, str],
    repeat: int | None = None,
) -> RunPlan:
    """Substitute the command, its redirections, `run_vars` and pre/post commands into a plan."""
    run_cmd = (meta.get("run_cmds") or {})[cmd_key]
    rt = run_time(run_cmd, meta)
    where = f"run_cmds.{cmd_key}"
    if not rt.get("run_cmd_main"):
        raise PipelineError(f"{where}.run_time.run_cmd_main is missing in the program meta.",
                            kind="meta-error")
    run_env = dict(env)
    src_values = {"src_path": str(entry_path) + "/"}
    run_vars = {**(meta.get("run_vars") or {}), **(run_cmd.get("run_vars") or {})}
    for key, value in run_vars.items():
        run_env[str(key)] = expand_env(substitute(str(value), src_values), run_env)
    if repeat is not None:
        run_env["CT_REPEAT_MAIN"] = str(repeat)
    repeat_text = run_env.get("CT_REPEAT_MAIN", "1")
    repeat = int(repeat_text) if repeat_text.isdigit() and int(repeat_text) > 0 else 1
    if dataset is not None:
        run_env["CK_DATASET_PATH"] = dataset.path
        if dataset.files:
            run_env["CK_DATASET_FILENAME"] = dataset.files[0]
    values = substitutions(entry_path=entry_path, binary_name=binary_name, dataset=dataset,
                           repeat=repeat)
    command = _command(rt["run_cmd_main"], values, f"{where}.run_time.run_cmd_main")
    run_dir = prepare_work_dir(work_dir, entry_path, binary)
    own = work_dir / OWN_DIR
    out1 = _command(rt.get("run_cmd_out1") or "", values, f"{where}.run_time.run_cmd_out1")
    out2 = _command(rt.get("run_cmd_out2") or "", values, f"{where}.run_time.run_cmd_out2")
    output_files = _list(rt.get("run_output_files"))
    correctness_files = _list(rt.get("run_correctness_output_files"))
    timer = rt.get("fine_grain_timer_file") or None
    for name in [out1, out2, *output_files, *correctness_files, *([str(timer)] if timer else [])]:
        if name:
            contained(work_dir, os.path.join(RUN_DIR, name), f"{where}.run_time")
    pre = _list(rt.get("pre_process_cmds")) + _list(rt.get("pre_process_cmd"))
    post = _list(rt.get("post_process_cmds")) + _list(rt.get("post_process_cmd"))
    notes = [f"{where}.run_time.{k} (a Python hook inside CK) is not run by ae."
             for k in ("pre_process_via_ck", "post_process_via_ck") if rt.get(k)]
    return RunPlan(
        cmd_key=cmd_key, command=command, cwd=run_dir, env=run_env,
        stdout_file=run_dir / out1 if out1 else own / "stdout.log",
        stderr_file=run_dir / out2 if out2 else own / "stderr.log",
        timer_file=str(timer) if timer else None,
        output_files=output_files, correctness_files=correctness_files,
        pre_commands=[_command(c, values, f"{where}.run_time.pre_process_cmds") for c in pre],
        post_commands=[_command(c, values, f"{where}.run_time.post_process_cmds") for c in post],
        ignore_return_code=str(run_cmd.get("ignore_return_code", "no")).lower() == "yes",
        repeat=repeat, notes=notes,
    )


def _shell(plan: RunPlan, command: str, stdout: Path, stderr: Path, *, ro_binds: Sequence[Path],
           limits: sandbox.Limits | None, mode: str, network: bool) -> sandbox.SandboxResult:
    fresh(plan.cwd.parent, stdout, stderr)
    return sandbox.run(
        [SHELL, "-c", command], work_dir=plan.cwd.parent, cwd=plan.cwd, ro_binds=tuple(ro_binds),
        env=plan.env, stdout_path=stdout, stderr_path=stderr, limits=limits or sandbox.Limits(),
        network=network, mode=mode,
    )


def _failure_kind(result: sandbox.SandboxResult) -> str:
    """Name a failed command by how the sandbox ended it; a plain non-zero exit is `run-error`."""
    return "run-error" if result.termination in ("ok", "exit-code") else result.termination


def _stopped(result: sandbox.SandboxResult) -> bool:
    """Tell whether the sandbox stopped the command (a limit or violation), not the command itself."""
    return result.termination not in ("ok", "exit-code")


def run_repetition(plan: RunPlan, *, ro_binds: Sequence[Path] = (),
                   limits: sandbox.Limits | None = None, mode: str = "auto",
                   network: bool = False) -> Repetition:
    """Run pre-processing, the command and post-processing once; read the timer file if declared."""
    own = plan.cwd.parent / OWN_DIR
    fresh(plan.cwd.parent, *(plan.cwd / name for name in
                             [*plan.output_files, *([plan.timer_file] if plan.timer_file else [])]))
    for n, cmd in enumerate(plan.pre_commands):
        res = _shell(plan, cmd, own / f"pre-{n}.out", own / f"pre-{n}.err", ro_binds=ro_binds,
                     limits=limits, mode=mode, network=network)
        if res.returncode != 0:
            return Repetition(False, _failure_kind(res), f"Pre-processing command `{cmd}` failed: "
                              f"{res.message}.", {}, None, -1 if res.returncode is None else res.returncode)
    res = _shell(plan, plan.command, plan.stdout_file, plan.stderr_file, ro_binds=ro_binds,
                 limits=limits, mode=mode, network=network)
    code = -1 if res.returncode is None else res.returncode
    sample = {"wall_time": float(res.wall_s), "return_code": float(code)}
    if res.cpu_s is not None:
        sample["cpu_time"] = float(res.cpu_s)
    if res.max_rss_kb:
        sample["max_rss_kb"] = float(res.max_rss_kb)
    if _stopped(res) or (res.returncode != 0 and not plan.ignore_return_code):
        return Repetition(False, _failure_kind(res), f"The command `{plan.command}` failed: "
                          f"{res.message}.", sample, None, code)
    timer = None
    if plan.timer_file:
        try:
            timer = read_timer(plan.cwd / plan.timer_file, plan.cwd.parent)
        except ValueError as exc:
            return Repetition(False, "run-error", f"The timer file {plan.timer_file} declared by "
                              f"fine_grain_timer_file {exc}.", sample, None, code)
    source = _characteristics(sample, timer, plan.repeat)
    for n, cmd in enumerate(plan.post_commands):
        post = _shell(plan, cmd, own / f"post-{n}.out", own / f"post-{n}.err", ro_binds=ro_binds,
                      limits=limits, mode=mode, network=network)
        if post.returncode != 0:
            return Repetition(False, _failure_kind(post), f"Post-processing command `{cmd}` "
                              f"failed: {post.message}.", sample, timer, code, source)
    return Repetition(True, None, "", sample, timer, code, source)


def read_timer(path: Path, root: Path) -> dict[str, Any]:
    """Return the JSON object of a timer file; ValueError says (as a predicate) what is wrong."""
    try:
        raw = read_file(path, root, TIMER_CAP)
    except FileNotFoundError as exc:
        raise ValueError("was not written") from exc
    except UnreadableFile as exc:
        raise ValueError(f"could not be read back: it {exc}") from exc
    if not raw.strip():
        raise ValueError("is empty")
    try:
        timer = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"is not valid JSON ({exc})") from exc
    if not isinstance(timer, dict):
        raise ValueError("is not a JSON object")
    return timer


def _characteristics(sample: dict[str, float], timer: Mapping[str, Any] | None,
                     repeat: int) -> str:
    """Fill `execution_time` as CK does: the timer's (else wall) time divided by the repeat count.

    Return the time source: `timer` when the timer file gave `execution_time`, else `wall`.
    """
    total, source = sample["wall_time"], "wall"
    measured = timer.get("execution_time") if timer is not None else None
    if isinstance(measured, int | float) and not isinstance(measured, bool):
        total, source = float(measured), "timer"
    for key, value in (timer or {}).items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            sample[key] = float(value)
        elif isinstance(value, dict):
            for sub, v in value.items():
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    sample[f"{key}.{sub}"] = float(v)
    sample["total_execution_time"] = total
    sample["execution_time"] = total / repeat
    sample["repeat"] = float(repeat)
    return source


def output_digests(plan: RunPlan, limits: sandbox.Limits) -> tuple[dict[str, str], list[str]]:
    """Return sha256 of each declared output, correctness file and redirected stream that exists,
    and a note for each that could not be read back.

    Each file is hashed up to the file-size limit and all of them together up to the run's disk
    quota: no more is ever read, whatever the artifact left (a huge sparse file, say).
    """
    names = [*plan.output_files, *plan.correctness_files]
    for stream in (plan.stdout_file, plan.stderr_file):
        if stream.parent == plan.cwd:
            names.append(stream.name)
    digests, notes = {}, []
    budget = limits.disk_bytes
    for name in dict.fromkeys(names):
        try:
            digest, size = digest_file(plan.cwd / name, plan.cwd.parent,
                                       min(limits.file_size_bytes, budget))
        except FileNotFoundError:
            continue
        except UnreadableFile as exc:
            notes.append(f"Output {name} was not hashed: it {exc}.")
            continue
        digests[name] = digest
        budget -= size
    return digests, notes


def tail(path: Path, root: Path, limit: int = 4000) -> tuple[str, str | None]:
    """Return the last `limit` bytes of a file under `root` as text ("" when absent), and why it
    could not be read back (None when it could)."""
    try:
        return read_tail(path, root, limit).decode(errors="replace"), None
    except FileNotFoundError:
        return "", None
    except UnreadableFile as exc:
        return "", f"{path.relative_to(root)} was not read back: it {exc}."
