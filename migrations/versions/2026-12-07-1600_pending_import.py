"""Uploads waiting between the Import page's preview and its commit, in the database so any replica can commit.

Revision ID: i22pending01
Revises: i20a1store01
Create Date: 2026-12-07 16:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i22pending01"
down_revision: str | None = "i20a1store01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_import",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_pending_import")),
    )
    op.create_index(op.f("ix_pending_import_expires_at"), "pending_import", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_pending_import_expires_at"), table_name="pending_import")
    op.drop_table("pending_import")
