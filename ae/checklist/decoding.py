"""Turn uploaded bytes into appendix text, refusing what is not text."""

from __future__ import annotations

import re

from ae.errors import AppendixError

_CONTROL_RE = re.compile(r"[\x01-\x08\x0e-\x1f]")


def decode_appendix(data: str | bytes, filename: str = "appendix") -> str:
    """Return the text of an appendix; AppendixError naming the file when it is not text."""
    if isinstance(data, bytes | bytearray):
        raw = bytes(data)
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise AppendixError(
                f"{filename} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
                f"{exc.start}); save the appendix as UTF-8 Markdown or LaTeX"
            ) from exc
    else:
        text = data
    check_text(text, filename)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_text(text: str, filename: str = "appendix") -> None:
    """Raise AppendixError when a string holds NUL bytes or is mostly control characters."""
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise AppendixError(
            f"{filename} line {line}: contains a NUL byte, so it is binary, not an appendix text"
        )
    sample = text[:65536]
    if sample:
        control = len(_CONTROL_RE.findall(sample))
        if control > 8 and control / len(sample) > 0.05:
            raise AppendixError(
                f"{filename} looks binary ({control} control characters in its first "
                f"{len(sample)}); upload the appendix as Markdown or LaTeX text"
            )
