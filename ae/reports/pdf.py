"""The only WeasyPrint user: HTML to PDF."""

from __future__ import annotations

from pathlib import Path


def write_pdf(html: str, path: Path) -> Path:
    """Render HTML to a PDF file (written to a temp name, then renamed)."""
    import weasyprint

    tmp = path.with_suffix(".pdf.tmp")
    weasyprint.HTML(string=html).write_pdf(tmp)
    tmp.rename(path)
    return path
