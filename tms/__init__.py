"""tms: translation management for the network's foundational documents."""

from __future__ import annotations

from typing import Any

from flask import Flask

__version__ = "0.1.0"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app: config from the environment, then test overrides."""
    from tms import db
    from tms.config import load_config
    from tms.web import init_web

    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(load_config())
    if test_config:
        app.config.from_mapping(test_config)
    db.init_app(app)
    init_web(app)

    from tms.cli import register_cli

    register_cli(app)
    return app
