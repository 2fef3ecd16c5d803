"""Database schema upgrades with Alembic, configured in code (no alembic.ini on disk).

The migration scripts live inside the package (tms/migrations), so `pip install .` carries
them and `tms init` works from any directory. After a model change, write a revision:
`python -m tms.migrate revision "add x" 0002` (or, before the first release,
`python -m tms.migrate regenerate-initial`), then review it.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

from tms.orm import make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config pointing at the package's migrations, optionally on a connection."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The newest revision the code knows."""
    rev = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert rev is not None
    return rev


def _engine(target: str | Engine) -> tuple[Engine, bool]:
    if isinstance(target, Engine):
        return target, False
    return make_engine(target), True


def upgrade(target: str | Engine, revision: str = "head") -> str | None:
    """Create or upgrade the schema of a database URL (or engine); returns its revision.

    A database made by `Base.metadata.create_all` (no alembic_version table, tables
    present) is stamped at head instead of being created twice.
    """
    engine, owned = _engine(target)
    try:
        with engine.begin() as conn:
            names = set(inspect(conn).get_table_names())
            cfg = alembic_config(conn)
            if "alembic_version" not in names and "document" in names:
                command.stamp(cfg, revision)
            else:
                command.upgrade(cfg, revision)
        return current(engine)
    finally:
        if owned:
            engine.dispose()


def downgrade(target: str | Engine, revision: str) -> None:
    """Downgrade a database to a revision ("base" drops every table)."""
    engine, owned = _engine(target)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), revision)
    finally:
        if owned:
            engine.dispose()


def current(target: str | Engine) -> str | None:
    """The revision a database is at, or None if it has never been migrated."""
    engine, owned = _engine(target)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        if owned:
            engine.dispose()


def autogenerate(message: str, rev_id: str, url: str | None = None) -> None:
    """Write a new revision comparing the models with a database at head (developer tool).

    Without a URL an empty temporary SQLite database is used; review the script after.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(url or f"sqlite:///{Path(tmp) / 'autogen.sqlite3'}")
        try:
            with engine.begin() as conn:
                cfg = alembic_config(conn)
                command.upgrade(cfg, "head")
                command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id)
        finally:
            engine.dispose()


def regenerate_initial() -> Path:
    """Rewrite versions/0001_initial.py from the models (allowed while the project has
    no deployed databases); returns its path. Review the result before committing."""
    import shutil
    import subprocess

    path = MIGRATIONS_DIR / "versions" / "0001_initial.py"
    path.unlink(missing_ok=True)
    autogenerate("initial", "0001")
    ruff = shutil.which("ruff")
    if ruff:
        subprocess.run([ruff, "format", "--quiet", str(path)], check=False)
    return path


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["regenerate-initial"]:
        print(regenerate_initial())
    elif len(sys.argv) == 4 and sys.argv[1] == "revision":
        autogenerate(sys.argv[2], sys.argv[3])
    else:
        print("usage: python -m tms.migrate regenerate-initial | revision MESSAGE REV_ID")
        sys.exit(2)
