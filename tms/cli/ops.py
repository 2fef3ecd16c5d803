"""`tms backup` and `tms restore`: thin wrappers over tms.services.backup."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from tms.cli.common import service_errors
from tms.db import get_engine, get_session
from tms.i18n import _
from tms.services import backup as backup_service


@click.command("backup")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Backup file to write (default: instance/backups/tms-<time>).")
@with_appcontext
@service_errors
def backup_command(out: Path | None) -> None:
    """Write a consistent copy of the whole database to a file."""
    engine = get_engine()
    target = out or backup_service.default_filename(
        engine, Path(current_app.config["INSTANCE_DIR"]) / "backups")
    written = backup_service.backup(engine, target)
    click.echo(_("Backup written to %(file)s (%(size)s bytes). It holds personal data: "
                 "keep it somewhere safe.", file=written, size=written.stat().st_size))


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
@service_errors
def restore_command(file: Path, yes: bool) -> None:
    """Replace the whole database with a backup made by `tms backup`."""
    if not yes:
        click.confirm(_("This replaces everything in the database with the backup %(file)s. "
                        "Continue?", file=file.name), abort=True)
    session = get_session()
    session.rollback()
    session.close()
    backup_service.restore(get_engine(), file)
    click.echo(_("The database was restored from %(file)s.", file=file.name))


commands = [backup_command, restore_command]
