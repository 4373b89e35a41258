"""Revocation published as a W3C Bitstring Status List: one bit per issued credential, 1 = revoked."""

from __future__ import annotations

import base64
import gzip
import zlib
from collections.abc import Iterable

MAX_BYTES = 1 << 22  # a list inflating past this is refused
SIZE = 131_072  # bits: the specification's minimum, so that a list says little about any one holder


def encode(revoked: Iterable[int], size: int = SIZE) -> str:
    """Return the multibase (base64url, prefix "u") GZIP-compressed bitstring with `revoked` set."""
    bits = bytearray(size // 8)
    for index in revoked:
        if not 0 <= index < size:
            raise ValueError(f"status index {index} is outside the list (0..{size - 1})")
        bits[index // 8] |= 0x80 >> (index % 8)  # the first index is the left-most bit
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def is_set(encoded: str, index: int) -> bool:
    """Tell whether bit `index` of an encoded list is set; ValueError if the list is malformed."""
    if not encoded.startswith("u"):
        raise ValueError("the status list is not multibase base64url (it must start with 'u')")
    body = encoded[1:]
    inflate = zlib.decompressobj(wbits=31)  # gzip, inflated only up to a cap
    try:
        bits = inflate.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)), MAX_BYTES)
    except (ValueError, zlib.error) as exc:
        raise ValueError(f"the status list cannot be decoded: {exc}") from exc
    if inflate.unconsumed_tail:
        raise ValueError(f"the status list is larger than {MAX_BYTES} bytes")
    if not 0 <= index < len(bits) * 8:
        raise ValueError(f"status index {index} is outside the list (0..{len(bits) * 8 - 1})")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))
