"""The PDF renderer fetches nothing a report names: a URL in a report comes from an author."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

from ae.reports.pdf import write_pdf


def test_a_report_naming_a_url_makes_no_request(tmp_path: Path) -> None:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        page = (f'<html><head><link rel="stylesheet" href="{base}/style.css"></head><body>'
                f'<p>claims</p><img src="{base}/pixel.png"><p style="background:url({base}/bg.png)">x</p>'
                "</body></html>")
        out = write_pdf(page, tmp_path / "report.pdf")
    finally:
        server.shutdown()
        server.server_close()
    assert out.read_bytes().startswith(b"%PDF")
    assert hits == [], f"the renderer contacted {hits}"
