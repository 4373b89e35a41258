"""Map domain errors to HTTP responses (JSON for the API, text otherwise)."""

from __future__ import annotations

from flask import Flask, jsonify, request

from ae.errors import AeError


def register_error_handlers(app: Flask) -> None:
    """Turn AeError into a response with its HTTP status and message."""

    @app.errorhandler(AeError)
    def _ae_error(exc: AeError):  # type: ignore[no-untyped-def]
        if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
            return jsonify(error=str(exc), kind=type(exc).__name__), exc.http_status
        return f"Error: {exc}\n", exc.http_status, {"Content-Type": "text/plain; charset=utf-8"}
