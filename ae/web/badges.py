"""Badge pages: public (reproduced papers, credentials, images, key set, status list, verification)
and the chair's (issue, withhold, revoke, export).

Everything public shows only what an issued badge already states: the artifact's title, its badges
(revoked ones marked, never why), its verdicts' counts and the credential; never owners,
evaluators, reviews, recommendations or withheld decisions.
"""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from ae import conferences, issuance
from ae.badges import exports, image, schemes
from ae.badges.verify import Verified, verify
from ae.errors import AeError, BadgeError, CredentialInvalid, NotFound
from ae.storage.db import session_scope
from ae.storage.queries import list_artifacts
from ae.web.guard import require
from ae.web.identity import current_principal
from ae.web.policy import On, Permission, allows
from ae.workers import reports

bp = Blueprint("badges", __name__)

FORMATS = {"acm-xml": "application/xml", "csv": "text/csv", "json": "application/json",
           "sysartifacts": "text/markdown"}
MAX_PASTE = 256 * 1024  # bytes of a pasted credential or uploaded SVG


def _public() -> None:
    """Let anyone through (a token needs its read scope); refuse the rest as the guard does."""
    if not allows(current_principal(), Permission.VIEW_BADGES):
        require(Permission.VIEW_BADGES)


def _issuer() -> issuance.Issuer:
    return issuance.issuer_for(base_url=str(current_app.config["BASE_URL"]),
                               instance_path=current_app.instance_path)


def _conference(slug: str) -> conferences.Conference:
    return conferences.get(slug)


@bp.get("/badges/jwks.json")
def jwks() -> Response:
    """Serve the public keys that sign badges (retired ones included)."""
    _public()
    keys = _issuer().keys
    if not keys.keys():
        keys.signing_key()
    return jsonify(keys.jwks())


@bp.get("/badges/status-list")
def status_list() -> Response:
    """Serve the signed revocation status list (a BitstringStatusListCredential as a JWT)."""
    _public()
    with session_scope() as session:
        token = issuance.status_list_jwt(session=session, issuer=_issuer())
    return Response(token, mimetype="application/vc+jwt", headers={"Cache-Control": "max-age=60"})


def _issued(badge_id: str) -> Any:
    with session_scope() as session:
        row = issuance.get_issued(session=session, badge_id=badge_id)
        session.expunge(row)
    return row


@bp.get("/badges/<badge_id>")
def show(badge_id: str) -> Any:
    """Show one issued badge: what it certifies, its image, its credential and whether it verifies."""
    _public()
    row = _issued(badge_id)
    scheme = schemes.get(row.scheme)
    result, reason = _check(row.credential)
    return render_template("badges/show.html", row=row, scheme=scheme, badge=scheme.badge(row.badge),
                           result=result, reason=reason, conference=_conference(row.conference))


@bp.get("/badges/<badge_id>.jwt")
def credential(badge_id: str) -> Response:
    """Serve an issued badge's signed credential (compact JWT)."""
    _public()
    return Response(_issued(badge_id).credential, mimetype="application/vc+jwt")


@bp.get("/badges/<badge_id>.svg")
def picture(badge_id: str) -> Response:
    """Serve the badge image with its credential baked in."""
    _public()
    row = _issued(badge_id)
    text = image.svg(schemes.get(row.scheme), row.badge, row.credential, revoked=row.revoked_at is not None)
    return Response(text, mimetype="image/svg+xml",
                    headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


def _check(token: str) -> tuple[Verified | None, str]:
    issuer = _issuer()
    try:
        with session_scope() as session:
            listed = issuance.status_list_jwt(session=session, issuer=issuer)
        return verify(token, issuer.keys.jwks(), listed), ""
    except CredentialInvalid as exc:
        return None, str(exc)


@bp.route("/badges/verify", methods=["GET", "POST"])
def check() -> Any:
    """Verify a pasted credential or an uploaded badge image against this service's keys and revocations."""
    _public()
    if request.method != "POST":
        return render_template("badges/verify.html", result=None, reason=None, asked=False)
    upload = request.files.get("image")
    text = upload.read(MAX_PASTE + 1).decode("utf-8", "replace") if upload and upload.filename else ""
    text = text or request.form.get("credential", "")
    if len(text) > MAX_PASTE:
        return render_template("badges/verify.html", result=None, asked=True,
                               reason=f"larger than {MAX_PASTE // 1024} KiB: not a badge"), 413
    try:
        token = image.baked_credential(text)
    except ValueError as exc:
        return render_template("badges/verify.html", result=None, reason=str(exc), asked=True), 400
    result, reason = _check(token)
    return render_template("badges/verify.html", result=result, reason=reason, asked=True), (
        200 if result else 422)


def _published(slug: str) -> tuple[conferences.Conference, list[exports.Published]]:
    conference = _conference(slug)
    with session_scope() as session:
        items = issuance.published(session=session, conference=conference,
                                   base_url=str(current_app.config["BASE_URL"]))
    return conference, items


@bp.get("/reproduced/<slug>")
def reproduced(slug: str) -> Any:
    """Show a conference's reproduced papers: their badges and verdict counts, for everyone."""
    _public()
    conference, items = _published(slug)
    ids = {b.credential_url.rsplit("/", 1)[1]: b for i in items for b in i.badges}
    return render_template("badges/reproduced.html", conference=conference, items=items, ids=ids,
                           scheme=schemes.get(conference.badge_scheme))


@bp.get("/reproduced/<slug>.json")
def feed(slug: str) -> Response:
    """Serve the reproduced-papers page as JSON."""
    _public()
    conference, items = _published(slug)
    return jsonify({"conference": conference.slug, "name": conference.name,
                    **exports.to_json(items, schemes.get(conference.badge_scheme))})


@bp.get("/badges/manage/<slug>")
def manage(slug: str) -> Any:
    """Show the chair's badge decisions: each artifact's recommendations, issued badges and trail."""
    conference = _conference(slug)
    require(Permission.ISSUE_BADGES, On(conference=slug))
    with session_scope() as session:
        artifacts = list_artifacts(session=session, conference=slug)
        rows = []
        for artifact in artifacts:
            try:
                recommended: list[Any] = issuance.recommendations(session=session, conference=conference,
                                                                  artifact_id=artifact.id)
            except NotFound:
                recommended = []
            rows.append({"artifact": artifact, "recommended": recommended,
                         "issued": issuance.issued_of(session=session, artifact_id=artifact.id),
                         "events": issuance.events(session=session, artifact_id=artifact.id)})
        return render_template("badges/manage.html", conference=conference, rows=rows,
                               scheme=schemes.get(conference.badge_scheme), formats=FORMATS)


def _decided(slug: str, message: str) -> Any:
    flash(message, "info")
    return redirect(url_for("badges.manage", slug=slug), code=303)


def _refused(slug: str, exc: AeError) -> Any:
    flash(str(exc), "error")
    return redirect(url_for("badges.manage", slug=slug), code=303)


def _decision() -> tuple[str, str, str]:
    return (request.form.get("artifact", ""), request.form.get("badge", ""),
            request.form.get("note", "")[:2000])


@bp.post("/badges/manage/<slug>/issue")
def issue(slug: str) -> Any:
    """Issue a badge to an artifact (a chair's decision, signed at once)."""
    conference = _conference(slug)
    who = require(Permission.ISSUE_BADGES, On(conference=slug))
    try:
        with session_scope() as session:
            artifact_id, badge, note = _decision()
            row = issuance.issue(session=session, issuer=_issuer(), conference=conference,
                                 artifact_id=artifact_id, badge=badge, actor_id=who.user_id, note=note)
            title, version_id = schemes.get(row.scheme).title(row.badge), row.version_id
    except (BadgeError, NotFound) as exc:
        return _refused(slug, exc)
    reports.queue_rewrite(version_id)
    return _decided(slug, f"Issued {title}.")


@bp.post("/badges/manage/<slug>/withhold")
def withhold(slug: str) -> Any:
    """Record that a badge is not awarded to an artifact, with the chair's note."""
    conference = _conference(slug)
    who = require(Permission.ISSUE_BADGES, On(conference=slug))
    try:
        with session_scope() as session:
            artifact_id, badge, note = _decision()
            event = issuance.withhold(session=session, conference=conference, artifact_id=artifact_id,
                                      badge=badge, actor_id=who.user_id, note=note)
            artifact_id = event.artifact_id
    except (BadgeError, NotFound) as exc:
        return _refused(slug, exc)
    reports.queue_latest(artifact_id)
    return _decided(slug, "Recorded: not awarded.")


@bp.post("/badges/<badge_id>/revoke")
def revoke(badge_id: str) -> Any:
    """Revoke an issued badge (recorded with its reason; the credential stops verifying)."""
    row = _issued(badge_id)
    who = require(Permission.ISSUE_BADGES, On(conference=row.conference))
    try:
        with session_scope() as session:
            issuance.revoke(session=session, badge_id=row.id, actor_id=who.user_id,
                            reason=request.form.get("reason", "")[:2000])
    except BadgeError as exc:
        return _refused(row.conference, exc)
    reports.queue_rewrite(row.version_id)
    return _decided(row.conference, "Revoked; the status list says so from now on.")


@bp.get("/badges/manage/<slug>/export.<fmt>")
def export(slug: str, fmt: str) -> Response:
    """Export the conference's badges: ACM DL XML, CSV, JSON or sysartifacts front matter."""
    conference = _conference(slug)
    require(Permission.ISSUE_BADGES, On(conference=slug))
    if fmt not in FORMATS:
        raise NotFound(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
    with session_scope() as session:
        items = issuance.published(session=session, conference=conference,
                                   base_url=str(current_app.config["BASE_URL"]), with_authors=True)
    body = export_text(conference, items, fmt)
    return Response(body, mimetype=FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{slug}-badges.{fmt.replace("acm-", "")}"'})


def export_text(conference: conferences.Conference, items: list[exports.Published], fmt: str) -> str:
    """Return the export of `items` in `fmt`; BadgeError when the scheme cannot be exported so."""
    scheme = schemes.get(conference.badge_scheme)
    if fmt == "acm-xml":
        try:
            return exports.acm_xml(items, scheme)
        except ValueError as exc:
            raise BadgeError(str(exc)) from exc
    if fmt == "csv":
        return exports.to_csv(items)
    if fmt == "json":
        return json.dumps(exports.to_json(items, scheme), indent=1)
    return exports.sysartifacts(items, scheme, f"{conference.name}: results")
