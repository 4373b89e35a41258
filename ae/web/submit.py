"""Submitting from the browser: the form (git URL + ref or an archive upload, appendix, badges) and
resubmitting a new version. The check-list of an uploaded appendix shows at once on the artifact page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from ae import conferences
from ae.badges import schemes
from ae.checklist.decoding import check_size, decode_appendix
from ae.errors import AeError, Forbidden
from ae.storage.db import session_scope
from ae.storage.queries import get_artifact
from ae.submission import resubmit, submit
from ae.web.guard import artifact_on, require
from ae.web.identity import limit_key, limiter
from ae.web.policy import On, Permission, allows

bp = Blueprint("submit", __name__)


def _submit_limit() -> str:
    return str(current_app.config["RATELIMIT_SUBMIT"])


def body_cap(config: Any) -> int:
    """Return the largest request body a form may send: an archive, an appendix and the fields."""
    return int(config["MAX_UPLOAD_BYTES"]) + int(config["MAX_APPENDIX_BYTES"]) + (1 << 20)


@dataclass(frozen=True)
class Appendix:
    """The appendix a form names: an upload (name and text), a path in the repository, or neither."""

    name: str | None = None
    text: str | None = None


def _appendix(form: Any, files: Any) -> Appendix:
    """Read the form's appendix: an upload (size-capped, decoded) wins over a path in the repository."""
    upload: FileStorage | None = files.get("appendix")
    if upload is not None and upload.filename:
        cap = int(current_app.config["MAX_APPENDIX_BYTES"])
        raw = upload.stream.read(cap + 1)
        check_size(len(raw), upload.filename, cap)
        return Appendix(upload.filename, decode_appendix(raw, upload.filename, max_bytes=cap))
    path = (form.get("appendix_path") or "").strip()
    return Appendix(path or None)


def _archive(files: Any) -> tuple[BinaryIO | None, str | None]:
    """Return the uploaded archive's stream and file name, or (None, None)."""
    upload: FileStorage | None = files.get("archive")
    if upload is None or not upload.filename:
        return None, None
    return cast(BinaryIO, upload.stream), upload.filename


def _choices(who: Any) -> list[dict[str, Any]]:
    """Return the conferences `who` may submit to, with the badges each offers."""
    found = []
    for conf in conferences.all_conferences().values():
        if allows(who, Permission.SUBMIT, On(conference=conf.slug)):
            scheme = schemes.get(conf.badge_scheme)
            found.append({"slug": conf.slug, "name": conf.name,
                          "badges": [(key, scheme.title(key)) for key in conf.badges]})
    return found


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: RequestEntityTooLarge) -> Any:
    cap = body_cap(current_app.config)
    return render_template("error.html", status=413, message=(
        f"The upload is too large: this service takes at most {cap // (1 << 20)} MiB in one form "
        f"(archives up to {int(current_app.config['MAX_UPLOAD_BYTES']) // (1 << 20)} MiB, "
        "AE_MAX_UPLOAD_BYTES). Leave large data out of the archive, or let the artifact fetch it.")), 413


@bp.route("/submit", methods=["GET", "POST"])
@limiter.limit(_submit_limit, key_func=limit_key, methods=["POST"])
def form() -> Any:
    """Show the submission form; submit an artifact and go to its page (with its check-list)."""
    who = require(Permission.LIST_ARTIFACTS)
    choices = _choices(who)
    if not choices:
        raise Forbidden("you may not submit to any conference: a chair invites authors")
    if request.method != "POST":  # GET and HEAD show the form (a query string may fill it in)
        return render_template("submit/form.html", choices=choices, values=request.args)
    values = request.form
    conference = values.get("conference", "")
    require(Permission.SUBMIT, On(conference=conference))
    try:
        appendix, (archive, archive_name) = _appendix(values, request.files), _archive(request.files)
        ids = submit(conference=conference, title=values.get("title", ""),
                     source=values.get("source", ""), ref=(values.get("ref") or "").strip() or None,
                     archive=archive, archive_name=archive_name,
                     badges=values.getlist("badges"), appendix_name=appendix.name,
                     appendix_text=appendix.text, web=True, owner_id=who.user_id)
    except AeError as exc:
        flash(str(exc), "error")
        return render_template("submit/form.html", choices=choices, values=values), exc.http_status
    flash("Submitted. The check-list of your appendix is below; the artifact is being taken in.", "info")
    return redirect(url_for("pages.artifact", artifact_id=ids.artifact_id))


@bp.post("/artifacts/<artifact_id>/versions")
@limiter.limit(_submit_limit, key_func=limit_key)
def again(artifact_id: str) -> Any:
    """Resubmit: a new ref (git) or a new archive, and optionally a new appendix, as the next version.

    A refusal (a bad ref, an upload over its cap: 413) is shown on the error page with its reason.
    """
    with session_scope() as session:
        require(Permission.RESUBMIT, artifact_on(session=session, artifact=get_artifact(
            session=session, artifact_id=artifact_id)))
    appendix, (archive, archive_name) = _appendix(request.form, request.files), _archive(request.files)
    ids = resubmit(artifact_id=artifact_id, ref=(request.form.get("ref") or "").strip() or None,
                   archive=archive, archive_name=archive_name,
                   appendix_name=appendix.name, appendix_text=appendix.text, web=True)
    flash("Resubmitted: the new version is being taken in.", "info")
    return redirect(url_for("pages.artifact", artifact_id=ids.artifact_id), 303)
