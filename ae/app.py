"""The application factory: configuration and one init_app() per subsystem, nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from ae import config as ae_config


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the Flask app: defaults, instance config.py, AE_* environment, then test_config."""
    instance = (test_config or {}).get("INSTANCE_PATH") or ae_config.instance_path_from_env()
    app = Flask(
        "ae",
        instance_path=str(Path(instance).resolve()) if instance else None,
        instance_relative_config=True,
        template_folder="web/templates",
    )
    app.config.from_mapping(ae_config.defaults(Path(app.instance_path)))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("AE")
    if test_config:
        app.config.from_mapping(test_config)
    ae_config.check(app.config, debug=app.debug)

    from ae import conferences
    from ae.storage import db
    from ae.web import init_app as init_web
    from ae.workers import queue

    db.init_app(app)
    queue.init_app(app)
    conferences.init_app(app)
    init_web(app)
    return app
