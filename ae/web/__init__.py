"""The thin Flask layer: identity (sessions, tokens, CSRF, rate limits), blueprints, error handlers.

Every view asks `ae.web.policy` through `ae.web.guard.require`; the one route outside it is
`/api/snapshots/<digest>`, which serves remote workers on the shared worker token.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Bind identity, register blueprints and error handlers."""
    from ae.web import api, auth, errors, identity, pages, workers

    identity.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(workers.bp)
    identity.csrf.exempt(api.bp)  # the API changes nothing without a bearer token: no cookie, no CSRF
    identity.csrf.exempt(workers.bp)
    errors.register_error_handlers(app)
