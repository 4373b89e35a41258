"""The evaluator's side of an artifact page: reviews per round, anonymous threads, re-runs, diffs.

Who may do what is the policy's (REVIEW, READ_REVIEWS, DISCUSS, RERUN, VIEW_LOGS); which fields
of a review a reader sees follows `policy.review_audience`; evaluators are pseudonyms to all but
chairs (ae.review.reviews, ae.review.threads).
"""

from __future__ import annotations

import smtplib
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from redis.exceptions import RedisError
from sqlmodel import Session

from ae import conferences
from ae.errors import AeError, NotFound, ReviewError, ThreadError, Unauthorized
from ae.evaluation import run_view, version_diff
from ae.evaluators.paths import UnreadableFile
from ae.review import reruns, reviews, threads
from ae.review.evidence import claim_plots, declared_environment, output_diffs
from ae.review.reviews import Reader
from ae.storage.db import session_scope
from ae.storage.models import Artifact, ArtifactVersion, Run
from ae.storage.queries import get_artifact, latest_version, runs_of, versions_of
from ae.verdicts.diffs import run_diff, unified_rows
from ae.web.guard import artifact_on, require
from ae.web.identity import bearer_token
from ae.web.policy import On, Permission, allows, review_audience
from ae.workers import logs, queue, reports
from ae.workers import smoke as gate

bp = Blueprint("review", __name__, url_prefix="/artifacts/<artifact_id>")


def _back(artifact_id: str, anchor: str) -> Any:
    return redirect(url_for("pages.artifact", artifact_id=artifact_id) + f"#{anchor}", 303)


def extras(*, session: Session, artifact: Artifact, on: On, who: Any) -> dict[str, Any]:
    """Return what the artifact page shows of the review: reviews, forms, threads, plots, re-run choices."""
    conference = conferences.get(artifact.conference)
    audience = review_audience(who, on)
    found: dict[str, Any] = {"audience": audience, "plots": {}, "reviews": [], "threads": []}
    versions = versions_of(session=session, artifact_id=artifact.id)
    found["plots"] = {v.id: claim_plots(session=session, version_id=v.id) for v in versions}
    found["checked"] = {r.id for v in versions for r in runs_of(session=session, version_id=v.id)
                        if (r.record or {}).get("output_check")}  # runs with outputs checked
    may_review = allows(who, Permission.REVIEW, on)
    found["may"] = {"review": may_review, "discuss": allows(who, Permission.DISCUSS, on),
                    "rerun": allows(who, Permission.RERUN, on)}
    found["pools"], found["max_repetitions"] = conference.pool_names(), conference.max_repetitions
    if audience is None:
        return found
    fields, rounds = conference.review_fields(), conference.rounds
    found["fields"], found["rounds"] = fields, rounds
    found["reviews"] = reviews.readable(session=session, artifact_id=artifact.id, fields=fields,
                                        reader=Reader(audience, who.user_id), rounds=rounds)
    found["mine"] = {r["round"]: r for r in found["reviews"] if r["mine"]}
    found["threads"] = threads.threads_of(session=session, artifact=artifact, reader_id=who.user_id,
                                          names=audience == "chairs")
    for thread in found["threads"]:
        if thread["anchor"].get("kind") == "log":
            thread["quote"] = _log_line(session, thread["anchor"])
    return found


def _log_line(session: Session, anchor: dict[str, Any]) -> str | None:
    """Return the log line a thread is about, as this server holds it (None: not here, or no such line)."""
    run = session.get(Run, str(anchor.get("run")))
    name = ((run.record or {}).get("logs") or {}).get(anchor.get("stream")) if run is not None else None
    if run is None or not isinstance(name, str):
        return None
    try:
        text = logs.read_log(logs.work_dir(Path(current_app.config["DATA_DIR"]), run.id), name)
    except (FileNotFoundError, UnreadableFile):
        return None
    lines = text.decode("utf-8", errors="replace").splitlines()
    number = int(anchor.get("line") or 0)
    return lines[number - 1][:500] if 0 < number <= len(lines) else None


@bp.post("/reviews/<round_name>")
def save_review(artifact_id: str, round_name: str) -> Any:
    """Save the signed-in evaluator's review of a round: a draft, its submission or a later edit."""
    submit = request.form.get("action") == "submit"
    with session_scope() as session:
        artifact = get_artifact(session=session, artifact_id=artifact_id)
        who = require(Permission.REVIEW, artifact_on(session=session, artifact=artifact))
        conference = conferences.get(artifact.conference)
        fields = conference.review_fields()
        raw = {f.key: request.form.get(f.key) for f in fields if f.key in request.form}
        version = latest_version(session=session, artifact_id=artifact.id)
        try:
            with session.begin_nested():
                saved = reviews.save(session=session, artifact=artifact, version_id=version.id,
                                     user_id=who.user_id, round_name=round_name, raw=raw, submit=submit,
                                     fields=fields, rounds=conference.rounds)
                shown, version_id = saved.submitted_at is not None, version.id
        except ReviewError as exc:
            if not submit or "to submit, answer" not in str(exc):
                raise
            reviews.save(session=session, artifact=artifact, version_id=version.id, user_id=who.user_id,
                         round_name=round_name, raw=raw, submit=False, fields=fields,
                         rounds=conference.rounds)
            flash(f"Kept as a draft, not submitted: {exc}.", "error")
            return _back(artifact_id, f"review-{round_name}")
    if shown:  # the authors read it in the report
        reports.queue_rewrite(version_id)
    flash("Review submitted." if submit else "Draft saved (only you and the chairs see it).", "info")
    return _back(artifact_id, f"review-{round_name}")


def _post(artifact_id: str, anchor: dict[str, Any] | None, thread_id: str | None) -> Any:
    with session_scope() as session:
        artifact = get_artifact(session=session, artifact_id=artifact_id)
        who = require(Permission.DISCUSS, artifact_on(session=session, artifact=artifact))
        message = threads.post(session=session, artifact=artifact, author_id=who.user_id,
                               body=request.form.get("body"), anchor=anchor, thread_id=thread_id)
    reports.queue_latest(artifact.id)
    failed = _notify(artifact, message)
    if failed:
        flash(f"Posted, but the notification could not be mailed ({failed}).", "error")
    return _back(artifact_id, f"thread-{message.thread_id}")


def _notify(artifact: Artifact, message: Any) -> str | None:
    """Mail the other side of a thread; return why it failed (the message stays posted), else None."""
    link = str(current_app.config["BASE_URL"]).rstrip("/") + url_for(
        "pages.artifact", artifact_id=artifact.id) + f"#thread-{message.thread_id}"
    try:
        with session_scope() as session:
            threads.notify(session=session, config=current_app.config, artifact=artifact, message=message,
                           link=link)
    except (OSError, smtplib.SMTPException, AeError) as exc:
        current_app.logger.warning("thread %s: notification not mailed: %s", message.thread_id, exc)
        return str(exc)
    return None


@bp.post("/threads")
def start_thread(artifact_id: str) -> Any:
    """Start an anonymous thread about the artifact, a claim, a run or a log line."""
    form = request.form
    return _post(artifact_id, {"kind": form.get("kind"), "claim": form.get("claim"), "run": form.get("run"),
                               "stream": form.get("stream"), "line": form.get("line")}, None)


@bp.post("/threads/<thread_id>")
def reply(artifact_id: str, thread_id: str) -> Any:
    """Answer a thread."""
    return _post(artifact_id, None, thread_id)


@bp.post("/rerun")
def rerun(artifact_id: str) -> Any:
    """Queue a run's target again: more repetitions, on its pool or another of the conference's."""
    try:
        repetitions = int(request.form.get("repetitions", ""))
    except ValueError:
        raise ReviewError("repetitions must be a whole number") from None
    with session_scope() as session:
        artifact = get_artifact(session=session, artifact_id=artifact_id)
        who = require(Permission.RERUN, artifact_on(session=session, artifact=artifact))
        conference = conferences.get(artifact.conference)
        run = reruns.plan_rerun(session=session, artifact_id=artifact_id, run_id=request.form.get("run", ""),
                                repetitions=repetitions, pool=request.form.get("pool") or None,
                                pools=conference.pool_names(), max_repetitions=conference.max_repetitions)
        [like] = _runs(session, artifact_id, request.form.get("run", ""))  # the run repeated
        held = gate.hold_rerun(session=session, rerun=run, like=like, conference=conference,
                               user_id=who.user_id)
    from ae.workers.jobs import reproduce_run

    if held:
        flash(f"The re-run waits for a chair's approval: it {held}.", "error")
        return _back(artifact_id, f"run-{run.id}")
    try:
        queue.enqueue(reproduce_run, run.id, queue=queue.pool_queue(run.pool))
        flash(f"Queued {repetitions} more repetitions on pool {run.pool}.", "info")
    except RedisError:
        flash("The run is stored but the queue is unreachable: `ae reconcile` queues it.", "error")
    return _back(artifact_id, f"run-{run.id}")


def _runs(session: Session, artifact_id: str, *run_ids: str) -> list[Run]:
    found = []
    for run_id in run_ids:
        run = session.get(Run, run_id)
        version = session.get(ArtifactVersion, run.version_id) if run is not None else None
        if run is None or version is None or version.artifact_id != artifact_id:
            raise NotFound(f"no run {run_id!r} of this artifact")
        found.append(run)
    return found


def _reader(run_id: str) -> Any:
    root = logs.work_dir(Path(current_app.config["DATA_DIR"]), run_id)

    def read(name: str) -> bytes | None:
        try:
            return logs.read_output(root, name)
        except (FileNotFoundError, UnreadableFile):
            return None

    return read


@bp.get("/diff/runs/<run_id>/<other_id>")
def run_vs_run(artifact_id: str, run_id: str, other_id: str) -> Any:
    """Compare two runs of the artifact: samples, outputs side by side, dependencies, platform, env."""
    with session_scope() as session:
        artifact = get_artifact(session=session, artifact_id=artifact_id)
        require(Permission.VIEW_LOGS, artifact_on(session=session, artifact=artifact))
        a, b = _runs(session, artifact_id, run_id, other_id)
        result = run_diff(run_view(a), run_view(b))
    data = Path(current_app.config["DATA_DIR"])
    noise = {str(logs.work_dir(data, a.id)): "<work>", str(logs.work_dir(data, b.id)): "<work>"}
    outputs = output_diffs(logs.output_names(a.record), logs.output_names(b.record), _reader(a.id),
                           _reader(b.id), noise=noise)
    return render_template("review/run_diff.html", artifact=artifact, a=a, b=b, diff=result, outputs=outputs)


@bp.get("/runs/<run_id>/check")
def output_check(artifact_id: str, run_id: str) -> Any:
    """Show a run's outputs against their references (expected vs actual, side by side), and the
    environment the author declared beside the one the run had."""
    with session_scope() as session:
        artifact = get_artifact(session=session, artifact_id=artifact_id)
        require(Permission.VIEW_LOGS, artifact_on(session=session, artifact=artifact))
        (run,) = _runs(session, artifact_id, run_id)
        version = session.get(ArtifactVersion, run.version_id)
        environment = declared_environment(version.checklist if version else {}, run.record or {})
    noise = {str(logs.work_dir(Path(current_app.config["DATA_DIR"]), run.id)): "<work>"}
    checks = []
    for name, result in sorted(((run.record or {}).get("output_check") or {}).items()):
        found = result if isinstance(result, dict) else {}
        diff = found.get("diff") if isinstance(found.get("diff"), str) else None
        rows = unified_rows(diff, paths=noise) if diff and diff.startswith("--- ") else None
        checks.append({"name": name, "ok": bool(found.get("ok")), "reference": found.get("reference"),
                       "note": None if rows else diff, **(rows or {"rows": [], "truncated": False})})
    return render_template("review/run_check.html", artifact=artifact, run=run, checks=checks,
                           environment=environment)


@bp.get("/diff/versions/<int:number>/<int:other>")
def version_vs_version(artifact_id: str, number: int, other: int) -> Any:
    """Compare two versions of the artifact: commits, each claim's verdict, each target's runs."""
    with session_scope() as session:
        artifact = get_artifact(session=session, artifact_id=artifact_id)
        require(Permission.VIEW_ARTIFACT, artifact_on(session=session, artifact=artifact))
        versions = {v.number: v for v in versions_of(session=session, artifact_id=artifact_id)}
        if number not in versions or other not in versions:
            raise NotFound(f"this artifact has versions {sorted(versions)}: name two of them")
        result = version_diff(session=session, older=versions[number], newer=versions[other])
    return render_template("review/version_diff.html", artifact=artifact, diff=result)


api_bp = Blueprint("review_api", __name__, url_prefix="/api/artifacts/<artifact_id>")
MAX_JSON = 256 * 1024


@api_bp.before_request
def _writes_need_a_token() -> None:
    """Refuse changes made with a browser cookie (no CSRF token there), and cap bodies."""
    if request.method not in ("GET", "HEAD", "OPTIONS") and bearer_token() is None:
        raise Unauthorized("changes through the API need an API token: Authorization: Bearer ae_…")
    request.max_content_length = MAX_JSON


def _json_object(*keys: str) -> dict[str, Any]:
    """Return the request's JSON object, refusing anything else and keys other than `keys`."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ReviewError("send a JSON object (Content-Type: application/json)")
    unknown = sorted(set(body) - set(keys))
    if unknown:
        raise ReviewError(f"unknown field {unknown[0]!r} (known: {', '.join(keys)})")
    return body


def _review_json(r: dict[str, Any]) -> dict[str, Any]:
    return {"id": r["id"], "round": r["round"], "evaluator": r["evaluator"], "name": r["name"],
            "mine": r["mine"], "submitted": r["submitted"], "submitted_at": _iso(r["submitted_at"]),
            "edit_count": r["edit_count"], "answers": r["answers"]}


def _thread_json(t: dict[str, Any]) -> dict[str, Any]:
    return {"id": t["id"], "anchor": t["anchor"], "about": t["about"],
            "messages": [{**m, "at": _iso(m["at"])} for m in t["messages"]]}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@api_bp.get("/reviews")
def api_reviews(artifact_id: str) -> Any:
    """Return the artifact's reviews the caller may read, each cut to the fields meant for them."""
    with session_scope() as session:
        artifact = get_artifact(session=session, artifact_id=artifact_id)
        on = artifact_on(session=session, artifact=artifact)
        who = require(Permission.READ_REVIEWS, on)
        audience = review_audience(who, on) or "authors"
        conference = conferences.get(artifact.conference)
        found = reviews.readable(session=session, artifact_id=artifact_id, fields=conference.review_fields(),
                                 reader=Reader(audience, who.user_id), rounds=conference.rounds)
    return jsonify({"audience": audience, "reviews": [_review_json(r) for r in found]})


@api_bp.post("/reviews/<round_name>")
def api_save_review(artifact_id: str, round_name: str) -> Any:
    """Save the caller's review of a round (an assigned evaluator's token): a draft, or `submit`."""
    body = _json_object("answers", "submit")
    answers, submit = body.get("answers") or {}, body.get("submit", False)
    if not isinstance(answers, dict) or not isinstance(submit, bool):
        raise ReviewError("answers must be an object of field keys to text, submit true or false")
    with session_scope() as session:
        artifact = get_artifact(session=session, artifact_id=artifact_id)
        who = require(Permission.REVIEW, artifact_on(session=session, artifact=artifact))
        conference = conferences.get(artifact.conference)
        version = latest_version(session=session, artifact_id=artifact.id)
        saved = reviews.save(session=session, artifact=artifact, version_id=version.id, user_id=who.user_id,
                             round_name=round_name, raw=answers, submit=submit,
                             fields=conference.review_fields(), rounds=conference.rounds)
        mine = [r for r in reviews.readable(session=session, artifact_id=artifact_id,
                                            fields=conference.review_fields(), rounds=conference.rounds,
                                            reader=Reader("evaluators", who.user_id))
                if r["id"] == saved.id]
        shown, version_id = saved.submitted_at is not None, version.id
    if shown:  # the authors read it in the report
        reports.queue_rewrite(version_id)
    return jsonify(_review_json(mine[0]))


def _api_post(artifact_id: str, anchor: dict[str, Any] | None, thread_id: str | None) -> Any:
    body = _json_object("body", "about") if thread_id is None else _json_object("body")
    with session_scope() as session:
        artifact = get_artifact(session=session, artifact_id=artifact_id)
        on = artifact_on(session=session, artifact=artifact)
        who = require(Permission.DISCUSS, on)
        message = threads.post(session=session, artifact=artifact, author_id=who.user_id,
                               body=body.get("body") if isinstance(body.get("body"), str) else None,
                               anchor=anchor if anchor is not None else _anchor(body.get("about")),
                               thread_id=thread_id)
    reports.queue_latest(artifact.id)
    _notify(artifact, message)
    with session_scope() as session:
        found = [t for t in threads.threads_of(session=session, artifact=artifact, reader_id=who.user_id,
                                               names=review_audience(who, on) == "chairs")
                 if t["id"] == message.thread_id]
    return jsonify(_thread_json(found[0])), 201


def _anchor(about: Any) -> dict[str, Any]:
    if about is None:
        return {"kind": "artifact"}
    if not isinstance(about, dict) or not all(isinstance(v, str | int) and not isinstance(v, bool)
                                              for v in about.values()):
        raise ThreadError("about must be an object such as {\"kind\": \"log\", \"run\": …, \"line\": 3}")
    return about


@api_bp.post("/threads")
def api_start_thread(artifact_id: str) -> Any:
    """Start an anonymous thread (`about`: the artifact, a claim, a run or a log line)."""
    return _api_post(artifact_id, None, None)


@api_bp.post("/threads/<thread_id>")
def api_reply(artifact_id: str, thread_id: str) -> Any:
    """Answer a thread."""
    return _api_post(artifact_id, {}, thread_id)


@api_bp.get("/threads")
def api_threads(artifact_id: str) -> Any:
    """Return the artifact's anonymous threads, writers labelled as the caller may know them."""
    with session_scope() as session:
        artifact = get_artifact(session=session, artifact_id=artifact_id)
        on = artifact_on(session=session, artifact=artifact)
        who = require(Permission.READ_REVIEWS, on)
        found = threads.threads_of(session=session, artifact=artifact, reader_id=who.user_id,
                                   names=review_audience(who, on) == "chairs")
    return jsonify([_thread_json(t) for t in found])
