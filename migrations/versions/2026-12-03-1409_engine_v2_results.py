"""results for engine v2: reach beside validity, size estimates with a basis, one-row head-to-heads

- reach_outcome: could the method be applied at that scale (the existing outcome is its validity);
- params_estimate_kind: the basis of an analyst's range for an undisclosed size; a range may now be
  open-ended ("at least params_low", params_high NULL) for an undisclosed size;
- baseline_method_key, winner, baseline_safety_impact: the baseline a result was compared with, in the
  same row.

Revision ID: i09a1b2c3d4e
Revises: c4e1a9d27b10
Create Date: 2026-12-03 14:09:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i09a1b2c3d4e"
down_revision: str | None = "c4e1a9d27b10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RANGE_BEFORE = "(params_low IS NULL) = (params_high IS NULL) AND (params_low IS NULL OR params_low <= params_high)"
RANGE_AFTER = "(params_high IS NULL OR params_low IS NOT NULL) AND (params_high IS NULL OR params_low <= params_high)"
BASIS_BEFORE = (
    "(params_basis = 'disclosed' AND params IS NOT NULL)"
    " OR (params_basis = 'estimated' AND params IS NOT NULL AND params_low IS NOT NULL"
    "     AND params >= params_low AND params <= params_high)"
    " OR (params_basis = 'undisclosed' AND params IS NULL)"
)
BASIS_AFTER = (
    "(params_basis = 'disclosed' AND params IS NOT NULL)"
    " OR (params_basis = 'estimated' AND params IS NOT NULL AND params_low IS NOT NULL"
    "     AND params_high IS NOT NULL AND params >= params_low AND params <= params_high)"
    " OR (params_basis = 'undisclosed' AND params IS NULL)"
)
IMPACTS = "'none', 'monitoring_aid', 'measured_improvement', 'negative', 'not_applicable'"


def upgrade() -> None:
    with op.batch_alter_table("result") as batch:
        batch.add_column(sa.Column("params_estimate_kind", sa.String(length=30), nullable=True))
        batch.add_column(sa.Column("baseline_method_key", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("winner", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("reach_outcome", sa.String(length=20), nullable=True))
        batch.add_column(
            sa.Column("baseline_safety_impact", sa.String(length=30), nullable=False, server_default="not_applicable")
        )
        batch.create_foreign_key(
            op.f("fk_result_baseline_method_key_method"), "method", ["baseline_method_key"], ["key"]
        )
        batch.create_index(op.f("ix_result_baseline_method_key"), ["baseline_method_key"], unique=False)
        batch.drop_constraint(op.f("ck_result_params_range"), type_="check")
        batch.create_check_constraint(op.f("ck_result_params_range"), RANGE_AFTER)
        batch.drop_constraint(op.f("ck_result_params_follow_basis"), type_="check")
        batch.create_check_constraint(op.f("ck_result_params_follow_basis"), BASIS_AFTER)
        batch.create_check_constraint(
            op.f("ck_result_reach_outcome_valid"),
            "reach_outcome IS NULL OR reach_outcome IN ('success', 'partial', 'failure')",
        )
        batch.create_check_constraint(
            op.f("ck_result_params_estimate_kind_valid"),
            "params_estimate_kind IS NULL OR params_estimate_kind IN "
            "('external_estimate', 'compute_bound', 'family_range', 'frontier_class')",
        )
        batch.create_check_constraint(
            op.f("ck_result_winner_valid"), "winner IS NULL OR winner IN ('method', 'baseline', 'tie')"
        )
        batch.create_check_constraint(
            op.f("ck_result_baseline_safety_impact_valid"), f"baseline_safety_impact IN ({IMPACTS})"
        )
        batch.create_check_constraint(
            op.f("ck_result_estimate_has_kind"),
            "params_basis <> 'undisclosed' OR params_low IS NULL OR params_estimate_kind IS NOT NULL",
        )


def downgrade() -> None:
    # lossy by necessity: the old schema has no open-ended bound, so such a bound is dropped (size unknown)
    op.execute("UPDATE result SET params_low = NULL WHERE params_high IS NULL AND params IS NULL")
    with op.batch_alter_table("result") as batch:
        for name in (
            "estimate_has_kind",
            "baseline_safety_impact_valid",
            "winner_valid",
            "params_estimate_kind_valid",
            "reach_outcome_valid",
            "params_follow_basis",
            "params_range",
        ):
            batch.drop_constraint(op.f(f"ck_result_{name}"), type_="check")
        batch.create_check_constraint(op.f("ck_result_params_range"), RANGE_BEFORE)
        batch.create_check_constraint(op.f("ck_result_params_follow_basis"), BASIS_BEFORE)
        batch.drop_index(op.f("ix_result_baseline_method_key"))
        batch.drop_constraint(op.f("fk_result_baseline_method_key_method"), type_="foreignkey")
        for column in ("baseline_safety_impact", "reach_outcome", "winner", "baseline_method_key", "params_estimate_kind"):
            batch.drop_column(column)
