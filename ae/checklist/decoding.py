"""Turn an uploaded appendix into text: size cap, encodings, and refusing what is not text.

Rule: an appendix is at most `MAX_APPENDIX_BYTES` (1 MiB; the service setting
AE_MAX_APPENDIX_BYTES) as encoded. UTF-8 (with or without byte-order mark) is read as is; UTF-16
and UTF-32 with a byte-order mark, UTF-16 without one (every other byte NUL) and 8-bit text
(Windows-1252, else Latin-1) are decoded and a note says so. NUL bytes in anything else, or text
that is mostly control characters, is refused: that is a binary file, not an appendix.
"""

from __future__ import annotations

from dataclasses import dataclass

from ae.checklist.patterns import lazy
from ae.errors import AppendixError, AppendixTooLarge

MAX_APPENDIX_BYTES = 1 << 20

_CONTROL_RE = lazy(r"[\x01-\x08\x0e-\x1f\x7f-\x9f]")
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32 LE"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32 BE"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xff\xfe", "utf-16-le", "UTF-16 LE"),
    (b"\xfe\xff", "utf-16-be", "UTF-16 BE"),
)


@dataclass(frozen=True)
class Decoded:
    """Appendix text, the encoding it was read in and a note when that was not UTF-8."""

    text: str
    encoding: str = "UTF-8"
    note: str | None = None


def decode_appendix(data: str | bytes, filename: str = "appendix", *,
                    max_bytes: int | None = MAX_APPENDIX_BYTES) -> str:
    """Return the text of an appendix; AppendixError naming the file when it cannot be one."""
    return read_appendix(data, filename, max_bytes=max_bytes).text


def read_appendix(data: str | bytes, filename: str = "appendix", *,
                  max_bytes: int | None = MAX_APPENDIX_BYTES) -> Decoded:
    """Return the decoded appendix with its encoding; refuse oversized or binary input."""
    if isinstance(data, bytes | bytearray):
        check_size(len(data), filename, max_bytes)
        decoded = _decode(bytes(data), filename)
    else:
        if max_bytes is not None and len(data) > max_bytes // 4:
            check_size(len(data.encode("utf-8", "surrogatepass")), filename, max_bytes)
        decoded = Decoded(data)
    check_text(decoded.text, filename)
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    return Decoded(text, decoded.encoding, decoded.note)


def check_size(size: int, filename: str, max_bytes: int | None = MAX_APPENDIX_BYTES) -> None:
    """Raise AppendixTooLarge when an appendix of `size` bytes is over the cap."""
    if max_bytes is not None and size > max_bytes:
        raise AppendixTooLarge(
            f"{filename} is {size:,} bytes; an appendix may be at most {max_bytes:,} bytes "
            f"(AE_MAX_APPENDIX_BYTES): move long listings and logs into the artifact"
        )


def _decode(raw: bytes, filename: str) -> Decoded:
    for bom, codec, label in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                raise AppendixError(
                    f"{filename} starts with a {label} byte-order mark but is not {label} text "
                    f"(offset {exc.start + len(bom)}); save the appendix as UTF-8"
                ) from exc
            note = None if codec == "utf-8" else (
                f"{filename} was decoded from {label} (byte-order mark); the service keeps it "
                f"as UTF-8")
            return Decoded(text, label, note)
    if b"\x00" in raw:
        utf16 = _utf16_without_bom(raw)
        if utf16 is not None:
            return utf16
        return Decoded(raw.decode("latin-1"))  # check_text names the NUL byte's line
    try:
        return Decoded(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        where = f"byte 0x{raw[exc.start]:02x} at offset {exc.start}"
    for codec, label in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        return Decoded(text, label, f"{filename} is not UTF-8 ({where}); it was decoded as "
                                    f"{label}: check accented letters and save it as UTF-8")
    raise AppendixError(f"{filename} is not text")  # pragma: no cover - Latin-1 decodes all


def _utf16_without_bom(raw: bytes) -> Decoded | None:
    """Read UTF-16 without a byte-order mark: NUL on every other byte of mostly ASCII text."""
    if len(raw) < 4 or len(raw) % 2:
        return None
    sample = raw[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    for zeros, codec, label in ((odd, "utf-16-le", "UTF-16 LE"), (even, "utf-16-be", "UTF-16 BE")):
        if zeros >= 0.9 * half:
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError:
                return None
            return Decoded(text, label, f"{label} without byte-order mark was decoded; the "
                                        f"service keeps it as UTF-8")
    return None


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
