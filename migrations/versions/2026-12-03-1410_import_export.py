"""source.extra: what an imported reference carries that no column holds (BibTeX/RIS/CSL-JSON fields)

Revision ID: i10a1b2c3d4e
Revises: i09a1b2c3d4e
Create Date: 2026-12-03 14:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i10a1b2c3d4e"
down_revision: str | None = "i09a1b2c3d4e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (no table rebuild), so SQLite keeps the full-text triggers on `source`.
    op.add_column("source", sa.Column("extra", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))


def downgrade() -> None:
    op.execute("ALTER TABLE source DROP COLUMN extra")  # SQLite >= 3.35 and PostgreSQL; keeps the triggers
