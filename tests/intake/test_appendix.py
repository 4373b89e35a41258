"""Finding and decoding the Artifact Appendix."""

from __future__ import annotations

from pathlib import Path

import pytest

from ae.errors import AppendixError
from ae.intake import appendix


def test_finds_known_names_in_order(tmp_path: Path) -> None:
    (tmp_path / "appendix.md").write_text("second")
    assert appendix.find(tmp_path) == ("appendix.md", "second")
    (tmp_path / "ARTIFACT-APPENDIX.md").write_text("first")
    assert appendix.find(tmp_path) == ("ARTIFACT-APPENDIX.md", "first")


def test_given_path_must_exist_and_stay_inside(tmp_path: Path) -> None:
    with pytest.raises(AppendixError, match="docs/ae.md: no such appendix"):
        appendix.find(tmp_path, "docs/ae.md")
    with pytest.raises(AppendixError, match="leaves the artifact"):
        appendix.find(tmp_path, "../../etc/passwd")


@pytest.mark.parametrize("data, message", [
    (b"%PDF-1.5\x00\x01binary", "paper.pdf line 1: contains a NUL byte"),
    (b"x" * (appendix.MAX_BYTES + 1), "paper.pdf: 1048577 bytes is too large"),
])
def test_binary_or_huge_appendix(data: bytes, message: str) -> None:
    with pytest.raises(AppendixError, match=message):
        appendix.decode(data, "paper.pdf")


def test_latin1_and_utf16_appendices_are_decoded() -> None:
    assert appendix.decode(b"caf\xe9 latin-1", "ae.tex") == "café latin-1"
    assert appendix.decode("## Abstract\r\nπ\r\n".encode("utf-16"), "a.md") == "## Abstract\nπ\n"
