"""The `tms` command: thin wrappers over services, grouped by module."""

from __future__ import annotations

from importlib import import_module

import click
from flask import Flask
from flask.cli import FlaskGroup

# Each module exposes `commands`: a list of click commands or groups.
COMMAND_MODULES = (
    "tms.cli.documents",
    "tms.cli.accounts",
    "tms.cli.server",
    "tms.cli.export",
    "tms.cli.ops",
    "tms.cli.memory",
    "tms.cli.i18n",
)


def register_cli(app: Flask) -> None:
    """Add every command module's commands to the app's CLI."""
    for name in COMMAND_MODULES:
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        for command in module.commands:
            app.cli.add_command(command)


def _create_app() -> Flask:
    from tms import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False)
def main() -> None:
    """tms: translation management for the network's documents."""
