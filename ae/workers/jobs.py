"""What workers run: plain importable functions that take a row id and own their transactions."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import current_app

from ae import conferences
from ae.checklist.claims import Claim, parse_claims, parse_claims_toml
from ae.checklist.lint import lint
from ae.ck.repository import find_repos
from ae.errors import AeError, CkError, SandboxUnavailable
from ae.intake import appendix, dependencies, snapshot
from ae.intake.policy import policy_from_config, redact
from ae.pools import pool_for_requirement, pool_from_mapping
from ae.storage.db import session_scope
from ae.storage.models import utcnow
from ae.storage.queries import (
    claims_of,
    get_artifact,
    get_run,
    get_version,
    replace_claims,
    runs_of,
)
from ae.storage.states import RUN_FINISHED, RunState, VersionState
from ae.workers import progress, queue

log = logging.getLogger(__name__)


def data_dir() -> Path:
    """Return the artifact store root."""
    return Path(current_app.config["DATA_DIR"])


def snapshot_tree(digest: str) -> Path:
    """Return the unpacked read-only tree of a stored snapshot (a remote worker fetches it first)."""
    store = data_dir() / "snapshots"
    if not (store / f"{digest}.tar").is_file() and current_app.config.get("SERVICE_URL"):
        from ae.workers.remote import fetch_snapshot

        fetch_snapshot(current_app.config["SERVICE_URL"], current_app.config.get("WORKER_TOKEN"),
                       digest, store)
    caps = policy_from_config(current_app.config, web=False).caps
    return snapshot.unpack(store / f"{digest}.tar", store / digest, caps=caps)


def version_repos(digest: str, dependency_digests: list[str]) -> list[Path]:
    """Return a version's CK repositories in search order: its own, then its dependency repositories."""
    return [*find_repos(snapshot_tree(digest)), *(snapshot_tree(d) for d in dependency_digests)]


def _fail_version(version_id: str, message: str) -> None:
    with session_scope() as session:
        version = get_version(session=session, version_id=version_id)
        version.status, version.error, version.updated_at = VersionState.FAILED, message, utcnow()


def _read_claims(tree: Path, text: str | None, name: str) -> list[Claim]:
    claims = parse_claims(text, source=name) if text else []
    toml_path = tree / "claims.toml"
    if toml_path.is_file():
        toml_text = appendix.decode(toml_path.read_bytes(), "claims.toml")
        claims += parse_claims_toml(toml_text, source="claims.toml")
    return claims


def _recorded_claims(repos: list[Path], targets: list[Any], text: str | None,
                     taken: set[str]) -> list[Claim]:
    """Claims from the artifact's recorded CK experiments that replay one of its programs."""
    from ae.checklist.recorded import claims_from_experiments
    from ae.ck.index import CkIndex

    found = claims_from_experiments(CkIndex.build(repos), programs={t.program for t in targets},
                                    appendix_text=text)
    return [c for c in found if c.id not in taken]


def intake_version(version_id: str) -> None:
    """Pin the version's source, store its snapshot, read appendix and claims, create its runs."""
    from ae.evaluators.pipeline import list_targets
    from ae.intake.fetch import fetch_source, fetcher

    with session_scope() as session:
        version = get_version(session=session, version_id=version_id)
        if version.status not in (VersionState.SUBMITTED, VersionState.INTAKE):
            return  # already taken in: a re-delivered job must not create its runs twice
        artifact = get_artifact(session=session, artifact_id=version.artifact_id)
        version.status, version.updated_at = VersionState.INTAKE, utcnow()
        source, ref, conference_slug = artifact.source, version.ref, artifact.conference
        badges = list(artifact.requested_badges)
        given_text, given_name = version.appendix_text, version.appendix_name
    try:
        conference = conferences.get(conference_slug)
        policy = policy_from_config(current_app.config, web=False)
        snap = fetch_source(source, ref, store_root=data_dir(), policy=policy)
        try:
            own = find_repos(snap.tree)
        except CkError as exc:  # an archive has no commit: its version's ref names the upload
            taken = f"{redact(source)} at {snap.commit[:12]}" if snap.commit else ref or source
            raise CkError(f"{taken}: {exc}") from exc
        deps = dependencies.resolve(own, pins=conference.dependency_pins(),
                                    fetch=fetcher(store_root=data_dir(), policy=policy))
        if given_text is not None:
            found: tuple[str, str] | None = (given_name or "appendix", given_text)
        else:
            found = appendix.find(snap.tree, given_name)
        name, text = found if found else (None, None)
        claims = _read_claims(snap.tree, text, name or "appendix")
        targets = list_targets(dependencies.search_paths(own, deps), own=own)
        claims += _recorded_claims(own, targets, text, {c.id for c in claims})
        plan = _plan_runs(targets, claims, conference)
    except AeError as exc:
        _fail_version(version_id, str(exc))
        raise
    with session_scope() as session:
        version = get_version(session=session, version_id=version_id)
        version.commit, version.snapshot_digest = snap.commit or None, snap.digest
        version.dependencies = [d.to_dict() for d in deps]
        version.appendix_name, version.appendix_text = name, text
        version.checklist = _checklist(text, name, conference, badges, snap.tree)
        replace_claims(session=session, version_id=version_id,
                       claims=[c.to_dict() for c in claims])
        from ae.storage.models import Run

        runs = [Run(version_id=version_id, program=p, cmd_key=k, dataset=d, pool=pool,
                    repetitions=conference.repetitions) for (p, k, d, pool) in plan]
        session.add_all(runs)
        version.status = VersionState.QUEUED if runs else VersionState.FAILED
        version.error = None if runs else "the artifact has no CK program with run commands"
        version.updated_at = utcnow()
        to_enqueue = [(r.id, r.pool) for r in runs]
    for run_id, pool in to_enqueue:
        queue.enqueue(reproduce_run, run_id, queue=queue.pool_queue(pool))


def _plan_runs(targets: list[Any], claims: list[Claim], conference: conferences.Conference,
               ) -> list[tuple[str, str, str | None, str]]:
    """Return (program, cmd_key, dataset, pool) per run: every target, plus datasets claims name.

    A run goes to the least constrained pool; a claim's hardware requirement (a pool name or
    `key=value` terms) moves the runs it measures to the pool that guarantees it.
    """
    pools = [pool_from_mapping(p, source=str(conference.path)) for p in conference.pools]
    base = pool_for_requirement(None, pools, source=str(conference.path))
    plan: dict[tuple[str, str, str | None], str] = {
        (t.program, t.cmd_key, t.dataset): base for t in targets}
    for claim in claims:
        where = f"{claim.source}{f' line {claim.line}' if claim.line else ''}: claim {claim.id!r}"
        pool = pool_for_requirement(claim.hardware, pools, source=where)
        for program, cmd_key, dataset in list(plan):
            if claim.program not in (None, program) or claim.cmd_key not in (None, cmd_key):
                continue
            key = (program, cmd_key, claim.dataset or dataset)
            kept = plan.get((program, cmd_key, dataset), base)  # a pool an earlier claim chose
            if claim.dataset and dataset is None:
                plan.pop((program, cmd_key, None), None)
            plan[key] = pool if claim.hardware else plan.get(key, kept)
    return [(p, k, d, pool) for (p, k, d), pool in sorted(plan.items(), key=lambda i: str(i[0]))]


def _checklist(text: str | None, name: str | None, conference: conferences.Conference,
               badges: list[str], tree: Path | None = None) -> dict[str, Any]:
    if text is None:
        return {"ok": False, "findings": [{
            "severity": "error", "code": "no-appendix", "message": "no Artifact Appendix found",
            "hint": f"add one of {', '.join(appendix.CANDIDATES)} or give its path when submitting"}]}
    return lint(text, profile=conference.lint_profile(), badges=badges, filename=name or "appendix",
                artifact=tree, max_bytes=current_app.config["MAX_APPENDIX_BYTES"],
                ).to_dict()


def _worker_name() -> str:
    return os.environ.get("RQ_WORKER_ID", f"pid-{os.getpid()}")


def reproduce_run(run_id: str) -> None:
    """Run one program through the pipeline in the sandbox and store the record."""
    from ae.evaluators.pipeline import RunSpec, run_program
    from ae.evaluators.sandbox import Limits
    from ae.files.trees import remove_tree

    with session_scope() as session:
        run = get_run(session=session, run_id=run_id)
        if run.status in RUN_FINISHED:
            return
        version = get_version(session=session, version_id=run.version_id)
        artifact = get_artifact(session=session, artifact_id=version.artifact_id)
        run.status, run.started_at, run.worker = RunState.RUNNING, utcnow(), _worker_name()
        run.attempt += 1
        version.status = VersionState.RUNNING
        conference = conferences.get(artifact.conference)
        program, cmd_key, dataset, repetitions = run.program, run.cmd_key, run.dataset, run.repetitions
        digest, version_id = version.snapshot_digest, version.id
        dep_digests = [d.get("digest") for d in version.dependencies]
    if digest is None or not all(dep_digests):
        raise AeError(f"run {run_id}: its version has no snapshot")
    work_dir = data_dir() / "runs" / run_id
    remove_tree(work_dir)  # an earlier attempt's: artifact-written, of any depth
    work_dir.mkdir(parents=True)
    spec = RunSpec(
        repo_paths=version_repos(digest, [str(d) for d in dep_digests]), work_dir=work_dir,
        cache_dir=data_dir() / "cache",
        references_dir=data_dir() / "references" / version_id,
        limits=Limits.from_mapping(conference.limits), network=conference.network,
        sandbox_mode=str(current_app.config["SANDBOX"]), program=program, cmd_key=cmd_key,
        dataset=dataset, repetitions=repetitions,
    )
    reporter = progress.Reporter(queue.get_redis(), run_id, total=repetitions)
    reporter.start()
    try:
        record = run_program(spec, progress=reporter.say, streams=reporter.streams)
    except Exception as exc:
        reporter.finish(RunState.FAILED)
        _fail_run(run_id, exc)
        evaluate_version(version_id)
        raise
    with session_scope() as session:
        run = get_run(session=session, run_id=run_id)
        status = run.status = RunState.SUCCEEDED if record.ok else RunState.FAILED
        run.failure_kind, run.message = record.failure_kind, record.message
        run.samples, run.record = list(record.samples), {**record.to_dict(), "logs": reporter.logs}
        run.finished_at = utcnow()
    reporter.finish(status)
    evaluate_version(version_id)


def _fail_run(run_id: str, exc: Exception) -> None:
    """Record why a run could not be carried out at all (not an artifact failure)."""
    kind = getattr(exc, "kind", None) or (
        "sandbox-unavailable" if isinstance(exc, SandboxUnavailable) else "internal-error")
    with session_scope() as session:
        run = get_run(session=session, run_id=run_id)
        run.status, run.failure_kind, run.finished_at = RunState.FAILED, kind, utcnow()
        run.message = str(exc) if isinstance(exc, AeError) else f"{type(exc).__name__}: {exc}"


def evaluate_version(version_id: str) -> None:
    """Once every run of a version has finished: verdicts, more repetitions or the final report."""
    from ae.evaluation import evaluate

    lock = queue.get_redis().lock(f"ae:lock:version:{version_id}", timeout=600, blocking_timeout=600)
    with lock:
        with session_scope() as session:
            runs = runs_of(session=session, version_id=version_id)
            if not runs or any(r.status not in RUN_FINISHED for r in runs):
                return
            version = get_version(session=session, version_id=version_id)
            artifact = get_artifact(session=session, artifact_id=version.artifact_id)
            conference = conferences.get(artifact.conference)
            claims = [Claim.from_dict(c.data) for c in claims_of(session=session, version_id=version_id)]
            try:
                outcome = evaluate(session=session, version=version, artifact=artifact, runs=runs,
                                   claims=claims, conference=conference, data_dir=data_dir())
            except Exception as exc:
                session.rollback()
                _fail_version(version_id, f"evaluation failed: {exc}")
                raise
            to_enqueue = [(r.id, r.pool) for r in outcome.new_runs]
    for run_id, pool in to_enqueue:
        queue.enqueue(reproduce_run, run_id, queue=queue.pool_queue(pool))
