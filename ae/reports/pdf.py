"""The only WeasyPrint user: HTML to PDF."""

from __future__ import annotations

from pathlib import Path

from ae.errors import AeError
from ae.files import atomic


class PdfUnavailable(AeError):
    """WeasyPrint cannot load its system libraries (Pango) on this machine."""


def render_pdf(html: str) -> bytes:
    """Render HTML to PDF bytes; nothing is fetched."""
    try:
        import weasyprint
    except OSError as exc:
        raise PdfUnavailable(f"PDF reports need the Pango library (libpango-1.0-0): {exc}") from exc
    from weasyprint.urls import URLFetcher

    # reports embed what they show (CSS, SVG): a URL in one comes from an author, and the worker
    # rendering the PDF must neither contact it nor read a file:// path of its own disk
    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    data: bytes = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    return data


def write_pdf(html: str, path: Path) -> Path:
    """Render HTML to a PDF file (written to a temp name, then renamed); nothing is fetched."""
    atomic.write_bytes(path, render_pdf(html))
    return path
