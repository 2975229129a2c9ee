"""review workflow: claim statuses in_review and rejected (with a reason), dual extractions

Revision ID: i13a1b2c3d4e
Revises: i10a1b2c3d4e
Create Date: 2026-12-03 14:13:00

On SQLite the claim table is rebuilt (its CHECKs change): foreign keys are switched off around the
rebuild so that dropping the old table cascades nothing, and the full-text triggers on claim, which
the rebuild would break, are dropped and created again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "i13a1b2c3d4e"
down_revision: str | None = "i10a1b2c3d4e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = "'draft', 'reviewed', 'retracted'"
NEW_STATUSES = "'draft', 'in_review', 'reviewed', 'rejected', 'retracted'"
# The full-text triggers that name the claim table (as created by 2026-12-01-1400_full_text_search).
DROP_CLAIM_TRIGGERS = [
    f"DROP TRIGGER IF EXISTS {name}" for name in ("claim_fts_ai", "claim_fts_au", "claim_fts_ad", "source_fts_au")
]
CREATE_CLAIM_TRIGGERS = [
    """CREATE TRIGGER claim_fts_ai AFTER INSERT ON claim BEGIN
         INSERT INTO claim_fts(rowid, text, quote, source_title)
         SELECT new.id, new.text, coalesce(new.quote, ''), (SELECT title FROM source WHERE id = new.source_id);
       END""",
    """CREATE TRIGGER claim_fts_au AFTER UPDATE OF text, quote, source_id ON claim BEGIN
         DELETE FROM claim_fts WHERE rowid = old.id;
         INSERT INTO claim_fts(rowid, text, quote, source_title)
         SELECT new.id, new.text, coalesce(new.quote, ''), (SELECT title FROM source WHERE id = new.source_id);
       END""",
    "CREATE TRIGGER claim_fts_ad AFTER DELETE ON claim BEGIN DELETE FROM claim_fts WHERE rowid = old.id; END",
    """CREATE TRIGGER source_fts_au AFTER UPDATE OF title, authors ON source BEGIN
         DELETE FROM source_fts WHERE rowid = old.id;
         INSERT INTO source_fts(rowid, title, authors) VALUES (new.id, new.title, new.authors);
         DELETE FROM claim_fts WHERE rowid IN (SELECT id FROM claim WHERE source_id = new.id);
         INSERT INTO claim_fts(rowid, text, quote, source_title)
         SELECT id, text, coalesce(quote, ''), new.title FROM claim WHERE source_id = new.id;
       END""",
]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _foreign_keys_off() -> None:
    """SQLite ignores this PRAGMA inside a transaction: run first, before any data changes.

    Left on, dropping the old claim table would cascade-delete its aspect and question links."""
    if not _sqlite():
        return
    op.execute("PRAGMA foreign_keys=OFF")
    still_on = op.get_bind().exec_driver_sql("PRAGMA foreign_keys").scalar()
    has_claims = op.get_bind().exec_driver_sql("SELECT count(*) FROM claim").scalar()
    if still_on and has_claims:
        raise RuntimeError("foreign keys could not be switched off: run this migration in a transaction of its own")


def _rebuild_claim(change) -> None:
    """Alter the claim table; on SQLite a rebuild, with the FTS triggers that name claim restored."""
    if _sqlite():
        for statement in DROP_CLAIM_TRIGGERS:
            op.execute(statement)
    with op.batch_alter_table("claim") as batch:
        change(batch)
    if _sqlite():
        for statement in CREATE_CLAIM_TRIGGERS:
            op.execute(statement)
        op.execute("PRAGMA foreign_keys=ON")


def upgrade() -> None:
    def change(batch) -> None:
        batch.add_column(sa.Column("status_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_claim_status_changed_at"), ["status_changed_at"], unique=False)
        batch.drop_constraint(op.f("ck_claim_status_valid"), type_="check")
        batch.create_check_constraint(op.f("ck_claim_status_valid"), f"status IN ({NEW_STATUSES})")
        batch.create_check_constraint(
            op.f("ck_claim_rejected_has_reason"), "status <> 'rejected' OR status_reason IS NOT NULL"
        )

    _foreign_keys_off()
    _rebuild_claim(change)
    op.create_table(
        "extraction_request",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("first_analyst_id", sa.Integer(), nullable=False),
        sa.Column("first_analyst", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("second_analyst_id", sa.Integer(), nullable=False),
        sa.Column("second_analyst", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "status <> 'resolved' OR resolved_by_id IS NOT NULL",
            name=op.f("ck_extraction_request_resolved_has_resolver"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'submitted', 'resolved')", name=op.f("ck_extraction_request_status_valid")
        ),
        sa.CheckConstraint("first_analyst_id <> second_analyst_id", name=op.f("ck_extraction_request_two_analysts")),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_extraction_request_claim_id_claim"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["first_analyst_id"], ["app_user.id"], name=op.f("fk_extraction_request_first_analyst_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["app_user.id"], name=op.f("fk_extraction_request_requested_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["app_user.id"], name=op.f("fk_extraction_request_resolved_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["second_analyst_id"], ["app_user.id"], name=op.f("fk_extraction_request_second_analyst_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extraction_request")),
    )
    with op.batch_alter_table("extraction_request") as batch:
        batch.create_index(batch.f("ix_extraction_request_claim_id"), ["claim_id"], unique=False)
        batch.create_index(batch.f("ix_extraction_request_first_analyst_id"), ["first_analyst_id"], unique=False)
        batch.create_index(batch.f("ix_extraction_request_second_analyst_id"), ["second_analyst_id"], unique=False)
        batch.create_index(batch.f("ix_extraction_request_status"), ["status"], unique=False)
    op.create_table(
        "extraction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("analyst_id", sa.Integer(), nullable=False),
        sa.Column("analyst", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["analyst_id"], ["app_user.id"], name=op.f("fk_extraction_analyst_id_app_user")),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["extraction_request.id"],
            name=op.f("fk_extraction_request_id_extraction_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extraction")),
        sa.UniqueConstraint("request_id", "analyst_id", name=op.f("uq_extraction_request_id_analyst_id")),
    )
    with op.batch_alter_table("extraction") as batch:
        batch.create_index(batch.f("ix_extraction_analyst_id"), ["analyst_id"], unique=False)
        batch.create_index(batch.f("ix_extraction_request_id"), ["request_id"], unique=False)


def downgrade() -> None:
    _foreign_keys_off()
    op.drop_table("extraction")
    op.drop_table("extraction_request")
    op.execute("UPDATE claim SET status = 'draft' WHERE status IN ('in_review', 'rejected')")

    def change(batch) -> None:
        batch.drop_constraint(op.f("ck_claim_rejected_has_reason"), type_="check")
        batch.drop_constraint(op.f("ck_claim_status_valid"), type_="check")
        batch.create_check_constraint(op.f("ck_claim_status_valid"), f"status IN ({OLD_STATUSES})")
        batch.drop_index(batch.f("ix_claim_status_changed_at"))
        batch.drop_column("status_changed_at")
        batch.drop_column("status_reason")

    _rebuild_claim(change)
