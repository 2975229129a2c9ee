"""server-side sessions, the shared assessment cache, report files in the database, list indexes

Revision ID: i11a1b2c3d4e
Revises: i12a1b2c3d4e
Create Date: 2026-12-03 14:11:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "i11a1b2c3d4e"
down_revision: str | None = "i12a1b2c3d4e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Text = sa.Text()
When = sa.DateTime(timezone=True)


def String(length: int):
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", String(64), nullable=False),
        sa.Column("client", String(100), nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.Column("expires_at", When, nullable=False),
        sa.Column("revoked_at", When, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_user_session_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_session_token_hash")),
    )
    with op.batch_alter_table("user_session") as batch:
        batch.create_index(batch.f("ix_user_session_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("login_failure") as batch:
        batch.create_index("ix_login_failure_username_client_at", ["username", "client", "at"], unique=False)

    op.create_table(
        "assessment_cache",
        sa.Column("fingerprint", String(64), nullable=False),
        sa.Column("assessment_json", Text, nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_assessment_cache")),
    )
    with op.batch_alter_table("assessment_cache") as batch:
        batch.create_index(batch.f("ix_assessment_cache_created_at"), ["created_at"], unique=False)
    op.create_table(
        "assessment_version",
        sa.Column("version_key", String(64), nullable=False),
        sa.Column("fingerprint", String(64), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.ForeignKeyConstraint(
            ["fingerprint"],
            ["assessment_cache.fingerprint"],
            name=op.f("fk_assessment_version_fingerprint_assessment_cache"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_key", name=op.f("pk_assessment_version")),
    )
    with op.batch_alter_table("assessment_version") as batch:
        batch.create_index(batch.f("ix_assessment_version_created_at"), ["created_at"], unique=False)
        batch.create_index(batch.f("ix_assessment_version_fingerprint"), ["fingerprint"], unique=False)

    op.create_table(
        "report_file",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("name", String(50), nullable=False),
        sa.Column("media_type", String(100), nullable=False),
        sa.Column("content", Text, nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["report_snapshot.id"],
            name=op.f("fk_report_file_snapshot_id_report_snapshot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("snapshot_id", "name", name=op.f("pk_report_file")),
    )


def downgrade() -> None:
    op.drop_table("report_file")
    with op.batch_alter_table("assessment_version") as batch:
        batch.drop_index(batch.f("ix_assessment_version_fingerprint"))
        batch.drop_index(batch.f("ix_assessment_version_created_at"))
    op.drop_table("assessment_version")
    with op.batch_alter_table("assessment_cache") as batch:
        batch.drop_index(batch.f("ix_assessment_cache_created_at"))
    op.drop_table("assessment_cache")
    with op.batch_alter_table("login_failure") as batch:
        batch.drop_index("ix_login_failure_username_client_at")
    with op.batch_alter_table("user_session") as batch:
        batch.drop_index(batch.f("ix_user_session_user_id"))
    op.drop_table("user_session")
