"""Read a PDF back as poppler does: its text, its words' boxes, its pages as pictures; and say what
lies outside the printable area (the page less the report's margins)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from ae.reports.page import MARGINS_MM

POINTS_PER_MM = 72 / 25.4
#: Slack for glyph boxes that poppler draws a little wider than the text advance (points).
SLACK = 1.0
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
_COUNTER = re.compile(r"\d+|/")


@dataclass(frozen=True)
class Word:
    """One word poppler found, on a page, with its box in points from the top left."""

    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} (Debian package poppler-utils) is not installed")
    return found


def text(path: Path) -> str:
    """Return the text of a PDF in reading order, whitespace folded."""
    done = subprocess.run([_tool("pdftotext"), "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True, timeout=60)
    return " ".join(done.stdout.split())


def pages_and_words(path: Path) -> tuple[list[tuple[float, float]], list[Word]]:
    """Return each page's size (points) and every word's box."""
    done = subprocess.run([_tool("pdftotext"), "-bbox", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True, timeout=60)
    sizes, words = [], []
    for n, (width, height, body) in enumerate(_PAGE.findall(done.stdout)):
        sizes.append((float(width), float(height)))
        words += [Word(n, html.unescape(w[4]), *map(float, w[:4])) for w in _WORD.findall(body)]
    return sizes, words


def words_outside(path: Path) -> list[str]:
    """Return the words lying outside the printable area (the page counter in the footer excepted)."""
    top, right, bottom, left = (m * POINTS_PER_MM for m in MARGINS_MM)
    sizes, words = pages_and_words(path)
    assert sizes and words, "poppler read no page or no word"
    out = []
    for w in words:
        width, height = sizes[w.page]
        footer = w.y0 >= height - bottom and _COUNTER.fullmatch(w.text)
        inside = (w.x0 >= left - SLACK and w.x1 <= width - right + SLACK and w.y0 >= top - SLACK
                  and w.y1 <= height - bottom + SLACK)
        if not inside and not footer:
            out.append(f"page {w.page + 1}: {w.text!r} at x {w.x0:.1f}–{w.x1:.1f}, y {w.y0:.1f}–{w.y1:.1f} "
                       f"(page {width:.0f}×{height:.0f})")
    return out


def page_images(path: Path, out_dir: Path, dpi: int = 40) -> list[Path]:
    """Render every page to a PNG (pdftoppm) and return their paths in page order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([_tool("pdftoppm"), "-png", "-r", str(dpi), str(path), str(out_dir / "page")], check=True,
                   timeout=120, capture_output=True)
    return sorted(out_dir.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def inked_margins(pages: list[Path]) -> list[str]:
    """Return the pages whose side or top margins hold anything but white (table borders included)."""
    found = []
    for n, png in enumerate(pages, start=1):
        with Image.open(png) as image:
            gray = image.convert("L")
            width, height = gray.size
            per_mm = width / 210
            top, right, _, left = (int(m * per_mm) - 1 for m in MARGINS_MM)
            for name, box in (("left", (0, 0, left, height)), ("right", (width - right, 0, width, height)),
                              ("top", (0, 0, width, top))):
                darkest = gray.crop(box).getextrema()[0]
                if darkest < 250:
                    found.append(f"page {n}: ink in the {name} margin (darkest {darkest})")
    return found


def assert_inside(path: Path, tmp: Path) -> list[Path]:
    """Check no word and no ink lies outside the printable area; return the page images."""
    assert words_outside(path) == []
    pages = page_images(path, tmp)
    assert pages, "pdftoppm rendered no page"
    assert inked_margins(pages) == []
    return pages
