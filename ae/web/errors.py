"""Map domain errors to HTTP responses: RFC 9457 problem details for the API, pages otherwise."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, make_response, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from ae.errors import AeError, Unauthorized
from ae.web.guard import wants_json

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, kind: str = "about:blank") -> Any:
    """Return an application/problem+json response."""
    response = jsonify(type=kind, title=title, status=status, detail=detail)
    response.status_code = status
    response.content_type = PROBLEM
    return response


def register_error_handlers(app: Flask) -> None:
    """Turn AeError (and HTTP errors of the API) into responses with their status and message."""

    @app.errorhandler(AeError)
    def _ae_error(exc: AeError) -> Any:
        if wants_json():
            response = problem(exc.http_status, type(exc).__name__, str(exc))
            if getattr(exc, "retry_after", None):  # Overloaded: when to come back
                response.headers["Retry-After"] = str(exc.retry_after)  # type: ignore[attr-defined]
            return response
        if isinstance(exc, Unauthorized) and request.method in ("GET", "HEAD"):  # a HEAD is a GET
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return render_template("error.html", status=exc.http_status, message=str(exc)), exc.http_status

    app.register_error_handler(HTTPException, _http_error)  # every Werkzeug/Flask-Limiter error
    app.register_error_handler(500, _http_error)  # and an unhandled exception, as a 500


def _http_error(exc: Any) -> Any:
    status = getattr(exc, "code", 500) or 500
    title = getattr(exc, "name", "Error")
    detail = getattr(exc, "description", "") or title
    if status == 429:
        detail = f"too many requests: {detail}; try again later"
    if wants_json():
        response = problem(status, title, str(detail))
    else:
        response = make_response(render_template("error.html", status=status, message=str(detail)), status)
    if isinstance(exc, HTTPException):  # keep what the error says beyond its body: Allow, Retry-After
        response.headers.extend((k, v) for k, v in exc.get_headers() if k.lower() != "content-type")
    return response
