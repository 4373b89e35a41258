"""Find and read the Artifact Appendix of a snapshot."""

from __future__ import annotations

from pathlib import Path

from ae.checklist.decoding import MAX_APPENDIX_BYTES, decode_appendix
from ae.errors import AppendixError, AppendixTooLarge

CANDIDATES = ("ARTIFACT-APPENDIX.md", "artifact-appendix.md", "appendix.md", "APPENDIX.md", "ae.tex")
MAX_BYTES = MAX_APPENDIX_BYTES


def decode(data: bytes, name: str) -> str:
    """Return appendix bytes as text (UTF-8, UTF-16, Latin-1), or raise AppendixError when they
    are too big or not text."""
    if len(data) > MAX_BYTES:
        raise AppendixTooLarge(f"{name}: {len(data)} bytes is too large for an appendix (max {MAX_BYTES})")
    return decode_appendix(data, name, max_bytes=None)


def find(tree: Path, given: str | None = None) -> tuple[str, str] | None:
    """Return (name, text) of the appendix at `given` or the first known name in the tree."""
    names = [given] if given else list(CANDIDATES)
    for name in names:
        path = (tree / name).resolve()
        if not path.is_relative_to(tree.resolve()):
            raise AppendixError(f"{name}: appendix path leaves the artifact")
        if path.is_file():
            return name, decode(path.read_bytes(), name)
    if given:
        raise AppendixError(f"{given}: no such appendix file in the artifact")
    return None
