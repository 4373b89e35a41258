"""Uploaded bytes: UTF-8, UTF-16/32 with a byte-order mark, UTF-16 without one, 8-bit text; the cap."""

from __future__ import annotations

import pytest

from ae.checklist import lint
from ae.checklist.decoding import MAX_APPENDIX_BYTES, read_appendix
from ae.errors import AppendixError, AppendixTooLarge

TEXT = "## Abstract\n\nCafé « naïve » résumé — 5 µs.\n"


@pytest.mark.parametrize(("codec", "label"), [
    ("utf-16", "UTF-16 LE"), ("utf-16-be", "UTF-16 BE"), ("utf-32", "UTF-32 LE"),
])
def test_byte_order_marks_are_decoded_with_a_note(codec: str, label: str) -> None:
    data = TEXT.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    decoded = read_appendix(data, "ae.md")
    assert decoded.text == TEXT and decoded.encoding == label
    report = lint(data, filename="ae.md")
    assert report.encoding == label
    (note,) = [f for f in report.findings if f.code == "encoding"]
    assert note.severity == "info" and label in note.message and note.line == 1


def test_utf16_without_byte_order_mark() -> None:
    decoded = read_appendix(TEXT.encode("utf-16-le"), "ae.md")
    assert decoded.text == TEXT and decoded.encoding == "UTF-16 LE"


@pytest.mark.parametrize(("data", "label", "text"), [
    ("Café résumé".encode("latin-1"), "Windows-1252", "Café résumé"),
    (b"\x93smart quotes\x94", "Windows-1252", "\u201csmart quotes\u201d"),
    (b"caf\xe9 \x81", "Latin-1", "café \x81"),
])
def test_eight_bit_text_is_decoded_with_a_note(data: bytes, label: str, text: str) -> None:
    decoded = read_appendix(data, "ae.tex")
    assert decoded.text == text and decoded.encoding == label
    assert decoded.note is not None and "is not UTF-8" in decoded.note


def test_utf8_and_its_bom_need_no_note() -> None:
    for data in (TEXT.encode(), b"\xef\xbb\xbf" + TEXT.encode()):
        decoded = read_appendix(data, "ae.md")
        assert decoded.text == TEXT and decoded.note is None


def test_a_broken_byte_order_mark_is_refused() -> None:
    with pytest.raises(AppendixError, match="UTF-16 LE byte-order mark but is not UTF-16 LE"):
        read_appendix(b"\xff\xfe\x00\xd8", "ae.md")


def test_the_cap_counts_bytes_for_bytes_and_text() -> None:
    with pytest.raises(AppendixTooLarge, match="at most 1,048,576 bytes"):
        read_appendix(b"x" * (MAX_APPENDIX_BYTES + 1), "ae.md")
    with pytest.raises(AppendixTooLarge):
        read_appendix("é" * (MAX_APPENDIX_BYTES // 2 + 1), "ae.md")
    assert read_appendix("x" * 10, "ae.md", max_bytes=10).text == "x" * 10
    assert read_appendix("x" * (MAX_APPENDIX_BYTES + 1), "ae.md", max_bytes=None).text
