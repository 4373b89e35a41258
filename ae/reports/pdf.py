"""The only WeasyPrint user: HTML to PDF."""

from __future__ import annotations

from pathlib import Path

from ae.errors import AeError


class PdfUnavailable(AeError):
    """WeasyPrint cannot load its system libraries (Pango) on this machine."""


def write_pdf(html: str, path: Path) -> Path:
    """Render HTML to a PDF file (written to a temp name, then renamed)."""
    try:
        import weasyprint
    except OSError as exc:
        raise PdfUnavailable(f"PDF reports need the Pango library (libpango-1.0-0): {exc}") from exc
    tmp = path.with_suffix(".pdf.tmp")
    weasyprint.HTML(string=html).write_pdf(tmp)
    tmp.rename(path)
    return path
