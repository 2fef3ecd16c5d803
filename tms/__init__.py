"""tms: translation management for the network's foundational documents."""

from __future__ import annotations

from typing import Any

from flask import Flask

# pyproject.toml is the one source of the version; the installed metadata carries it.
from tms.version import __version__ as __version__


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app: config from the environment, then test overrides."""
    from tms import db
    from tms.config import load_config
    from tms.web import init_web

    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(load_config())
    if test_config:
        app.config.from_mapping(test_config)
    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    db.init_app(app)
    init_web(app)

    from tms.cli import register_cli

    register_cli(app)
    return app


def warm_app(app: Flask) -> None:
    """Load the interface's catalogues, language names and templates now, before a server
    forks its workers (tms.web.warm)."""
    from tms.web import warm

    warm(app)
