"""What every report page shares: the Jinja environment, the print style, the HTML shell, figures.

Rule: Markdown made from a template with escaped values becomes sanitised HTML (`ae.markdown`);
only then does this module add what it makes itself (table classes, SVG figures as data: images),
so nothing an author wrote can reach the page as markup. The print style keeps every line inside
the A4 text area: tables take the text width with fixed column widths and wrap long values anywhere,
tables of six columns or more use a smaller font.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass

import jinja2

from ae import markdown

ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("ae.reports", "templates"),
    autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)
ENV.filters["e"] = markdown.escape
ENV.filters["code"] = markdown.code_span

#: Column widths (%) of the report tables whose header is known; the others share the width evenly.
WIDTHS: dict[tuple[str, ...], tuple[int, ...]] = {
    ("Badge", "Requested", "Outcome", "Why"): (24, 11, 20, 45),
    ("Severity", "Finding", "Line"): (12, 78, 10),
    ("Claim", "Metric", "Claimed", "Measured (median)", "95 % CI of ratio", "Verdict"):
        (30, 20, 12, 12, 13, 13),
    ("Run", "Repetition", "Value", "Time from"): (25, 15, 25, 35),
    ("Program", "Command", "Dataset", "Repetitions", "Status", "Median time (s)", "Time from", "Failure"):
        (12, 11, 10, 12, 10, 9, 15, 21),
    ("Artifact", "Title", "Version", "Status", "Claims reproduced", "Recommended", "Decision", "Issued"):
        (10, 24, 7, 8, 10, 15, 10, 16),
}
#: Page margins (mm) of the PDF; tests check every word lies inside them.
MARGINS_MM = (18, 16, 18, 16)  # top, right, bottom, left
WIDE_COLUMNS = 6

CSS = f"""
@page {{ size: A4; margin: {MARGINS_MM[0]}mm {MARGINS_MM[1]}mm {MARGINS_MM[2]}mm {MARGINS_MM[3]}mm;
  @bottom-center {{ content: counter(page) " / " counter(pages); font-size: 7pt; color: #666; }} }}
body {{ font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 9pt; line-height: 1.35;
  color: #222; margin: 0; }}
@media screen {{ body {{ max-width: 62em; margin: 1.5em auto; padding: 0 1em; }} }}
h1 {{ font-size: 15pt; margin: 0 0 0.3em; }}
h2 {{ font-size: 12pt; border-bottom: 1px solid #ccc; margin: 1.1em 0 0.4em; break-after: avoid; }}
h3 {{ font-size: 10pt; margin: 0.8em 0 0.3em; break-after: avoid; }}
p, li, dd {{ overflow-wrap: anywhere; }}
table {{ border-collapse: collapse; margin: 0.5em 0; width: 100%; table-layout: fixed; }}
th, td {{ border: 1px solid #bbb; padding: 2px 4px; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }}
th {{ background: #f2f2f2; }}
table.wide {{ font-size: 7pt; }}
table.pairs th:first-child, table.pairs td:first-child {{ width: 26%; }}
table.pairs thead {{ display: none; }}
code {{ font-size: 0.92em; overflow-wrap: anywhere; word-break: break-all; white-space: pre-wrap; }}
figure {{ margin: 0.3em 0 0.8em; break-inside: avoid; }}
figure img {{ max-width: 100%; width: 11cm; }}
figcaption {{ font-size: 8pt; color: #555; }}
"""

_TABLE = re.compile(r"<table>\s*<thead>(.*?)</thead>", re.S)


@dataclass(frozen=True)
class Figure:
    """An SVG picture the service drew, shown where its section is."""

    caption: str
    svg: str


def render(text: str) -> str:
    """Render report Markdown to sanitised HTML with the report's table classes."""
    return _TABLE.sub(_classify, markdown.render(text))


def _classify(found: re.Match[str]) -> str:
    head = found.group(1)
    cells = tuple(c.strip() for c in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S))
    widths = WIDTHS.get(cells)
    columns = "" if widths is None else "<colgroup>" + "".join(
        f'<col style="width: {w}%">' for w in widths) + "</colgroup>\n"
    if len(cells) == 2 and not any(cells):
        kind = ' class="pairs"'
    elif len(cells) >= WIDE_COLUMNS:
        kind = ' class="wide"'
    else:
        kind = ""
    return f"<table{kind}>\n{columns}<thead>{head}</thead>"


def figure(number: int, item: Figure) -> str:
    """Return one figure as HTML: the SVG as a data: image (nothing to run or fetch) and its caption."""
    data = base64.b64encode(item.svg.encode()).decode()
    caption = html.escape(item.caption)
    return (f'<figure><img alt="{html.escape(item.caption, quote=True)}" src="data:image/svg+xml;base64,'
            f'{data}"><figcaption>Figure {number}: {caption}</figcaption></figure>\n')


def shell(title: str, body: str) -> str:
    """Return a standalone HTML page holding `body` (already safe HTML)."""
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}'
            f"</title><style>{CSS}</style></head><body>\n{body}\n</body></html>\n")
