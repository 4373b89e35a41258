"""`ae badges`: a chair's decisions (issue, withhold, revoke), listings, exports and keys; `ae verify`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ae.cli.app import current, ready, with_app

if TYPE_CHECKING:
    from sqlmodel import Session

FORMATS = ("acm-xml", "csv", "json", "sysartifacts")


@click.group()
def badges() -> None:
    """Issued badges: decide, list, export; the signing keys."""


def chair_id(session: Session, email: str, conference: str) -> str:
    """Return the id of `email` if the policy lets them decide badges in `conference`."""
    from ae.accounts.users import find_user, principal
    from ae.errors import Forbidden, NotFound
    from ae.web.policy import On, Permission, allows

    user = find_user(session=session, email=email)
    if user is None or not user.active:
        raise NotFound(f"no active user {email!r}")
    if not allows(principal(session=session, user=user), Permission.ISSUE_BADGES, On(conference=conference)):
        raise Forbidden(f"{email} does not chair {conference}: only its chairs decide its badges")
    return user.id


@badges.command("issue")
@click.argument("artifact")
@click.argument("badge")
@click.option("--by", "email", required=True, help="The chair deciding (their account's e-mail).")
@click.option("--note", default="", help="Why, for the audit trail.")
@with_app
def issue_cmd(artifact: str, badge: str, email: str, note: str) -> None:
    """Issue BADGE to ARTIFACT (id or prefix): sign its credential and record the decision."""
    from ae import conferences, issuance
    from ae.storage.db import session_scope
    from ae.storage.queries import find_artifact
    from ae.workers.reports import queue_rewrite

    ready(current())
    with session_scope() as session:
        found = find_artifact(session=session, prefix=artifact)
        actor = chair_id(session, email, found.conference)
        row = issuance.issue(session=session, issuer=issuance.issuer_for(
            base_url=str(current().config["BASE_URL"]), instance_path=current().instance_path),
            conference=conferences.get(found.conference), artifact_id=found.id, badge=badge, actor_id=actor,
            note=note)
        click.echo(f"issued {row.badge} ({row.scheme}) to {found.id}: badge {row.id}, key {row.kid}")
        version_id = row.version_id
    queue_rewrite(version_id)


@badges.command("withhold")
@click.argument("artifact")
@click.argument("badge")
@click.option("--by", "email", required=True, help="The chair deciding (their account's e-mail).")
@click.option("--note", required=True, help="Why the badge is not awarded.")
@with_app
def withhold_cmd(artifact: str, badge: str, email: str, note: str) -> None:
    """Record that BADGE is not awarded to ARTIFACT."""
    from ae import conferences, issuance
    from ae.storage.db import session_scope
    from ae.storage.queries import find_artifact
    from ae.workers.reports import queue_latest

    ready(current())
    with session_scope() as session:
        found = find_artifact(session=session, prefix=artifact)
        actor = chair_id(session, email, found.conference)
        issuance.withhold(session=session, conference=conferences.get(found.conference), artifact_id=found.id,
                          badge=badge, actor_id=actor, note=note)
        click.echo(f"withheld {badge} from {found.id}")
        artifact_id = found.id
    queue_latest(artifact_id)


@badges.command("revoke")
@click.argument("badge_id")
@click.option("--by", "email", required=True, help="The chair deciding (their account's e-mail).")
@click.option("--reason", required=True, help="Why (recorded; the credential stops verifying).")
@with_app
def revoke_cmd(badge_id: str, email: str, reason: str) -> None:
    """Revoke an issued badge: recorded and published in the status list, never deleted."""
    from ae import issuance
    from ae.storage.db import session_scope
    from ae.workers.reports import queue_rewrite

    ready(current())
    with session_scope() as session:
        row = issuance.get_issued(session=session, badge_id=badge_id)
        actor = chair_id(session, email, row.conference)
        issuance.revoke(session=session, badge_id=row.id, actor_id=actor, reason=reason)
        click.echo(f"revoked badge {row.id} ({row.badge} of {row.artifact_id})")
        version_id = row.version_id
    queue_rewrite(version_id)


@badges.command("list")
@click.option("--conference", "slug", help="Only this conference's badges.")
@click.option("--artifact", help="An artifact (id or prefix): its badges and the decisions' trail.")
@with_app
def list_cmd(slug: str | None, artifact: str | None) -> None:
    """List issued badges (revoked ones marked), or one artifact's badges and decision trail."""
    from sqlmodel import col, select

    from ae import issuance
    from ae.storage.db import session_scope
    from ae.storage.models import IssuedBadge
    from ae.storage.queries import find_artifact

    ready(current())
    with session_scope() as session:
        if artifact:
            found = find_artifact(session=session, prefix=artifact)
            rows = issuance.issued_of(session=session, artifact_id=found.id)
        else:
            query = select(IssuedBadge).order_by(col(IssuedBadge.issued_at))
            rows = list(session.exec(query.where(IssuedBadge.conference == slug) if slug else query).all())
        for row in rows:
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "valid"
            click.echo(f"{row.id}  {row.conference:<18} {row.artifact_id[:12]}  {row.scheme:<8} "
                       f"{row.badge:<12} {row.issued_at:%Y-%m-%d}  {state}")
        if artifact:
            for event in issuance.events(session=session, artifact_id=found.id):
                click.echo(f"  {event.at:%Y-%m-%d %H:%M} {event.action} {event.badge}"
                           + (f": {event.note}" if event.note else ""))


@badges.command("export")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (default: stdout).")
@with_app
def export_cmd(slug: str, fmt: str, output: Path | None) -> None:
    """Export a conference's badges: ACM DL XML (DTD v1.1), CSV, JSON or sysartifacts front matter."""
    from ae import conferences, issuance
    from ae.storage.db import session_scope
    from ae.web.badges import export_text

    ready(current())
    conference = conferences.get(slug)
    with session_scope() as session:
        items = issuance.published(session=session, conference=conference,
                                   base_url=str(current().config["BASE_URL"]), with_authors=True)
    text = export_text(conference, items, fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")


@badges.command("keys")
@click.option("--rotate", is_flag=True, help="Retire the signing key and make a new one.")
@with_app
def keys_cmd(rotate: bool) -> None:
    """Show the badge-signing keys (the JWKS), or rotate them."""
    from ae import issuance

    store = issuance.issuer_for(base_url=str(current().config["BASE_URL"]),
                                instance_path=current().instance_path).keys
    if rotate:
        click.echo(f"new signing key {store.rotate().kid}; earlier keys stay in the JWKS, retired")
    else:
        store.signing_key()
        click.echo(json.dumps(store.jwks(), indent=1))


def _read(where: str, allow: tuple[str, ...]) -> str:
    """Return the text of a file, or of an http(s) URL fetched under the outbound rules."""
    from ae.badges.fetch import fetch, verify_policy
    from ae.errors import AeError

    if where.startswith(("https://", "http://")):
        return fetch(where, verify_policy(allow))
    try:
        return Path(where).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AeError(f"{where} cannot be read: {exc}") from exc


@click.command("verify")
@click.argument("credential")
@click.option("--jwks", "jwks_at",
              help="The issuer's key set (file or URL); default: <issuer>/badges/jwks.json.")
@click.option("--status-list", "status_at",
              help="The issuer's status list (file or URL); default: the one the credential names. "
                   "'none': skip the revocation check (offline).")
@click.option("--allow-host", "allow", multiple=True,
              help="A host a URL may reach although its address is private (repeatable).")
def verify_cmd(credential: str, jwks_at: str | None, status_at: str | None, allow: tuple[str, ...]) -> None:
    """Verify a badge CREDENTIAL (a JWT or SVG file, or a URL): signature, key, revocation."""
    from ae.badges.image import baked_credential
    from ae.badges.verify import verify
    from ae.errors import AeError

    try:
        token = baked_credential(_read(credential, allow))
    except ValueError as exc:
        raise AeError(str(exc)) from exc
    from joserfc.errors import JoseError
    from joserfc.jws import extract_compact  # only to read the issuer before the signature is checked

    try:
        claims = json.loads(extract_compact(token.encode()).payload)
    except (JoseError, ValueError) as exc:
        raise AeError(f"not a badge credential: {exc}") from exc
    issuer = str(claims.get("iss", ""))
    try:
        jwks = json.loads(_read(jwks_at or f"{issuer}/badges/jwks.json", allow))
    except ValueError as exc:
        raise AeError(f"the key set is not JSON: {exc}") from exc
    status = None
    if status_at != "none":
        entry = claims.get("credentialStatus") or {}
        where = status_at or str(entry.get("statusListCredential") or "")
        if not where:
            raise AeError("the credential names no status list: pass --status-list FILE|URL or none")
        status = _read(where, allow)
    result = verify(token, jwks, status)
    subject = result.claims["credentialSubject"]["artifact"]
    click.echo(f"valid: {result.claims['name']} for {subject['title']!r} (artifact {subject['id']}, commit "
               f"{subject['commit']}), issued by {issuer}, key {result.kid}, "
               + ("not revoked" if result.revocation_checked else "revocation not checked"))
