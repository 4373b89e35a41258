"""The thin Flask layer: blueprints and error handlers."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register blueprints and error handlers."""
    from ae.web import api, errors, pages, workers

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(workers.bp)
    errors.register_error_handlers(app)
