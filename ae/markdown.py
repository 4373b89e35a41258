"""The only Markdown user: render Markdown to sanitised HTML, and escape values put into Markdown.

Rule: whatever `render` returns is safe to put in a page, whoever wrote the Markdown (an author's
appendix, a finding quoting it, a report made from a trusted template with user values in it).
Python-Markdown passes raw HTML through, so its output goes through nh3 with a short allow-list:
text structure, tables, code and links (http, https, mailto, or relative). No images: an image
from an author's host would tell the author who reads the appendix (evaluators are anonymous)
and would be fetched by the PDF renderer on the worker. No style, no classes, no scripts, no
comments; links get `rel="noopener noreferrer nofollow"`.
"""

from __future__ import annotations

import html
import re

import markdown as _markdown
import nh3

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "dl", "dt", "em", "h1",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "samp", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
})
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}, "td": {"align"},
              "th": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_PARAGRAPH = re.compile(r"\A<p>(.*)</p>\Z", re.DOTALL)
_HEADING = re.compile(r"<(/?)h([1-6])>")  # as nh3 writes them: headings keep no attributes
_INLINE = re.compile(r"[\\`*_\[\]!|{}]")
_LINE_START = re.compile(r"^(\s*)(#|[+-](?=[\s+-]|$))")
_ORDERED = re.compile(r"^(\s*\d+)\.(?=\s|$)")


def render(text: str, *, heading_offset: int = 0) -> str:
    """Render Markdown (with tables and fenced code) to sanitised HTML.

    `heading_offset` moves headings down (1: `#` becomes <h2>, never below <h6>), for Markdown
    shown inside a page that has its own headings.
    """
    html = sanitize(_markdown.markdown(text, extensions=["tables", "fenced_code", "sane_lists"]))
    if heading_offset:
        html = _HEADING.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) + heading_offset)}>", html)
    return html


def render_inline(text: str) -> str:
    """Render one line of Markdown (a finding's message, say) without its enclosing paragraph."""
    rendered = render(text).strip()
    found = _PARAGRAPH.match(rendered)
    return found.group(1) if found and "<p>" not in found.group(1) else rendered


def sanitize(fragment: str) -> str:
    """Return an HTML fragment with every tag, attribute and URL scheme not allowed removed."""
    return nh3.clean(fragment, tags=set(TAGS), attributes={k: set(v) for k, v in ATTRIBUTES.items()},
                     url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer nofollow",
                     clean_content_tags={"script", "style"}, strip_comments=True)


def escape(value: object) -> str:
    """Escape a user-supplied value for inclusion in Markdown that will become HTML.

    Rule: the value shows as the same text, whatever it holds. HTML is escaped; every character
    Markdown (or its tables) gives a meaning inside a line is backslash-escaped, the backslash first
    (so `\\|` cannot close a table cell); a line-start marker (`#`, `-`, `+`, `1.`) is escaped
    too, and line breaks become spaces. Put it in running text or a table cell, never in a code
    span (Markdown does not unescape there): `code_span` does that job.
    """
    text = html.escape(str(value).replace("\r", " ").replace("\n", " "), quote=False)
    text = _INLINE.sub(r"\\\g<0>", text)
    text = _ORDERED.sub(r"\g<1>\\.", text)
    return _LINE_START.sub(r"\g<1>\\\g<2>", text)


def code_span(value: object) -> str:
    """Return a user-supplied value as a Markdown code span, shown exactly as it is.

    Markdown escapes HTML inside a code span itself and takes backslashes there literally (a table
    keeps a `|` in one), so the text goes in raw, fenced by more backticks than it holds in a row.
    """
    text = str(value).replace("\r", " ").replace("\n", " ")
    if not text.strip():
        return "` `" if text else ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
