"""`tms serve` (the production server) and `tms demo` (the one-command start)."""

from __future__ import annotations

import gc
import importlib.util
import os
import signal
import time
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from tms.cli.common import creating_database_errors, prepare_database
from tms.cli.documents import describe_report, import_file
from tms.db import first_line, get_engine, get_session, new_session
from tms.i18n import _
from tms.queries import lookup
from tms.queries import users as user_queries
from tms.services import accounts, importing, memory

DEMO_LANGUAGES = ("fr", "de", "ru", "uk", "es")
# When a sample exists in several formats, import only the first: the Markdown copy of a
# DOCX is for people who prefer Markdown, not a second document.
SAMPLE_PREFERENCE = (".docx", ".md", ".markdown", ".html", ".htm", ".txt")
ADMIN_PSEUDONYM = "admin"
# The sample documents are package data: in a checkout tms/data/samples is a link to the
# top-level source_docs/, and the build copies its files into the sdist and the wheel.
SAMPLES_DIR = Path(__file__).resolve().parents[1] / "data" / "samples"
SERVER_EXTRA = "pip install 'tms[server]'"


def default_workers(database_url: str) -> int:
    """One worker on SQLite (one writer at a time) or without gunicorn; more on a server
    database."""
    if database_url.startswith("sqlite") or not have_gunicorn():
        return 1
    return min(8, 2 * (os.cpu_count() or 1) + 1)


def have_gunicorn() -> bool:
    """Whether gunicorn (the `server` extra) is installed."""
    return importlib.util.find_spec("gunicorn") is not None


def serve(host: str, port: int, workers: int) -> None:
    """Run the app under gunicorn in this process until interrupted; without gunicorn, one
    worker runs on werkzeug's built-in server instead and several are refused."""
    if not have_gunicorn():
        if workers > 1:
            raise click.ClickException(_(
                "Several workers need gunicorn; install it with: %(command)s",
                command=SERVER_EXTRA))
        click.echo(_("gunicorn is not installed, so the built-in server answers one request "
                     "at a time (enough for a laptop); for a shared server install it with: "
                     "%(command)s", command=SERVER_EXTRA))
        serve_builtin(host, port)
        return
    serve_gunicorn(host, port, workers)


def warmed_app() -> Flask:
    """Build the app and read the translation memory into its index before any request,
    saying so in one log line; the first volunteer after a restart then waits for nothing."""
    from tms import create_app, warm_app

    app = create_app()
    started = time.monotonic()
    with app.app_context():
        try:
            with new_session() as session:
                units = memory.warm(session)
        except Exception as exc:  # a database not yet made: serve anyway, /readyz says 503
            click.echo(_("The translation memory was not read before serving (%(error)s); "
                         "the first lookup will read it.", error=first_line(exc)), err=True)
        else:
            seconds = round(time.monotonic() - started, 1)
            click.echo(_("Translation memory ready: %(n)s units indexed in %(s)s s.",
                         n=units, s=seconds))
        # No connection opened here may be shared by forked workers.
        get_engine().dispose()
    warm_app(app)
    # Objects made so far are never collected: the collector would otherwise write to every
    # page of the index it visits and undo the sharing between forked workers.
    gc.freeze()
    return app


def serve_builtin(host: str, port: int) -> None:
    """Run the app on werkzeug's server, one request at a time, until interrupted."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        """No access log and no client addresses, as under gunicorn."""

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            """Record nothing about a request."""

        def address_string(self) -> str:
            """Keep the client's address out of error lines."""
            return "-"

    def stop(_signum: int, _frame: object) -> None:
        """SIGTERM (systemd's stop, `kill`) ends the server as Ctrl+C does."""
        raise KeyboardInterrupt

    server = make_server(host, port, warmed_app(), threaded=False,
                         request_handler=QuietHandler)
    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def serve_gunicorn(host: str, port: int, workers: int) -> None:
    """Run the app under gunicorn in this process until interrupted."""
    from gunicorn.app.base import BaseApplication

    class TmsServer(BaseApplication):
        """gunicorn driven from Python, the app loaded before the workers fork."""

        def __init__(self, options: dict[str, Any]) -> None:
            self.options = options
            super().__init__()

        def load_config(self) -> None:
            """Hand our options to gunicorn (no config file, no command line)."""
            for key, value in self.options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            """Build and warm the app once, in the master: the workers fork from it and
            share its memory index (copy-on-write) instead of each building its own."""
            return warmed_app()

    TmsServer({
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        # TMS_PRELOAD=0: each worker builds its own app and index (more memory, for
        # comparison or when the master must stay small)
        "preload_app": os.environ.get("TMS_PRELOAD", "1") != "0",
        # a slow phone upload must not be killed mid-way; the proxy limits the rest
        "timeout": 120,
        "accesslog": None,  # minimal logs: volunteers' addresses are not recorded
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "tms",
    }).run()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", type=click.IntRange(1, 64),
              help="Worker processes (default: 1 on SQLite, more on PostgreSQL).")
@with_appcontext
def serve_command(host: str, port: int, workers: int | None) -> None:
    """Run the production web server (gunicorn, or the built-in one without it)."""
    workers = workers or default_workers(current_app.config["DATABASE_URL"])
    click.echo(_("Serving on http://%(host)s:%(port)s/ with %(n)s worker(s); Ctrl+C stops.",
                 host=host, port=port, n=workers))
    serve(host, port, workers)


def find_samples(folder: Path) -> list[Path]:
    """One file per sample in a folder, preferring DOCX over the other formats."""
    chosen: dict[str, Path] = {}
    rank = {ext: i for i, ext in enumerate(SAMPLE_PREFERENCE)}
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        ext = path.suffix.lower()
        if not path.is_file() or ext not in rank:
            continue
        best = chosen.get(path.stem)
        if best is None or rank[ext] < rank[best.suffix.lower()]:
            chosen[path.stem] = path
    return [chosen[stem] for stem in sorted(chosen)]


def samples_folder() -> Path:
    """The sample documents shipped with the package (source_docs/ in a checkout)."""
    return SAMPLES_DIR


def import_samples(folder: Path) -> list[importing.ImportReport]:
    """Import each sample whose slug is not a document yet."""
    reports = []
    for path in find_samples(folder):
        slug = importing.slug_from_filename(path.name)
        if lookup.document_by_slug(get_session(), slug) is not None:
            continue
        reports.append(import_file(path, slug=slug))
    return reports


def add_demo_languages() -> list[str]:
    """Add the demo's target languages that are missing; returns the codes added."""
    session = get_session()
    existing = {language.code for language in accounts.list_languages(session)}
    added = []
    for code in DEMO_LANGUAGES:
        if code not in existing:
            accounts.add_language(session, code)
            added.append(code)
    return added


def ensure_admin() -> str | None:
    """Create the account `admin` with a one-time password if there is no admin yet;
    returns that password (shown once), or None if an admin exists."""
    session = get_session()
    if user_queries.admin_exists(session):
        return None
    password = accounts.generate_password()
    accounts.create_user(session, ADMIN_PSEUDONYM, password, is_admin=True,
                         is_publisher=True, must_change_password=True)
    return password


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--samples", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of sample documents (default: the samples shipped with tms).")
@click.option("--no-serve", is_flag=True, help="Prepare everything, then stop.")
@with_appcontext
@creating_database_errors
def demo_command(host: str, port: int, samples: Path | None, no_serve: bool) -> None:
    """Set up a demo (database, samples, languages, an admin) and start the server."""
    prepare_database()
    session = get_session()
    folder = samples or samples_folder()
    reports = import_samples(folder)
    added = add_demo_languages()
    password = ensure_admin()
    session.commit()
    for report in reports:
        for line in describe_report(report):
            click.echo(line)
    if not reports:
        click.echo(_("No new samples to import from %(folder)s.", folder=folder))
    if added:
        click.echo(_("Languages added: %(codes)s.", codes=", ".join(added)))
    if password:
        click.echo(_("Administrator account: %(name)s, one-time password: %(password)s "
                     "(write it down now: it is shown only once and must be changed at the "
                     "first login).", name=ADMIN_PSEUDONYM, password=password))
    if no_serve:
        click.echo(_("Ready. Start the server with: tms serve"))
        return
    workers = default_workers(current_app.config["DATABASE_URL"])
    # the workers build their own app; connections opened here must not leak into forks
    session.close()
    get_engine().dispose()
    click.echo(_("Open http://%(host)s:%(port)s/ in a browser; Ctrl+C stops.",
                 host=host, port=port))
    serve(host, port, workers)


commands = [serve_command, demo_command]
