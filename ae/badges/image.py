"""SVG badge images that carry their credential (Open Badges 3.0 baking: `openbadges:credential`)."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from ae.badges.schemes import Scheme

NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
_BAKED = re.compile(r"<openbadges:credential[^>]*>\s*(?:<!\[CDATA\[)?\s*([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\."
                    r"[A-Za-z0-9_\-]+)\s*(?:\]\]>)?\s*</openbadges:credential>")
_JWT = re.compile(r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+$")


def _width(text: str) -> int:
    return 12 + 7 * len(text)


def svg(scheme: Scheme, badge: str, token: str | None = None, revoked: bool = False) -> str:
    """Return a badge image: the scheme on the left, the badge on the right, the credential inside."""
    entry = scheme.badge(badge)
    left = f"{scheme.label.split()[0]} v{scheme.version}"
    right = entry.title + (" (revoked)" if revoked else "")
    lw, rw = _width(left), _width(right)
    color = "#9e9e9e" if revoked else entry.color
    if token is not None and not _JWT.match(token):
        raise ValueError("the credential to bake is not a compact JWT")
    baked = (f'<openbadges:credential><![CDATA[{token}]]></openbadges:credential>' if token else "")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{NAMESPACE}" width="{lw + rw}" '
        f'height="20" role="img" aria-label="{escape(left)}: {escape(right)}">'
        f'{baked}<title>{escape(left)}: {escape(right)}</title>'
        f'<rect width="{lw}" height="20" fill="#555"/>'
        f'<rect x="{lw}" width="{rw}" height="20" fill="{color}"/>'
        f'<g fill="#fff" font-family="DejaVu Sans,Verdana,sans-serif" font-size="11">'
        f'<text x="6" y="14">{escape(left)}</text><text x="{lw + 6}" y="14">{escape(right)}</text></g></svg>'
    )


def baked_credential(text: str) -> str:
    """Return the credential JWT baked into an SVG (or the text itself if it is a JWT); ValueError if none."""
    stripped = text.strip()
    if _JWT.match(stripped):
        return stripped
    found = _BAKED.search(text)
    if found is None:
        raise ValueError("no badge credential found: expected a JWT or an SVG with <openbadges:credential>")
    return found.group(1)
