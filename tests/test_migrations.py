"""The Alembic migrations build exactly the schema tms.models describes.

If this fails after a model change, the model gained something without a migration:
write one (tms.migrate.autogenerate) and review it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, make_url, text

import tms.models  # noqa: F401  (registers the tables)
from tms import migrate
from tms.orm import Base, make_engine


def _postgres_url() -> str | None:
    url = os.environ.get("TMS_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a throw-away PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
        return
    base = _postgres_url()
    if base is None:
        pytest.skip("set TMS_DATABASE_URL to a PostgreSQL URL to check migrations there")
    name = f"tms_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(ctx, Base.metadata)
    finally:
        engine.dispose()


def test_upgrade_builds_the_models_schema(empty_url: str) -> None:
    assert migrate.current(empty_url) is None
    assert migrate.upgrade(empty_url) == migrate.head()
    assert _differences(empty_url) == []


def test_upgrade_is_idempotent_and_downgrade_drops_everything(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    assert migrate.upgrade(empty_url) == migrate.head()
    migrate.downgrade(empty_url, "base")
    assert migrate.current(empty_url) is None
    engine = make_engine(empty_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    migrate.upgrade(empty_url)
    assert _differences(empty_url) == []


def test_a_model_change_without_migration_is_detected(empty_url: str) -> None:
    """The comparison can fail: a column the migrations lack shows up as a difference."""
    migrate.upgrade(empty_url)
    engine = make_engine(empty_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE document ADD COLUMN stray INTEGER"))
    finally:
        engine.dispose()
    diffs = _differences(empty_url)
    assert any(d[0] == "remove_column" and d[3].name == "stray" for d in diffs)


def test_database_made_by_create_all_is_stamped_not_recreated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'created.sqlite3'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    assert migrate.upgrade(url) == migrate.head()
    assert migrate.current(url) == migrate.head()
