"""`ae submit`, `ae resubmit` and `ae status` on another machine, through the service's JSON API.

With AE_REMOTE_URL and AE_TOKEN set (`ae.config.remote_from_env`), these commands send the API
token to the service and print what they print on the instance's own machine; they load nothing
of the service (Flask, SQLAlchemy, RQ). An error of the service (problem details) becomes the
command's one-line error.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import urllib.error
import urllib.request
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from ae import __version__
from ae.errors import AeError, NotFound

TIMEOUT_S = 120  # per socket operation: an upload's send, or the answer


class Remote:
    """The service's API at `url`, called with an API token."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url.rstrip("/"), token

    def get(self, path: str) -> Any:
        """Return the JSON the API answers to a GET of `path`."""
        return self._send(path, "GET")

    def post(self, path: str, fields: dict[str, Any], files: Sequence[tuple[str, Path]] = ()) -> Any:
        """POST `fields` (JSON, or multipart/form-data with `files` as (field, path) parts)."""
        if not files:
            return self._send(path, "POST", json.dumps(fields).encode(), "application/json")
        with tempfile.TemporaryFile() as body:
            boundary = _multipart(body, fields, files)
            return self._send(path, "POST", body, f"multipart/form-data; boundary={boundary}")

    def _send(self, path: str, method: str, data: bytes | IO[bytes] | None = None,
              content_type: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json",
                   "User-Agent": f"ae/{__version__}"}
        if content_type:
            headers["Content-Type"] = content_type
        if data is not None and not isinstance(data, bytes):
            headers["Content-Length"] = str(data.seek(0, 2))
            data.seek(0)
        request = urllib.request.Request(f"{self.url}{path}", data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            with exc:
                raise _refusal(exc) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise AeError(f"cannot reach the service at {self.url} (AE_REMOTE_URL): {reason}") from exc


def _refusal(exc: urllib.error.HTTPError) -> AeError:
    """Return the service's refusal as an AeError: its problem detail, else its status line."""
    try:
        detail = json.loads(exc.read()).get("detail")
    except (ValueError, AttributeError, OSError):
        detail = None
    message = f"the service answered {exc.code}: {detail or exc.reason}"
    return NotFound(message) if exc.code == 404 else AeError(message)


def _multipart(out: IO[bytes], fields: dict[str, Any], files: Sequence[tuple[str, Path]]) -> str:
    """Write `fields` (strings or lists of strings) and `files` to `out` as multipart/form-data;
    return the boundary."""
    boundary = uuid.uuid4().hex
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
            out.write(f"{item}\r\n".encode())
    for name, path in files:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                  f'filename="{quote(path.name)}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode())
        with path.open("rb") as handle:
            shutil.copyfileobj(handle, out)
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return boundary


def find(remote: Remote, prefix: str) -> str:
    """Return the id of the one artifact the caller may see whose id starts with `prefix`."""
    matches = [a["id"] for a in remote.get("/api/artifacts") if a["id"].startswith(prefix)]
    if not matches:
        raise NotFound(f"no artifact with id {prefix!r}")
    if len(matches) > 1:
        raise NotFound(f"artifact id {prefix!r} is ambiguous: type more characters")
    return str(matches[0])


def conference_of(remote: Remote) -> str:
    """Return the one conference the caller submits to (author or chair there), or say to name one."""
    me = remote.get("/api/me")
    mine = sorted(c for c, roles in me["roles"].items() if {"author", "chair"} & set(roles))
    if len(mine) != 1:
        known = f"you submit to {', '.join(mine)}" if mine else "you hold the author role in none yet"
        raise AeError(f"name the conference with --conference ({known})")
    return str(mine[0])


def submit(remote: Remote, *, source: str, ref: str | None, title: str, conference: str | None,
           badges: Sequence[str], appendix: Path | None) -> dict[str, Any]:
    """Submit a git URL, or an archive file of this machine, to the service."""
    local = Path(source)
    if local.is_dir():
        raise AeError(f"{source} is a directory on this machine, which the service cannot read: submit "
                      "its git URL, or an archive of it (.tar.gz, .zip)")
    fields: dict[str, Any] = {"conference": conference or conference_of(remote), "title": title,
                              "badges": list(badges)}
    files = [("appendix", appendix)] if appendix else []
    if local.is_file():
        files.append(("archive", local))
    else:
        fields.update(source=source, **({"ref": ref} if ref else {}))
    return dict(remote.post("/api/artifacts", fields, files))


def resubmit(remote: Remote, *, artifact: str, ref: str | None, archive: Path | None,
             appendix: Path | None) -> dict[str, Any]:
    """Add a version of an artifact (id prefix): a new ref, or a new archive of this machine."""
    artifact_id = find(remote, artifact)
    files = [(name, path) for name, path in (("archive", archive), ("appendix", appendix)) if path]
    return dict(remote.post(f"/api/artifacts/{artifact_id}/versions", {"ref": ref} if ref else {}, files))


def status(remote: Remote, artifact: str | None) -> list[dict[str, Any]]:
    """Return the status of the artifacts the caller may see (or of one, by id prefix)."""
    if artifact:
        return [remote.get(f"/api/artifacts/{find(remote, artifact)}")]
    return list(remote.get("/api/artifacts"))
