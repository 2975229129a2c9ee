"""The results list's default order by an index: coalesce(params, params_low, 0.0), id.

Revision ID: i23a1scale01
Revises: i11a1b2c3d4e
Create Date: 2026-12-07 14:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i23a1scale01"
down_revision: str | None = "i25a1b2c3d4e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_result_params_order", "result", [sa.text("coalesce(params, params_low, 0.0)"), "id"])


def downgrade() -> None:
    op.drop_index("ix_result_params_order", table_name="result")
