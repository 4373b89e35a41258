"""The thin Flask layer: identity (sessions, tokens, CSRF, rate limits), blueprints, error handlers.

Every view asks `ae.web.policy` through `ae.web.guard.require`; the one route outside it is
`/api/snapshots/<digest>`, which serves remote workers on the shared worker token.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Bind identity, register blueprints and error handlers."""
    from ae.web import (
        api,
        artifacts,
        auth,
        badges,
        bidding,
        chair,
        conference,
        errors,
        identity,
        pages,
        reports,
        review,
        solutions,
        submit,
        tournaments,
        workers,
    )

    identity.init_app(app)
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # a larger body is refused before it is read
        app.config["MAX_CONTENT_LENGTH"] = submit.body_cap(app.config)
    app.register_blueprint(pages.bp)
    app.register_blueprint(submit.bp)
    app.register_blueprint(artifacts.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(review.api_bp)
    app.register_blueprint(conference.bp)
    app.register_blueprint(chair.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(bidding.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(workers.bp)
    app.register_blueprint(tournaments.bp)
    app.register_blueprint(tournaments.api_bp)
    app.register_blueprint(badges.bp)
    app.register_blueprint(solutions.bp)
    identity.csrf.exempt(api.bp)  # the API changes nothing without a bearer token: no cookie, no CSRF
    identity.csrf.exempt(workers.bp)
    identity.csrf.exempt(review.api_bp)  # its writes need a bearer token (no cookie): no CSRF
    identity.csrf.exempt(solutions.bp)  # results need a bearer token: no cookie, no CSRF
    errors.register_error_handlers(app)
