"""Backup and restore of the whole database, with the database's own tools.

SQLite: the sqlite3 online backup API (a consistent copy while the app keeps running).
PostgreSQL: `pg_dump -Fc` and `pg_restore --clean` into the configured database.
Unlike other services these work on the Engine, not a Session: a backup is a copy of the
whole database, outside any one transaction. Backups hold personal data (pseudonyms,
password hashes, texts), so the files are written readable by their owner only.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from tms.i18n import _
from tms.services import memory
from tms.services.errors import ServiceError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# A table every tms database has: a file without it is not a tms backup.
MARKER_TABLE = "user_account"


class BackupError(ServiceError):
    """A refused or failed backup or restore; `message` is translated and safe to show."""


def kind_of(engine: Engine) -> str:
    """"sqlite" or "postgresql"; other databases are refused with one sentence."""
    name = engine.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise BackupError(_("Backups are supported on SQLite and PostgreSQL, not %(name)s.",
                            name=name))
    return name


def default_filename(engine: Engine, folder: str | Path) -> Path:
    """instance/backups/tms-<UTC time>.sqlite3 (or .dump for PostgreSQL)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    ext = ".sqlite3" if kind_of(engine) == "sqlite" else ".dump"
    return Path(folder) / f"tms-{stamp}{ext}"


def backup(engine: Engine, out: str | Path) -> Path:
    """Write a consistent copy of the whole database to `out` (replaced atomically)."""
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".tms-backup-", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        os.chmod(tmp, 0o600)
        if kind_of(engine) == "sqlite":
            _sqlite_backup(engine, tmp)
        else:
            _pg_run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                     "--file", str(tmp)], engine.url)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def restore(engine: Engine, source: str | Path) -> None:
    """Replace the whole database with a backup file made by `backup`."""
    path = Path(source)
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise BackupError(_("%(file)s could not be read: %(reason)s.", file=path.name,
                            reason=exc.strerror or type(exc).__name__)) from exc
    kind = kind_of(engine)
    if kind == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(_("%(file)s is not a SQLite backup made by “tms backup”.",
                                file=path.name))
        _check_sqlite_backup(path)
        # pooled connections would keep reading pages cached from before the restore
        engine.dispose()
        _sqlite_restore(engine, path)
    else:
        if not head.startswith(PG_DUMP_MAGIC):
            raise BackupError(_("%(file)s is not a PostgreSQL backup made by “tms backup” "
                                "(pg_dump custom format).", file=path.name))
        # pg_restore --clean drops tables: our own idle connections must not hold locks
        engine.dispose()
        _pg_run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                 "--single-transaction", "--exit-on-error", str(path)], engine.url,
                database_flag=True)
    engine.dispose()
    # the in-process memory index describes the old rows
    memory.reset_indexes()


def _sqlite_backup(engine: Engine, tmp: Path) -> None:
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        dest = sqlite3.connect(tmp)
        try:
            source.backup(dest)  # type: ignore[union-attr]
        finally:
            dest.close()
    finally:
        raw.close()


def _check_sqlite_backup(path: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()
            has_marker = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (MARKER_TABLE,)
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(_("%(file)s is damaged: %(reason)s.", file=path.name,
                            reason=str(exc))) from exc
    if not ok or ok[0] != "ok":
        raise BackupError(_("%(file)s is damaged (the SQLite integrity check failed).",
                            file=path.name))
    if not has_marker:
        raise BackupError(_("%(file)s is a SQLite database but not a tms backup.",
                            file=path.name))


def _sqlite_restore(engine: Engine, path: Path) -> None:
    raw = engine.raw_connection()
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            # the backup API copies every page in one step, under the destination's lock
            source.backup(raw.driver_connection)  # type: ignore[arg-type]
        finally:
            source.close()
    finally:
        raw.close()


def _pg_run(args: list[str], url: URL, *, database_flag: bool = False) -> None:
    """Run pg_dump / pg_restore against the database of `url` (password via PGPASSWORD)."""
    program = args[0]
    if shutil.which(program) is None:
        raise BackupError(_("%(program)s is not installed; install the PostgreSQL client "
                            "tools (Debian: postgresql-client).", program=program))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)  # never on the command line (visible in ps)
    conn = []
    if url.host:
        conn += ["--host", url.host]
    if url.port:
        conn += ["--port", str(url.port)]
    if url.username:
        conn += ["--username", url.username]
    conn += ["--no-password"]
    database = url.database or ""
    if database_flag:
        conn += ["--dbname", database]
        command = [program, *conn, *args[1:]]
    else:
        command = [program, *conn, *args[1:], database]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or [str(result.returncode)])[0]
        raise BackupError(_("%(program)s failed: %(reason)s", program=program,
                            reason=detail))
