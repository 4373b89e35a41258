"""What an API submission carries: JSON fields, or multipart/form-data fields with uploaded files.

A git source comes as JSON (or form fields); an archive only as a multipart `archive` file part.
The appendix is text (a JSON string or a form field) or an `appendix` file part, under the cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from flask import request
from werkzeug.datastructures import FileStorage

from ae.checklist.decoding import check_size, decode_appendix
from ae.errors import AeError

LISTS = ("badges",)  # the fields that may repeat


@dataclass(frozen=True)
class Submission:
    """The fields of a submission request and its uploads."""

    fields: dict[str, Any]
    archive_file: FileStorage | None = None
    appendix_file: FileStorage | None = None

    def text(self, key: str, *, required: bool = False) -> str | None:
        """Return a string field (an empty one counts as absent); refuse other types."""
        value = self.fields.get(key)
        if value is not None and not isinstance(value, str):
            raise AeError(f"{key} must be a string")
        if required and not (value and value.strip()):
            raise AeError(f"missing field {key!r}")
        return value or None

    def badges(self) -> list[str]:
        """Return the requested badges: a list of badge names."""
        badges = self.fields.get("badges") or []
        if not isinstance(badges, list) or not all(isinstance(b, str) for b in badges):
            raise AeError("badges must be a list of badge names")
        return badges

    @property
    def archive(self) -> BinaryIO | None:
        """Return the uploaded archive's stream, if an archive was uploaded."""
        return None if self.archive_file is None else cast(BinaryIO, self.archive_file.stream)

    @property
    def archive_name(self) -> str | None:
        """Return the uploaded archive's file name."""
        return _name(self.archive_file, "archive")

    def appendix(self, cap: int) -> tuple[str | None, str | None]:
        """Return the appendix's file name and text (an upload or a text field) under `cap` bytes."""
        text = self.fields.get("appendix")
        if self.appendix_file is not None:
            if text is not None:
                raise AeError("send the appendix as a file or as text, not both")
            name = _name(self.appendix_file, "appendix") or "appendix"
            data = self.appendix_file.stream.read(cap + 1)
            check_size(len(data), name, cap)
            return name, decode_appendix(data, name, max_bytes=cap)
        if text is None:
            return None, None
        if not isinstance(text, str):
            raise AeError("appendix must be the appendix text as a string")
        check_size(len(text.encode("utf-8", "surrogatepass")), "appendix", cap)
        return None, text


def read(*, empty_ok: bool = False) -> Submission:
    """Return the request's submission: a JSON object, or multipart fields and files (an empty
    body is no fields where `empty_ok`)."""
    if request.mimetype == "multipart/form-data":
        fields = {key: request.form.getlist(key) if key in LISTS else request.form[key]
                  for key in request.form}
        unknown = sorted(set(request.files) - {"archive", "appendix"})
        if unknown:
            raise AeError(f"unexpected file part {unknown[0]!r}: send archive and/or appendix")
        return Submission(fields, _one("archive"), _one("appendix"))
    if empty_ok and not request.get_data(cache=True):
        return Submission({})
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise AeError("send a JSON object (application/json) or multipart/form-data")
    return Submission(data)


def _one(name: str) -> FileStorage | None:
    """Return the one uploaded file `name`, if it was sent."""
    files = request.files.getlist(name)
    if len(files) > 1:
        raise AeError(f"send one {name} file, not {len(files)}")
    return files[0] if files else None


def _name(upload: FileStorage | None, default: str) -> str | None:
    return None if upload is None else (upload.filename or default)
