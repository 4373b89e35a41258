"""What a worker on another machine needs from the service: snapshots by digest, over HTTP.

A snapshot is fetched once per worker into its own store, written to a temporary name, checked
against its sha256 (the digest is the name) and only then renamed into place.
"""

from __future__ import annotations

import hashlib
import os
import re
import urllib.error
import urllib.request
from pathlib import Path

from ae.errors import SourceError

_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def is_digest(text: str) -> bool:
    """Tell whether text is a sha256 hex digest (the name of a snapshot)."""
    return bool(_DIGEST.match(text))


def fetch_snapshot(service_url: str, token: str | None, digest: str, store_dir: Path,
                   *, timeout: float = 60.0) -> Path:
    """Download snapshot `digest` from the service into `store_dir` unless cached; return the tar."""
    if not is_digest(digest):
        raise SourceError(f"snapshot {digest!r} is not a sha256 digest")
    final = store_dir / f"{digest}.tar"
    if final.is_file():
        return final
    store_dir.mkdir(parents=True, exist_ok=True)
    url = f"{service_url.rstrip('/')}/api/snapshots/{digest}"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token or ''}"})
    partial = store_dir / f".{digest}.{os.getpid()}.partial"
    sha = hashlib.sha256()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, open(partial, "wb") as out:
            for block in iter(lambda: response.read(1 << 20), b""):
                sha.update(block)
                out.write(block)
    except urllib.error.HTTPError as exc:
        partial.unlink(missing_ok=True)
        raise SourceError(f"snapshot {digest[:12]}: the service at {service_url} answered "
                          f"{exc.code} {exc.reason} (check AE_WORKER_TOKEN)") from exc
    except (urllib.error.URLError, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise SourceError(f"snapshot {digest[:12]}: cannot fetch it from {service_url}: {exc}") from exc
    if sha.hexdigest() != digest:
        partial.unlink(missing_ok=True)
        raise SourceError(f"snapshot {digest[:12]} from {service_url}: content has sha256 "
                          f"{sha.hexdigest()[:12]}, not its name; refused")
    partial.rename(final)
    return final
