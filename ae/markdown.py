"""The only Markdown user: render trusted Markdown to HTML."""

from __future__ import annotations

import html

import markdown as _markdown


def render(text: str) -> str:
    """Render Markdown (with tables and fenced code) to HTML."""
    return _markdown.markdown(text, extensions=["tables", "fenced_code", "sane_lists"])


def escape(value: object) -> str:
    """Escape a user-supplied value for inclusion in Markdown that will become HTML."""
    return html.escape(str(value), quote=False).replace("|", "\\|").replace("\n", " ")
