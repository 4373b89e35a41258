"""Asking the policy from a view: who is asking, about what, and the answer as an HTTP outcome."""

from __future__ import annotations

from flask import request
from sqlmodel import Session, select

from ae.accounts.principal import Principal
from ae.errors import Forbidden, NotFound, Unauthorized
from ae.storage.models import Artifact, Assignment
from ae.web.identity import current_principal, token_attempted
from ae.web.policy import SEEING, On, Permission, allows


def artifact_on(*, session: Session, artifact: Artifact) -> On:
    """Return the facts the policy needs about an artifact: conference, owner, assigned evaluators."""
    evaluators = session.exec(select(Assignment.user_id).where(Assignment.artifact_id == artifact.id)).all()
    return On(conference=artifact.conference, owner_id=artifact.owner_id, evaluators=frozenset(evaluators),
              artifact=True)


def require(permission: Permission, on: On | None = None) -> Principal:
    """Return who is asking if the policy allows them `permission` on `on`, else raise the refusal.

    Anonymous: 401 (pages turn it into a sign-in redirect). Refused to see, or to act on an
    artifact one may not see: 404, as if absent. Refused to act on something visible: 403.
    """
    who = current_principal()
    if allows(who, permission, on):
        assert who is not None
        return who
    if who is None:
        if token_attempted():
            raise Unauthorized("the API token is not valid (unknown, revoked, or its user disabled)")
        raise Unauthorized("sign in first (or send an API token: Authorization: Bearer ae_…)")
    if permission in SEEING or (on is not None and on.artifact
                                and not allows(who, Permission.VIEW_ARTIFACT, on)):
        raise NotFound("not found")
    raise Forbidden(f"you may not {_what(permission)} here")


def _what(permission: Permission) -> str:
    return {
        Permission.SUBMIT: "submit to this conference", Permission.RESUBMIT: "add a version to this artifact",
        Permission.RERUN: "re-run this artifact", Permission.MANAGE_CONFERENCE: "manage this conference",
        Permission.VIEW_WORKERS: "see the workers", Permission.ADMIN: "administer the site",
        Permission.REVIEW: "review this artifact (only its assigned evaluators do)",
        Permission.DISCUSS: "write in this artifact's threads",
    }.get(permission, "do this")


def wants_json() -> bool:
    """Tell whether the request is an API call (or asks for JSON)."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"
