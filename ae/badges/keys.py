"""The service's Ed25519 badge-signing keys: created on first use, rotated by key id, published as a JWKS.

Rule: the key file holds every key ever used (private parts, mode 0600, refused if others may read
it); the newest is the signing key. Rotation retires the signing key: it stays in the JWKS with an
`exp` (the retirement time) so that credentials signed before it still verify, while anything it
signs afterwards is refused.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.jwk import OKPKey

from ae.errors import BadgeKeyError

ALG = "Ed25519"  # RFC 9864's fully specified name for EdDSA over Ed25519


@dataclass(frozen=True)
class SigningKey:
    """One key pair: its id, when it started signing, when it was retired (None: in use)."""

    kid: str
    nbf: int
    exp: int | None
    jwk: dict[str, Any]  # the private JWK

    def private(self) -> OKPKey:
        """Return the key for signing."""
        return OKPKey.import_key(self.jwk)

    def public(self) -> dict[str, Any]:
        """Return the public JWK with its id, algorithm, use and validity."""
        out: dict[str, Any] = {"kty": "OKP", "crv": "Ed25519", "x": self.jwk["x"], "kid": self.kid,
                               "alg": ALG, "use": "sig", "nbf": self.nbf}
        if self.exp is not None:
            out["exp"] = self.exp
        return out


class KeyStore:
    """The key file of an instance (`badge-keys.json`)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def keys(self) -> list[SigningKey]:
        """Return every key, oldest first (none if the file does not exist yet)."""
        try:
            mode = self.path.stat().st_mode
        except FileNotFoundError:
            return []
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise BadgeKeyError(f"{self.path} may be read by others (mode {stat.S_IMODE(mode):o}): "
                                f"run chmod 600 {self.path}")
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return [SigningKey(k["kid"], int(k["nbf"]), k.get("exp"), dict(k["jwk"])) for k in data["keys"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise BadgeKeyError(f"{self.path} cannot be read as a badge key file: {exc}") from exc

    def signing_key(self, now: int | None = None) -> SigningKey:
        """Return the key that signs now, creating the first one on first use."""
        keys = self.keys()
        if not keys or keys[-1].exp is not None:
            return self.rotate(now)
        return keys[-1]

    def rotate(self, now: int | None = None) -> SigningKey:
        """Retire the signing key (if any) and create a new one; return the new key."""
        at = int(time.time()) if now is None else now
        keys = [k if k.exp is not None else SigningKey(k.kid, k.nbf, at, k.jwk) for k in self.keys()]
        kid = f"ae-{at}-{os.urandom(4).hex()}"
        fresh = OKPKey.generate_key("Ed25519", parameters={"kid": kid})
        key = SigningKey(kid, at, None, dict(fresh.as_dict(private=True)))
        self._write([*keys, key])
        return key

    def jwks(self) -> dict[str, Any]:
        """Return the public key set (JWKS) of every key, retired ones included."""
        return {"keys": [k.public() for k in self.keys()]}

    def _write(self, keys: list[SigningKey]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"keys": [{"kid": k.kid, "nbf": k.nbf, "exp": k.exp, "jwk": k.jwk} for k in keys]},
                          indent=1)
        fd, tmp = tempfile.mkstemp(prefix=".badge-keys.", dir=self.path.parent)  # mkstemp: mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
