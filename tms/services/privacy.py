"""Personal data beyond the account row: what else points at a person, and forgetting their
name where other people's rows quote it.

accounts.export_my_data lists the person's own texts; `other_records` adds every other row
that refers to them (approvals given, terms added, editions published...), found from the
schema's foreign keys so that a table added later is not forgotten. accounts.delete_account
calls `forget_pseudonym` because notifications sent to others quote the author's name.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tms.models import Notification, User
from tms.orm import Base

FORMER_VOLUNTEER = "former volunteer"

# (table, column) pairs export_my_data already reports in full or as counts.
COVERED = {
    ("membership", "user_id"),
    ("revision", "author_id"),
    ("comment", "author_id"),
    ("suggestion", "author_id"),
    ("notification", "user_id"),
    ("activity", "user_id"),
    ("translation", "translator_id"),
    ("translation", "reviewer_id"),
}


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return value


def user_columns() -> list[tuple[str, str]]:
    """Every (table, column) of the schema that refers to an account."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == User.__tablename__ for fk in column.foreign_keys):
                found.append((table.name, column.name))
    return found


def other_records(session: Session, user: User) -> list[dict[str, Any]]:
    """Rows outside the person's own texts that refer to them: table, role, id, date."""
    out: list[dict[str, Any]] = []
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    for table_name, column_name in user_columns():
        if (table_name, column_name) in COVERED:
            continue
        table = tables[table_name]
        dated = next((c for c in ("created_at", "published_at", "imported_at", "decided_at",
                                  "used_at") if c in table.c), None)
        columns = [table.c.id] + ([table.c[dated]] if dated else [])
        rows = session.execute(select(*columns).where(table.c[column_name] == user.id)
                               .order_by(table.c.id))
        for row in rows:
            out.append({"table": table_name, "as": column_name.removesuffix("_id"),
                        "id": row[0], "date": _iso(row[1]) if dated else None})
    return out


def forget_pseudonym(session: Session, pseudonym: str | None) -> int:
    """Replace a deleted volunteer's name in notifications stored for others; returns the
    number of notifications changed."""
    if not pseudonym:
        return 0
    changed = 0
    # params are small JSON objects; a JSON text search differs between databases (and
    # escapes non-ASCII names), so compare values in Python: deletions are rare
    for note in session.scalars(select(Notification).execution_options(yield_per=500)):
        params = note.params or {}
        if any(value == pseudonym for value in params.values()):
            note.params = {k: (FORMER_VOLUNTEER if v == pseudonym else v)
                           for k, v in params.items()}
            changed += 1
    session.flush()
    return changed
