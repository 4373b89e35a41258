"""Checking a badge credential: signature, key validity, type and revocation, each failure one reason."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import OKPKey

from ae.badges import status
from ae.badges.keys import ALG
from ae.errors import CredentialInvalid

MAX_TOKEN = 64 * 1024  # bytes: a credential larger than this is refused before parsing


@dataclass(frozen=True)
class Verified:
    """A credential that passed: its claims, the key that signed it and whether revocation was checked."""

    claims: dict[str, Any]
    kid: str
    revocation_checked: bool


def header(token: str) -> dict[str, Any]:
    """Return the JOSE header of a compact JWT, or raise CredentialInvalid."""
    parts = token.split(".")
    if len(token) > MAX_TOKEN or len(parts) != 3:
        raise CredentialInvalid("not a compact JWT (three base64url parts, at most 64 KiB)")
    try:
        value = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except ValueError as exc:
        raise CredentialInvalid("the JWT header is not base64url-encoded JSON") from exc
    if not isinstance(value, dict):
        raise CredentialInvalid("the JWT header is not a JSON object")
    return value


def _key(jwks: dict[str, Any], kid: str) -> dict[str, Any]:
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list):
        raise CredentialInvalid("the key set is not a JWKS (an object with a list of keys)")
    for item in keys:
        if isinstance(item, dict) and item.get("kid") == kid:
            if (item.get("kty"), item.get("crv")) != ("OKP", "Ed25519"):
                raise CredentialInvalid(f"key {kid} in the key set is not an Ed25519 key")
            return item
    raise CredentialInvalid(f"signed with key {kid!r}, which is not in the issuer's key set "
                            "(another issuer's key, or a key set of another service)")


def _check(token: str, jwks: dict[str, Any]) -> tuple[dict[str, Any], str]:
    head = header(token)
    alg, kid = head.get("alg"), head.get("kid")
    if alg != ALG:
        raise CredentialInvalid(f"signed with algorithm {alg!r}; badge credentials are signed with {ALG}")
    if not isinstance(kid, str):
        raise CredentialInvalid("the JWT header names no key id (kid)")
    entry = _key(jwks, kid)
    public: dict[str, str | list[str]] = {k: str(entry[k]) for k in ("kty", "crv", "x") if k in entry}
    try:
        claims = dict(jwt.decode(token, OKPKey.import_key(public), algorithms=[ALG]).claims)
    except BadSignatureError as exc:
        raise CredentialInvalid(f"the signature does not verify with key {kid}: the credential was changed "
                                "after signing, or another key signed it") from exc
    except (JoseError, ValueError) as exc:
        raise CredentialInvalid(f"the credential cannot be decoded: {exc}") from exc
    signed = claims.get("iat", claims.get("nbf"))
    if not isinstance(signed, int):
        raise CredentialInvalid("the credential does not say when it was signed (iat/nbf)")
    if isinstance(entry.get("exp"), int) and signed > entry["exp"]:
        raise CredentialInvalid(f"signed at {signed} with key {kid}, which expired at {entry['exp']} "
                                "(retired by rotation): it can no longer sign")
    if isinstance(entry.get("nbf"), int) and signed < entry["nbf"]:
        raise CredentialInvalid(f"signed at {signed}, before key {kid} existed ({entry['nbf']})")
    return claims, kid


def verify(token: str, jwks: dict[str, Any], status_list: str | None = None) -> Verified:
    """Verify a badge credential JWT against a JWKS and, if given, the signed revocation status list."""
    claims, kid = _check(token.strip(), jwks)
    types = claims.get("type")
    if not isinstance(types, list) or "OpenBadgeCredential" not in types:
        raise CredentialInvalid("the JWT is not an OpenBadgeCredential")
    if status_list is None:
        return Verified(claims, kid, revocation_checked=False)
    entry = claims.get("credentialStatus")
    if not isinstance(entry, dict) or not str(entry.get("statusListIndex", "")).isdigit():
        raise CredentialInvalid("the credential has no revocation status entry to check")
    listed, _ = _check(status_list.strip(), jwks)
    subject = listed.get("credentialSubject")
    if listed.get("iss") != claims.get("iss") or not isinstance(subject, dict):
        raise CredentialInvalid("the status list is not the credential issuer's")
    if "BitstringStatusListCredential" not in (listed.get("type") or []):
        raise CredentialInvalid("the status list is not a BitstringStatusListCredential")
    index = int(entry["statusListIndex"])
    try:
        revoked = status.is_set(str(subject.get("encodedList", "")), index)
    except ValueError as exc:
        raise CredentialInvalid(f"the status list cannot be read: {exc}") from exc
    if revoked:
        raise CredentialInvalid(f"revoked by its issuer (status list index {index})")
    return Verified(claims, kid, revocation_checked=True)
