"""What workers run: plain importable functions that take a row id and own their transactions."""

from __future__ import annotations

import logging
import os
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from redis.exceptions import LockError, RedisError
from sqlalchemy import update
from sqlmodel import Session, col

from ae import conferences
from ae.checklist.claims import Claim, parse_claims, parse_claims_toml
from ae.checklist.lint import lint
from ae.ck.repository import find_repos
from ae.errors import AeError, CkError
from ae.intake import appendix, dependencies, snapshot
from ae.intake.policy import policy_from_config, redact
from ae.pools import pool_for_requirement, pool_from_mapping
from ae.storage.db import transaction
from ae.storage.models import ArtifactVersion, Run, utcnow
from ae.storage.queries import (
    claims_of,
    get_artifact,
    get_run,
    get_version,
    replace_claims,
    runs_of,
)
from ae.storage.states import RUN_FINISHED, VERSION_SETTLED, RunState, VersionState, sources
from ae.workers import faults, progress, queue, retry

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


def _fail_version(version_id: str, message: str, *, holder: str | None = None) -> None:
    """Fail a version for good with a reason (with `holder`: only while that worker takes it in)."""
    def work(session: Session) -> None:
        version = get_version(session=session, version_id=version_id)
        if version.status in VERSION_SETTLED or (holder and version.worker != holder):
            return
        version.status, version.error, version.updated_at = VersionState.FAILED, message, utcnow()

    transaction(work)


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


def _policy() -> faults.Policy:
    return faults.Policy.from_config(current_app.config)


def _claim_intake(version_id: str, me: str) -> tuple[str, str | None, str, list[str], str | None,
                                                      str | None] | None:
    """Take a submitted version in hand (one worker wins); return what intake reads, or None."""
    def work(session: Session) -> tuple[str, str | None, str, list[str], str | None, str | None] | None:
        taken = session.execute(update(ArtifactVersion).where(
            col(ArtifactVersion.id) == version_id,
            col(ArtifactVersion.status).in_(sources("version", VersionState.INTAKE)),
        ).values(status=VersionState.INTAKE, worker=me, attempt=col(ArtifactVersion.attempt) + 1,
                 retry_at=None, updated_at=utcnow()))
        if taken.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult for an UPDATE
            return None  # taken in already, or by another worker: a repeated job does nothing
        version = get_version(session=session, version_id=version_id)
        artifact = get_artifact(session=session, artifact_id=version.artifact_id)
        return (artifact.source, version.ref, artifact.conference, list(artifact.requested_badges),
                version.appendix_text, version.appendix_name)

    return transaction(work)


def intake_version(version_id: str) -> None:
    """Pin the version's source, store its snapshot, read appendix and claims, create its runs."""
    me = _worker_name()
    claimed = _claim_intake(version_id, me)
    if claimed is None:
        log.info("version %s: already taken in, nothing to do", version_id)
        return
    source, ref, conference_slug, badges, given_text, given_name = claimed
    try:
        found = _take_in(source, ref, conference_slug, given_text, given_name)
    except Exception as exc:
        if faults.is_user_error(exc):
            log.warning("version %s: intake failed: %s", version_id, faults.describe(exc))
            _fail_version(version_id, faults.describe(exc), holder=me)
            return
        if not faults.is_transient(exc):
            _fail_version(version_id, f"intake failed: {faults.describe(exc)}", holder=me)
            raise
        log.warning("version %s: intake met a fault: %s", version_id, faults.describe(exc))
        _retry_intake(version_id, me, faults.describe(exc))
        return
    to_enqueue = transaction(lambda session: _store_intake(session, version_id, me, badges, found))
    _enqueue_runs(to_enqueue)


def _take_in(source: str, ref: str | None, conference_slug: str, given_text: str | None,
             given_name: str | None) -> dict[str, Any]:
    """Fetch and read a version's source: snapshot, dependencies, appendix, claims, run plan."""
    from ae.evaluators.pipeline import list_targets
    from ae.intake.fetch import fetch_source, fetcher

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
    sizes = {}
    if conference.smoke:  # the smoke stage runs each command on its smallest dataset
        from ae.smoke.targets import dataset_sizes

        sizes = dataset_sizes(dependencies.search_paths(own, deps), [d for _, _, d, _ in plan if d])
    return {"snap": snap, "deps": deps, "name": name, "text": text, "claims": claims,
            "plan": plan, "conference": conference, "sizes": sizes}


def _store_intake(session: Session, version_id: str, me: str, badges: list[str],
                  found: dict[str, Any]) -> list[tuple[str, str]]:
    """Record what intake found and create the runs, if this worker still holds the version."""
    version = get_version(session=session, version_id=version_id)
    if version.status != VersionState.INTAKE or version.worker != me:
        log.warning("version %s: intake finished after the version was given to another worker "
                    "(%s, held by %s): this result is dropped", version_id, version.status, version.worker)
        return []
    snap, conference, name, text = found["snap"], found["conference"], found["name"], found["text"]
    version.commit, version.snapshot_digest = snap.commit or None, snap.digest
    version.dependencies = [d.to_dict() for d in found["deps"]]
    version.appendix_name, version.appendix_text = name, text
    version.checklist = _checklist(text, name, conference, badges, snap.tree)
    replace_claims(session=session, version_id=version_id,
                   claims=[c.to_dict() for c in found["claims"]])
    if conference.smoke and found["plan"]:
        from ae.workers import smoke as gate

        runs = gate.plan_runs(version_id=version_id, plan=found["plan"], repetitions=conference.repetitions,
                              sizes=found["sizes"])
        version.smoke = {"stage": gate.RUNNING, "sizes": found["sizes"], "started_at": utcnow().isoformat()}
    else:
        runs = [Run(version_id=version_id, program=p, cmd_key=k, dataset=d, pool=pool,
                    repetitions=conference.repetitions) for (p, k, d, pool) in found["plan"]]
    session.add_all(runs)
    version.status = VersionState.QUEUED if runs else VersionState.FAILED
    version.error = None if runs else "the artifact has no CK program with run commands"
    version.updated_at = utcnow()
    return [(r.id, r.pool) for r in runs if r.status == RunState.QUEUED]


def _retry_intake(version_id: str, me: str, reason: str) -> None:
    """Give a faulted intake back for a later attempt (or fail it past the last one)."""
    policy = _policy()

    def work(session: Session) -> None:
        version = get_version(session=session, version_id=version_id)
        if version.status == VersionState.INTAKE and version.worker == me:
            retry.retry_intake(version, reason=reason, policy=policy)

    transaction(work)


def queue_runs(to_enqueue: list[tuple[str, str]]) -> None:
    """Queue committed runs (id, pool), e.g. those a chair approved beyond the budget."""
    _enqueue_runs(to_enqueue)


def _enqueue_runs(to_enqueue: list[tuple[str, str]]) -> None:
    """Queue committed runs; those Redis cannot take now wait for `ae reconcile` (the rows are safe)."""
    for run_id, pool in to_enqueue:
        try:
            queue.enqueue(reproduce_run, run_id, queue=queue.pool_queue(pool))
        except RedisError as exc:
            log.warning("run %s: not queued (%s); reconcile will queue it", run_id,
                        faults.describe(exc))


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


@dataclass(frozen=True)
class _Attempt:
    """One worker's attempt at a run: what it claimed and what it needs."""

    run_id: str
    worker: str
    attempt: int
    version_id: str
    conference: str
    program: str
    cmd_key: str
    dataset: str | None
    repetitions: int
    digest: str | None
    dep_digests: list[str | None]


def _claim_run(run_id: str, me: str) -> _Attempt | None:
    """Start an attempt at a waiting run (one worker wins); None when finished or held elsewhere."""
    def work(session: Session) -> _Attempt | None:
        taken = session.execute(update(Run).where(
            col(Run.id) == run_id, col(Run.status).in_(sources("run", RunState.RUNNING)),
        ).values(status=RunState.RUNNING, worker=me, attempt=col(Run.attempt) + 1, started_at=utcnow(),
                 retry_at=None, finished_at=None))
        if taken.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult for an UPDATE
            return None
        run = get_run(session=session, run_id=run_id)
        version = get_version(session=session, version_id=run.version_id)
        artifact = get_artifact(session=session, artifact_id=version.artifact_id)
        if version.status in sources("version", VersionState.RUNNING):
            version.status = VersionState.RUNNING
        return _Attempt(run_id, me, run.attempt, version.id, artifact.conference, run.program,
                        run.cmd_key, run.dataset, run.repetitions, version.snapshot_digest,
                        [d.get("digest") for d in version.dependencies])

    return transaction(work)


def reproduce_run(run_id: str) -> None:
    """Run one program through the pipeline in the sandbox and store the record."""
    from ae.evaluators.pipeline import RunSpec
    from ae.evaluators.sandbox import Limits
    from ae.files.trees import remove_tree
    from ae.workers import cluster  # the pipeline here, or a Slurm pool's batch job

    claim = _claim_run(run_id, _worker_name())
    if claim is None:
        log.info("run %s: finished or held by another worker, nothing to do", run_id)
        return
    conference = conferences.get(claim.conference)
    program, cmd_key, dataset, repetitions = claim.program, claim.cmd_key, claim.dataset, claim.repetitions
    digest, version_id, dep_digests = claim.digest, claim.version_id, claim.dep_digests
    work_dir = data_dir() / "runs" / run_id
    try:
        if digest is None or not all(dep_digests):
            raise AeError(f"run {run_id}: its version has no snapshot")
        remove_tree(work_dir)  # an earlier attempt's: artifact-written, of any depth
        work_dir.mkdir(parents=True)
        repos = version_repos(digest, [str(d) for d in dep_digests])
    except Exception as exc:
        if _run_broke(claim, exc):
            raise
        return
    spec = RunSpec(
        repo_paths=repos, work_dir=work_dir,
        cache_dir=data_dir() / "cache",
        references_dir=data_dir() / "references" / version_id,
        limits=Limits.from_mapping(conference.limits), network=conference.network,
        sandbox_mode=str(current_app.config["SANDBOX"]), program=program, cmd_key=cmd_key,
        dataset=dataset, repetitions=repetitions,
    )
    reporter = progress.Reporter(queue.get_redis(), run_id, total=repetitions)
    reporter.start()
    try:
        record = cluster.run_program(run_id, spec, progress=reporter.say, streams=reporter.streams)
    except Exception as exc:
        reporter.finish(RunState.FAILED)
        if _run_broke(claim, exc):
            raise
        return
    status = _finish_run(claim, record, work_dir, logs=reporter.logs)
    reporter.finish(status)


def _finish_run(claim: _Attempt, record: Any, work_dir: Path, *,
                logs: dict[str, str] | None = None) -> str:
    """Store a finished attempt's record (the first finished attempt wins); evaluate when it ends the run.

    A failure of the worker's own machinery (an internal error, a full disk) is no verdict on the
    artifact: the run is tried again, after a backoff, up to AE_MAX_ATTEMPTS.
    """
    fault = faults.disk_full(work_dir) if not record.ok else None
    if not record.ok and (fault or record.failure_kind == "internal-error"):
        reason = fault or faults.first_line(record.message)
        log.warning("run %s: attempt %d met a fault of the worker: %s", claim.run_id, claim.attempt, reason)
        return _retry_run(claim, reason, "disk-full" if fault else "internal-error")
    status = RunState.SUCCEEDED if record.ok else RunState.FAILED

    def work(session: Session) -> bool:
        run = session.get(Run, claim.run_id, with_for_update=True)
        if run is None or run.status in RUN_FINISHED:
            log.warning("run %s: attempt %d of %s finished after the run was already %s: dropped",
                        claim.run_id, claim.attempt, claim.worker, run.status if run else "deleted")
            return False
        run.status = status
        run.failure_kind, run.message = record.failure_kind, record.message
        run.samples = list(record.samples)
        run.record = {**record.to_dict(), "logs": logs} if logs is not None else record.to_dict()
        run.finished_at, run.retry_at = utcnow(), None
        return True

    if transaction(work):
        if not record.ok:
            log.info("run %s: %s", claim.run_id, faults.first_line(record.message))
        evaluate_version(claim.version_id)
    return status


def _run_broke(claim: _Attempt, exc: BaseException) -> bool:
    """Record why an attempt could not be carried out; True when the error is a bug (re-raise it).

    An author's mistake fails the run in one line; a passing fault queues it again after a backoff;
    anything else fails it as an internal error.
    """
    reason, kind = faults.describe(exc), faults.kind_of(exc)
    if faults.is_transient(exc):
        log.warning("run %s: attempt %d met a fault: %s", claim.run_id, claim.attempt, reason)
        _retry_run(claim, reason, kind)
        return False
    if faults.is_user_error(exc):
        log.warning("run %s: %s", claim.run_id, reason)
    _fail_run(claim, kind, reason)
    evaluate_version(claim.version_id)
    return not faults.is_user_error(exc)


def _retry_run(claim: _Attempt, reason: str, kind: str) -> str:
    """Queue the attempt's run again after a backoff, or fail it past the last attempt."""
    policy = _policy()

    def work(session: Session) -> str | None:
        run = session.get(Run, claim.run_id, with_for_update=True)
        if run is None or run.status != RunState.RUNNING or (run.worker, run.attempt) != (
                claim.worker, claim.attempt):
            return None  # another attempt or the reaper has decided already
        retry.retry_run(run, reason=reason, kind=kind, policy=policy)
        return run.status

    status = transaction(work)
    if status == RunState.FAILED:
        evaluate_version(claim.version_id)
    return status or RunState.QUEUED


def _fail_run(claim: _Attempt, kind: str, message: str) -> None:
    """Record why a run could not be carried out at all (not an artifact failure)."""
    def work(session: Session) -> None:
        run = session.get(Run, claim.run_id, with_for_update=True)
        if run is None or run.status in RUN_FINISHED:
            return
        run.status, run.failure_kind, run.finished_at = RunState.FAILED, kind, utcnow()
        run.message, run.retry_at = message, None

    transaction(work)


@contextmanager
def version_lock(version_id: str) -> Iterator[None]:
    """Hold the version's evaluation lock; its token names the worker, so a reaper can free it."""
    lock = queue.get_redis().lock(f"ae:lock:version:{version_id}", timeout=600, blocking_timeout=600)
    if not lock.acquire(token=f"{_worker_name()}|{os.getpid()}|{os.urandom(4).hex()}"):
        raise AeError(f"version {version_id}: its evaluation lock stayed taken for 600 s")
    try:
        yield
    finally:
        try:
            lock.release()
        except (LockError, RedisError) as exc:  # expired, or Redis restarted meanwhile: nothing held
            log.warning("version %s: evaluation lock already gone (%s)", version_id, exc)


def evaluate_version(version_id: str) -> None:
    """Once every run of a version has finished: verdicts, more repetitions or the final report.

    Idempotent: a settled version, or one with runs still to finish, is left alone, so that
    `ae reconcile` may queue it again whenever a crash may have cut an evaluation short.
    """
    from ae.evaluation import evaluate
    from ae.workers import smoke as gate
    from ae.workers.reports import queue_rewrite, review_begun

    notice: list[tuple[str, str, str]] = []  # (address, subject, body) once the smoke stage ends
    rewrite: list[str] = []  # the version, when its report must follow the review begun already

    def work(session: Session) -> list[tuple[str, str]]:
        runs = runs_of(session=session, version_id=version_id)
        version = get_version(session=session, version_id=version_id)
        if version.status in VERSION_SETTLED or not runs:
            return []
        released: list[tuple[str, str]] = []
        if gate.smoke_pending(version, runs):
            released = _finish_smoke(session, version, runs, notice)
        runs = [r for r in runs if r.stage != gate.SMOKE]  # verdicts come from the full runs only
        if not runs or any(r.status not in RUN_FINISHED for r in runs):
            return released
        artifact = get_artifact(session=session, artifact_id=version.artifact_id)
        conference = conferences.get(artifact.conference)
        claims = [Claim.from_dict(c.data) for c in claims_of(session=session, version_id=version_id)]
        outcome = evaluate(session=session, version=version, artifact=artifact, runs=runs,
                           claims=claims, conference=conference, data_dir=data_dir())
        if version.status == VersionState.DONE and review_begun(session=session, version=version):
            rewrite.append(version.id)  # its report shows the reviews, threads and decision too
        more = gate.hold_more(session=session, artifact=artifact, runs=runs, new_runs=outcome.new_runs,
                              conference=conference) if conference.budgets else outcome.new_runs
        session.flush()
        return [(r.id, r.pool) for r in more]

    with version_lock(version_id):
        try:
            to_enqueue = transaction(work)
        except Exception as exc:
            if faults.is_transient(exc):
                raise  # the version stays unsettled: reconcile evaluates it again
            log.warning("version %s: evaluation failed: %s", version_id, faults.describe(exc))
            _fail_version(version_id, f"evaluation failed: {faults.describe(exc)}")
            if faults.is_user_error(exc):
                return
            raise
    _send_notice(version_id, notice)  # the author hears of the smoke stage before a full run starts
    _enqueue_runs(to_enqueue)
    for done in dict.fromkeys(rewrite):  # once, though a retried transaction ran twice
        queue_rewrite(done)


def _finish_smoke(session: Session, version: ArtifactVersion, runs: list[Run],
                  notice: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """End a version's smoke stage: decide its full runs, and say what to mail its author."""
    from ae.smoke import notice as notices
    from ae.workers import smoke as gate

    artifact = get_artifact(session=session, artifact_id=version.artifact_id)
    conference = conferences.get(artifact.conference)
    claims = [c.data for c in claims_of(session=session, version_id=version.id)]
    released = gate.finish_smoke(session=session, version=version, artifact=artifact, runs=runs,
                                 claims=claims, conference=conference)
    address = gate.owner_address(session=session, artifact=artifact)
    if address:
        notice.append((address, *notices.mail(artifact.title, version.number, version.smoke)))
    if version.smoke.get("waiting"):
        page = f"{str(current_app.config['BASE_URL']).rstrip('/')}/conferences/{artifact.conference}/budgets"
        subject, body = notices.approval(artifact.title, version.number, version.smoke, page)
        notice.extend((chair, subject, body) for chair in gate.chair_addresses(
            session=session, conference=artifact.conference))
    log.info("version %s: smoke stage done (%s); %d full run(s) queued", version.id,
             "all ran" if version.smoke.get("ok") else "failures", len(released))
    return released


def _send_notice(version_id: str, notice: list[tuple[str, str, str]]) -> None:
    """Mail the smoke outcome (a mail server that fails loses the mail, never the outcome: it is stored)."""
    from ae import mail

    if not notice or not mail.configured(current_app.config):
        return
    for address, subject, body in notice:
        try:
            mail.send(current_app.config, to=address, subject=subject, body=body)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("version %s: the smoke-stage mail to its author was not sent: %s", version_id, exc)
