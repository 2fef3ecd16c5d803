"""glossary_term.status: the TBX usage status of a target term

Revision ID: 0002_glossary_status
Revises: 0001
Create Date: 2026-12-07 05:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_glossary_status"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("glossary_term", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=20), nullable=False, server_default="")
        )


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("glossary_term", schema=None) as batch_op:
        batch_op.drop_column("status")
