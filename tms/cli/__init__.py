"""The `tms` command: thin wrappers over services, grouped by module."""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup

from tms import __version__
from tms.cli import accounts, documents, export, i18n, memory, ops, server

# Each module exposes `commands`: a list of click commands or groups.
COMMAND_MODULES = (documents, accounts, server, export, ops, memory, i18n)

# Flask's own options (--env-file, --app, --debug) configure a generic Flask app; tms
# builds its own app, so showing them would only invite mistakes.
_FLASK_OPTIONS = {"env_file", "app", "debug"}


class TmsGroup(FlaskGroup):
    """Flask's command group (app context for every command) without Flask's own options."""

    def __init__(self, **extra: Any) -> None:
        super().__init__(**extra)
        self.params = [p for p in self.params if p.name not in _FLASK_OPTIONS]

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse as a plain click group: the skipped Flask options need no early loading."""
        return click.Group.parse_args(self, ctx, args)


def register_cli(app: Flask) -> None:
    """Add every command module's commands to the app's CLI."""
    for module in COMMAND_MODULES:
        for command in module.commands:
            app.cli.add_command(command)


def _create_app() -> Flask:
    """The app for a command; a missing database driver is one sentence, not a traceback."""
    from tms import create_app
    from tms.orm import MissingDriver

    try:
        return create_app()
    except MissingDriver as exc:
        raise click.ClickException(exc.message) from exc


@click.group(cls=TmsGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False)
@click.version_option(__version__, prog_name="tms", message="%(prog)s %(version)s")
def main() -> None:
    """tms: translation management for the network's documents."""
