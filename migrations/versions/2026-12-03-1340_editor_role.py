"""editor role, between analyst and admin (approves publication, resolves dual extractions)

Revision ID: c4e1a9d27b10
Revises: b7f3c1a2d9e0
Create Date: 2026-12-03 13:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c4e1a9d27b10"
down_revision: str | None = "b7f3c1a2d9e0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _role_check(roles: str) -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_constraint(op.f("ck_app_user_role_valid"), type_="check")
        batch.create_check_constraint(op.f("ck_app_user_role_valid"), f"role IN ({roles})")


def upgrade() -> None:
    _role_check("'viewer', 'analyst', 'editor', 'admin'")


def downgrade() -> None:
    op.execute("UPDATE app_user SET role = 'analyst' WHERE role = 'editor'")
    _role_check("'viewer', 'analyst', 'admin'")
