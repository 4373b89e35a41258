"""Signed badges: instance keys, Open Badges 3.0 credentials, a second JOSE library, every rejection."""

from __future__ import annotations

import base64
import json
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest
from jwt.algorithms import OKPAlgorithm

from ae.badges import schemes, status
from ae.badges.credential import Award, credential, digest, sign, status_list_credential
from ae.badges.image import baked_credential, svg
from ae.badges.keys import KeyStore
from ae.badges.verify import verify
from ae.errors import BadgeKeyError, CredentialInvalid

AT = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
T = int(AT.timestamp())
ISSUER = "https://ae.example.org"


def award(index: int = 7, **changes: Any) -> Award:
    values: dict[str, Any] = dict(
        credential_id="urn:uuid:6f1e0c8e-0000-4000-8000-000000000001", issuer_url=ISSUER, issuer_name="ae",
        conference="ppopp-2019", conference_name="PPoPP 2019 Artifact Evaluation", artifact_id="a1",
        artifact_title="Fast sort", commit="c" * 40, snapshot_digest="sha256:" + "d" * 64,
        scheme=schemes.get("acm-1.0"), badge="replicated", evidence_digest=digest({"e": 1}),
        report_digest="sha256:" + "r" * 64, status_index=index, issued_at=AT)
    values.update(changes)
    return Award(**values)


def status_jwt(store: KeyStore, revoked: list[int]) -> str:
    return sign(status_list_credential(ISSUER, status.encode(revoked), AT), store.signing_key(T))


def second_library_decode(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """Verify with PyJWT: another JOSE implementation, told of RFC 9864's Ed25519 name."""
    kid = pyjwt.get_unverified_header(token)["kid"]
    [entry] = [k for k in jwks["keys"] if k["kid"] == kid]
    key = OKPAlgorithm.from_jwk(json.dumps({k: entry[k] for k in ("kty", "crv", "x")}))
    codec = pyjwt.PyJWT()
    codec._jws.register_algorithm("Ed25519", OKPAlgorithm())
    decoded: dict[str, Any] = codec.decode(token, key, algorithms=["Ed25519"],
                                           options={"verify_exp": False, "verify_nbf": False,
                                                    "verify_iat": False})
    return decoded


@pytest.fixture()
def store(tmp_path: Path) -> KeyStore:
    return KeyStore(tmp_path / "instance" / "badge-keys.json")


def test_the_first_key_is_made_on_first_use_private_to_its_owner(store: KeyStore) -> None:
    assert store.keys() == [] and not store.path.exists()
    key = store.signing_key(T)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert store.signing_key(T + 5) == key  # reused, not remade
    [public] = store.jwks()["keys"]
    assert public == {"kty": "OKP", "crv": "Ed25519", "x": key.jwk["x"], "kid": key.kid, "alg": "Ed25519",
                      "use": "sig", "nbf": T}
    assert key.jwk["d"] not in json.dumps(store.jwks())  # no private part published


def test_a_key_file_others_may_read_is_refused(store: KeyStore) -> None:
    store.signing_key(T)
    store.path.chmod(0o644)
    with pytest.raises(BadgeKeyError, match="may be read by others .mode 644.: run chmod 600"):
        store.signing_key(T)


def test_a_credential_made_by_ae_is_verified_by_a_second_jose_library(store: KeyStore) -> None:
    token = sign(credential(award()), store.signing_key(T))
    claims = second_library_decode(token, store.jwks())
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["iss"] == ISSUER and claims["sub"] == f"{ISSUER}/artifacts/a1" and claims["nbf"] == T
    assert claims["credentialSubject"]["artifact"] == {
        "id": "a1", "title": "Fast sort", "conference": "ppopp-2019", "commit": "c" * 40,
        "snapshot_digest": "sha256:" + "d" * 64, "scheme": "acm-1.0", "scheme_version": "1.0",
        "badge": "replicated", "badge_id": "acm-1.0/replicated", "evidence_digest": digest({"e": 1}),
        "report_digest": "sha256:" + "r" * 64}
    achievement = claims["credentialSubject"]["achievement"]
    assert achievement["criteria"] == {
        "id": "https://www.acm.org/publications/policies/artifact-review-badging",
        "narrative": "main results obtained by someone other than the authors, using the authors' artifact"}
    assert claims["credentialStatus"]["statusListIndex"] == "7"
    assert verify(token, store.jwks(), status_jwt(store, [])).claims == claims


def test_the_second_library_also_refuses_a_tampered_credential(store: KeyStore) -> None:
    token = sign(credential(award()), store.signing_key(T))
    with pytest.raises(pyjwt.InvalidSignatureError):
        second_library_decode(tamper(token), store.jwks())


def tamper(token: str) -> str:
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["credentialSubject"]["artifact"]["badge"] = "reproduced"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{head}.{forged}.{sig}"


def test_a_tampered_credential_is_rejected(store: KeyStore) -> None:
    token = sign(credential(award()), store.signing_key(T))
    with pytest.raises(CredentialInvalid, match="signature does not verify with key ae-.*: the credential "
                                                "was changed after signing, or another key signed it"):
        verify(tamper(token), store.jwks())


def test_a_revoked_credential_is_rejected_and_others_on_the_list_pass(store: KeyStore) -> None:
    token = sign(credential(award(index=7)), store.signing_key(T))
    other = sign(credential(award(index=8)), store.signing_key(T))
    listed = status_jwt(store, [7, 1000])
    with pytest.raises(CredentialInvalid, match=r"^revoked by its issuer \(status list index 7\)$"):
        verify(token, store.jwks(), listed)
    assert verify(other, store.jwks(), listed).revocation_checked


def test_a_credential_signed_by_a_retired_key_after_its_expiry_is_rejected(store: KeyStore) -> None:
    old = store.signing_key(T - 100)
    before = sign(credential(award(issued_at=datetime.fromtimestamp(T - 50, UTC))), old)
    new = store.rotate(T)
    assert [k["kid"] for k in store.jwks()["keys"]] == [old.kid, new.kid]
    assert store.jwks()["keys"][0]["exp"] == T and store.signing_key(T + 1) == new
    assert verify(before, store.jwks()).kid == old.kid  # signed while valid: still good
    at_rotation = sign(credential(award()), old)  # signed in the second it was retired: still valid
    assert verify(at_rotation, store.jwks()).kid == old.kid
    after = sign(credential(award(issued_at=datetime.fromtimestamp(T + 60, UTC))), old)  # stolen, used later
    reason = f"signed at {T + 60} with key {old.kid}, which expired at {T} " r"\(retired by rotation\)"
    with pytest.raises(CredentialInvalid, match=reason):
        verify(after, store.jwks())


def test_a_credential_signed_by_another_key_is_rejected(store: KeyStore, tmp_path: Path) -> None:
    store.signing_key(T)
    stranger = KeyStore(tmp_path / "other.json").signing_key(T)
    with pytest.raises(CredentialInvalid, match=f"signed with key '{stranger.kid}', which is not in the "
                                                "issuer's key set"):
        verify(sign(credential(award()), stranger), store.jwks())
    impostor = type(stranger)(store.keys()[-1].kid, T, None, stranger.jwk)  # same kid, other key
    with pytest.raises(CredentialInvalid, match="signature does not verify"):
        verify(sign(credential(award()), impostor), store.jwks())


def test_a_status_list_signed_by_another_issuer_is_refused(store: KeyStore, tmp_path: Path) -> None:
    token = sign(credential(award()), store.signing_key(T))
    stranger = KeyStore(tmp_path / "x").signing_key(T)
    forged = sign(status_list_credential(ISSUER, status.encode([]), AT), stranger)
    with pytest.raises(CredentialInvalid, match="not in the issuer's key set"):
        verify(token, store.jwks(), forged)


@pytest.mark.parametrize(("token", "reason"), [
    ("", "not a compact JWT"),
    ("a.b", "not a compact JWT"),
    ("x" * 70_000 + ".a.b", "not a compact JWT"),
    ("!!!.a.b", "header is not base64url-encoded JSON"),
    (base64.urlsafe_b64encode(b'{"alg":"none","kid":"k"}').decode() + ".e30.", "algorithm 'none'"),
    (base64.urlsafe_b64encode(b'{"alg":"HS256","kid":"k"}').decode() + ".e30.x", "algorithm 'HS256'"),
    (base64.urlsafe_b64encode(b'{"alg":"Ed25519"}').decode() + ".e30.x", "names no key id"),
    (base64.urlsafe_b64encode(b'[1]').decode() + ".e30.x", "not a JSON object"),
])
def test_malformed_tokens_are_rejected_with_a_reason(store: KeyStore, token: str, reason: str) -> None:
    store.signing_key(T)
    with pytest.raises(CredentialInvalid, match=reason.replace("(", r"\(")):
        verify(token, store.jwks())


def test_a_jwt_that_is_not_a_badge_is_rejected(store: KeyStore) -> None:
    token = sign({"iss": ISSUER, "iat": T, "type": ["VerifiableCredential"]}, store.signing_key(T))
    with pytest.raises(CredentialInvalid, match="not an OpenBadgeCredential"):
        verify(token, store.jwks())


def test_the_status_list_sets_exactly_the_revoked_bits() -> None:
    encoded = status.encode([0, 9, status.SIZE - 1])
    assert encoded.startswith("u")
    probes = (0, 1, 8, 9, 10, status.SIZE - 1)
    assert [i for i in probes if status.is_set(encoded, i)] == [0, 9, status.SIZE - 1]
    assert status.encode([3]) == status.encode([3])  # deterministic (no gzip time stamp)
    with pytest.raises(ValueError, match="outside the list"):
        status.encode([status.SIZE])
    with pytest.raises(ValueError, match="must start with 'u'"):
        status.is_set("zzz", 0)
    with pytest.raises(ValueError, match="cannot be decoded"):
        status.is_set("uAAAA", 0)


def test_a_status_list_bomb_is_refused() -> None:
    import gzip
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(64 << 20))).decode().rstrip("=")
    with pytest.raises(ValueError, match="larger than"):
        status.is_set(bomb, 0)


def test_the_svg_carries_the_credential_and_gives_it_back(store: KeyStore) -> None:
    token = sign(credential(award()), store.signing_key(T))
    image = svg(schemes.get("acm-1.0"), "replicated", token)
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in image
    assert f"<openbadges:credential><![CDATA[{token}]]></openbadges:credential>" in image
    assert baked_credential(image) == token and baked_credential(f"  {token}\n") == token
    assert verify(baked_credential(image), store.jwks()).kid == store.keys()[-1].kid
    assert "(revoked)" in svg(schemes.get("usenix"), "available", None, revoked=True)
    with pytest.raises(ValueError, match="no badge credential found"):
        baked_credential("<svg></svg>")
    with pytest.raises(ValueError, match="not a compact JWT"):
        svg(schemes.get("usenix"), "available", "a]]><script>x</script>")
