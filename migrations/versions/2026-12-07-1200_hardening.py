"""hardening: usernames unique by their look-alike skeleton; the sign-in throttle counts known browsers apart

Revision ID: i25a1b2c3d4e
Revises: i11a1b2c3d4e
Create Date: 2026-12-07 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from app.auth.usernames import skeleton

revision: str = "i25a1b2c3d4e"
down_revision: str | None = "i11a1b2c3d4e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def String(length: int):
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("username_key", String(200), nullable=True))
    users = sa.table(
        "app_user", sa.column("id", sa.Integer), sa.column("username", sa.String), sa.column("username_key", sa.String)
    )
    connection = op.get_bind()
    for user_id, username in connection.execute(sa.select(users.c.id, users.c.username)).all():
        connection.execute(users.update().where(users.c.id == user_id).values(username_key=skeleton(username)))
    # Fails, naming the key, where two stored users already look the same: rename one, then upgrade again.
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.alter_column("username_key", existing_type=String(200), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_app_user_username_key"), ["username_key"])

    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device", String(64), nullable=True))
        batch_op.create_index("ix_login_failure_client_at", ["client", "at"], unique=False)
        batch_op.create_index("ix_login_failure_device_at", ["device", "at"], unique=False)
        batch_op.create_index("ix_login_failure_at", ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failure_at")
        batch_op.drop_index("ix_login_failure_device_at")
        batch_op.drop_index("ix_login_failure_client_at")
        batch_op.drop_column("device")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_app_user_username_key"), type_="unique")
        batch_op.drop_column("username_key")
