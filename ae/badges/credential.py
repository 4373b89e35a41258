"""An issued badge as an Open Badges 3.0 credential (a W3C Verifiable Credential), signed as a JWT.

The JWT payload is the credential itself (Open Badges 3.0, §8.2: its members at the top level) plus
the registered claims `iss`, `jti`, `sub`, `nbf` and `iat`; the header names the key (`kid`). The
subject is the artifact, and `credentialSubject.artifact` names what was evaluated: artifact,
commit, snapshot digest, scheme and version, badge, evidence and report digests. The criteria cite
the scheme's own definition. The badge is "awarded by this service's committee"; it is not ACM's
or USENIX's own seal, whose definitions it only references.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from joserfc import jwt

from ae.badges.keys import ALG, SigningKey
from ae.badges.schemes import Scheme

CONTEXT = ["https://www.w3.org/ns/credentials/v2",
           "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]


@dataclass(frozen=True)
class Award:
    """Everything an issued badge's credential states."""

    credential_id: str  # "urn:uuid:…"
    issuer_url: str     # the service's public address
    issuer_name: str
    conference: str
    conference_name: str
    artifact_id: str
    artifact_title: str
    commit: str | None
    snapshot_digest: str | None
    scheme: Scheme
    badge: str
    evidence_digest: str
    report_digest: str | None
    status_index: int
    issued_at: datetime


def digest(data: Any) -> str:
    """Return "sha256:<hex>" of canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def status_list_url(issuer_url: str) -> str:
    """Return the address of the service's revocation status list."""
    return f"{issuer_url.rstrip('/')}/badges/status-list"


def credential(award: Award) -> dict[str, Any]:
    """Return the Open Badges 3.0 credential of an award, with the JWT registered claims."""
    base = award.issuer_url.rstrip("/")
    badge = award.scheme.badge(award.badge)
    subject = f"{base}/artifacts/{award.artifact_id}"
    status = status_list_url(base)
    ts = int(award.issued_at.timestamp())
    return {
        "@context": CONTEXT,
        "id": award.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": base, "type": ["Profile"], "name": award.issuer_name},
        "validFrom": _iso(award.issued_at),
        "name": f"{badge.title} ({award.scheme.label} v{award.scheme.version})",
        "credentialSubject": {
            "id": subject,
            "type": ["AchievementSubject"],
            "achievement": {
                "id": f"{base}/badges/achievements/{award.scheme.badge_id(award.badge)}",
                "type": ["Achievement"],
                "achievementType": "Badge",
                "name": badge.title,
                "description": f"{badge.title} under {award.scheme.label} version {award.scheme.version}, "
                               f"awarded by the artifact evaluation committee of {award.conference_name}",
                "criteria": {"id": award.scheme.url, "narrative": badge.definition},
            },
            "artifact": {
                "id": award.artifact_id, "title": award.artifact_title, "conference": award.conference,
                "commit": award.commit, "snapshot_digest": award.snapshot_digest,
                "scheme": award.scheme.name, "scheme_version": award.scheme.version,
                "badge": award.badge, "badge_id": award.scheme.badge_id(award.badge),
                "evidence_digest": award.evidence_digest, "report_digest": award.report_digest,
            },
        },
        "evidence": [{"id": f"{subject}/report", "type": ["Evidence"], "name": "Evaluation report",
                      "description": f"evidence summary {award.evidence_digest}, report "
                                     f"{award.report_digest or 'not written'}"}],
        "credentialStatus": {"id": f"{status}#{award.status_index}", "type": "BitstringStatusListEntry",
                             "statusPurpose": "revocation", "statusListIndex": str(award.status_index),
                             "statusListCredential": status},
        "iss": base, "jti": award.credential_id, "sub": subject, "nbf": ts, "iat": ts,
    }


def sign(claims: dict[str, Any], key: SigningKey) -> str:
    """Return `claims` signed as a compact JWT with `key` (Ed25519)."""
    return jwt.encode({"alg": ALG, "kid": key.kid, "typ": "JWT"}, claims, key.private(), algorithms=[ALG])


def status_list_credential(issuer_url: str, encoded: str, at: datetime) -> dict[str, Any]:
    """Return the BitstringStatusListCredential publishing the service's revocations."""
    base = issuer_url.rstrip("/")
    url = status_list_url(base)
    ts = int(at.timestamp())
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": base, "validFrom": _iso(at),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation", "encodedList": encoded},
        "iss": base, "sub": f"{url}#list", "nbf": ts, "iat": ts,
    }
