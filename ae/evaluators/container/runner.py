"""The container runner: a worker's alternative to bubblewrap, running the whole pipeline in podman.

Why: an artifact that ships its own recipe (a `Containerfile` or `Dockerfile` at the root of its
CK repository) brings the environment it was made in. The runner builds that recipe (or takes the
base image when there is none), installs `ae` on top, and runs the same pipeline inside with the
run's snapshot mounted read-only and its work dir writable at the same paths, so the record reads
like a sandboxed one. Trust: the pipeline then runs in an image the artifact controls, so its
record is as trustworthy as the artifact (each record says which image it came from).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ae.errors import ContainerError
from ae.evaluators.container import base, podman, recipe
from ae.evaluators.paths import UnreadableFile, copy_file
from ae.evaluators.pipeline import RunSpec
from ae.evaluators.plan import Plan, target
from ae.evaluators.record import RunRecord
from ae.evaluators.sandbox import Limits
from ae.files.trees import chown_tree, walk

RECIPES = ("Containerfile", "Dockerfile")
#: Host uids of root callers' containers: one per calling process, as for bubblewrap.
UID_BASE = 2_000_000_000
START_SLACK_S = 600.0
REFERENCE_CAP = 64 << 20


def own_recipe(repo: Path) -> Path | None:
    """Return the recipe an artifact ships at the root of its repository, if any."""
    for name in RECIPES:
        path = repo / name
        if path.is_file() and not path.is_symlink():
            return path
    return None


def recipe_image(path: Path) -> str:
    """Build the artifact's own recipe (its repository is the context); return the image's tag."""
    digest = hashlib.sha256(str(path).encode() + b"\0" + path.read_bytes()).hexdigest()[:16]
    tag = f"localhost/ae-recipe:{digest}"
    podman.build(path.parent, tag, containerfile=path)
    return tag


def runner_image(base_tag: str) -> str:
    """Return the tag of `base_tag` with `ae` installed, building it when this machine has none."""
    base_id = podman.image_id(base_tag)
    if base_id is None:
        raise ContainerError(f"there is no image {base_tag} on this machine: build the base image "
                             "with `ae export base-image`")
    digest = hashlib.sha256(f"{base_id}\0{recipe.package_digest()}".encode()).hexdigest()[:16]
    tag = f"localhost/ae-runner:{digest}"
    if podman.image_id(tag) is None:
        with tempfile.TemporaryDirectory(prefix="ae-runner-") as tmp:
            context = Path(tmp)
            recipe.copy_package(context)
            (context / "Containerfile").write_text(recipe.runner_containerfile(base_tag))
            podman.build(context, tag)
    return tag


def _identity() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None  # rootless podman: the container's root is the caller
    uid = UID_BASE + os.getpid() % 65536
    return uid, uid


def run_program(spec: RunSpec, *, progress: Callable[[str], None] | None = None,
                streams: Callable[[Path, Path, Path], None] | None = None,
                base_tag: str = base.DEFAULT_TAG) -> RunRecord:
    """Run one spec through the pipeline inside a container; return its record."""
    say = progress or (lambda _msg: None)
    repos = [Path(p).resolve() for p in spec.repo_paths]
    shipped = own_recipe(repos[0]) if repos else None
    say("building the container image")
    image = runner_image(recipe_image(shipped) if shipped else base_tag)
    work = spec.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    limits = spec.limits or Limits()
    plan = Plan(repo_paths=[str(p) for p in repos],
                targets=[target(spec.program, spec.cmd_key, spec.dataset)], work_root=str(work),
                repetitions=spec.repetitions, limits=dataclasses.asdict(limits), network=False,
                sandbox_mode="container", optimization=spec.optimization,
                references_dir=str(spec.references_dir) if spec.references_dir else None)
    identity = _identity()
    mounts = [podman.Mount(p, p) for p in dict.fromkeys(repos)] + [podman.Mount(work, work, True)]
    with tempfile.TemporaryDirectory(prefix="ae-references-") as tmp:
        references = Path(tmp)
        if spec.references_dir is not None:
            _copy_new(spec.references_dir, references)
            mounts.append(podman.Mount(references, spec.references_dir.resolve(), True))
        if identity is not None:
            for tree in (work, references):
                chown_tree(tree, *identity)
        say("running in the container")
        done = podman.run(
            image, ["python3", "-m", "ae.evaluators.plan", "-"], mounts=mounts,
            name=f"ae-run-{work.name}-{os.getpid()}", stdin=plan.to_json().encode(),
            user=f"{identity[0]}:{identity[1]}" if identity else None, pids=limits.processes + 64,
            timeout=limits.wall_s * (spec.repetitions + 2) + START_SLACK_S)
        if spec.references_dir is not None:
            _copy_new(references, spec.references_dir)
    record, logs = _record(done.stdout, done.stderr, done.returncode, spec)
    if streams is not None and logs:
        streams(work / logs["stdout"], work / logs["stderr"], work)
    origin = f"the artifact's {shipped.name}" if shipped else f"base image {base_tag}"
    record.notes.append(f"ran in container image {image}, built from {origin}")
    return record


def _record(stdout: bytes, stderr: bytes, code: int, spec: RunSpec) -> tuple[RunRecord, dict[str, str]]:
    """Return the record the container printed and its logs, or a failed record saying why not."""
    lines = [line for line in stdout.decode(errors="replace").splitlines() if line.startswith("{")]
    if code == 0 and lines:
        data = json.loads(lines[-1])
        logs = data.pop("logs", None) or {}
        return RunRecord(**data), logs
    tail = "\n".join(stderr.decode(errors="replace").strip().splitlines()[-5:])
    return RunRecord(ok=False, failure_kind="container-error", program=spec.program,
                     cmd_key=spec.cmd_key or "", dataset=spec.dataset,
                     message=f"the container could not run the pipeline (exit {code}): {tail}"), {}


def _copy_new(source: Path, dest: Path) -> None:
    """Copy the regular files of `source` that `dest` lacks (references a first run recorded).

    The container wrote `source`: it is walked without following links and each file is read
    as the sandbox's outputs are (`copy_file`: no links, regular files only, capped).
    """
    dest.mkdir(parents=True, exist_ok=True)
    if not source.is_dir():
        return
    for _, here, entry in walk(source):
        relative = Path(here) / entry.name
        if entry.is_dir(follow_symlinks=False):
            (dest / relative).mkdir(exist_ok=True)
        elif entry.is_file(follow_symlinks=False) and not (dest / relative).exists():
            try:
                copy_file(source / relative, source, dest / relative, REFERENCE_CAP, 0o644)
            except (UnreadableFile, FileExistsError):
                continue
