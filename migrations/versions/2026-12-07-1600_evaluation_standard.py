"""results for engine v3: how validity was judged, validity not assessed, sample size

- evaluation_standard: internal_metric | mechanistic_comparison | simple_baseline | ground_truth |
  demonstration, or NULL (not recorded);
- outcome may be not_assessed (a reach-only result); reach_outcome never is;
- sample_size: the number of tasks, datasets, items or runs a result aggregates (>= 1), or NULL.

Revision ID: i20a1store01
Revises: i23a1scale01
Create Date: 2026-12-07 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i20a1store01"
down_revision: str | None = "i23a1scale01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTCOMES_BEFORE = "'success', 'partial', 'failure'"
OUTCOMES_AFTER = "'success', 'partial', 'failure', 'not_assessed'"
MARKER = " [validity not assessed: outcome copied from reach by a schema downgrade]"
STANDARDS = "'internal_metric', 'mechanistic_comparison', 'simple_baseline', 'ground_truth', 'demonstration'"


def _outcome_checks(batch, outcomes: str) -> None:
    batch.drop_constraint(op.f("ck_result_outcome_valid"), type_="check")
    batch.create_check_constraint(op.f("ck_result_outcome_valid"), f"outcome IN ({outcomes})")
    batch.drop_constraint(op.f("ck_result_reach_outcome_valid"), type_="check")
    batch.create_check_constraint(
        op.f("ck_result_reach_outcome_valid"), f"reach_outcome IS NULL OR reach_outcome IN ({outcomes})"
    )


# SQLite's batch mode rebuilds the table and cannot reflect this expression index, so it would be lost: it is
# dropped before and made again after each batch (revision i23a1scale01 made it).
PARAMS_ORDER = ("ix_result_params_order", [sa.text("coalesce(params, params_low, 0.0)"), "id"])


def _foreign_keys(state: str) -> None:
    """On SQLite, foreign keys are off around the table rebuild: dropping the old result table would otherwise
    cascade-delete every result's bands. SQLite ignores this PRAGMA once a transaction has written: run it first."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"PRAGMA foreign_keys={state}")


def upgrade() -> None:
    _foreign_keys("OFF")
    op.drop_index(PARAMS_ORDER[0], table_name="result")
    with op.batch_alter_table("result") as batch:
        batch.add_column(sa.Column("evaluation_standard", sa.String(length=30), nullable=True))
        batch.add_column(sa.Column("sample_size", sa.Integer(), nullable=True))
        batch.create_index(op.f("ix_result_evaluation_standard"), ["evaluation_standard"], unique=False)
        _outcome_checks(batch, OUTCOMES_AFTER)
        batch.create_check_constraint(
            op.f("ck_result_evaluation_standard_valid"),
            f"evaluation_standard IS NULL OR evaluation_standard IN ({STANDARDS})",
        )
        batch.create_check_constraint(
            op.f("ck_result_reach_is_assessed"), "reach_outcome IS NULL OR reach_outcome <> 'not_assessed'"
        )
        batch.create_check_constraint(op.f("ck_result_sample_size_positive"), "sample_size IS NULL OR sample_size >= 1")
    op.create_index(PARAMS_ORDER[0], "result", PARAMS_ORDER[1])
    op.execute(
        f"UPDATE result SET outcome = 'not_assessed', notes = nullif(replace(notes, '{MARKER}', ''), '')"
        f" WHERE notes LIKE '%{MARKER}%'"
    )
    _foreign_keys("ON")


def downgrade() -> None:
    # The old schema cannot say "validity not assessed": such a result takes its reach outcome (success when
    # none is recorded) and its notes say so with MARKER, which the upgrade reads to restore not_assessed.
    # The evaluation standard and the sample size are lost: the old schema has no place for them.
    _foreign_keys("OFF")
    op.execute(
        "UPDATE result SET outcome = coalesce(reach_outcome, 'success'),"
        f" notes = coalesce(notes, '') || '{MARKER}' WHERE outcome = 'not_assessed'"
    )
    op.drop_index(PARAMS_ORDER[0], table_name="result")
    with op.batch_alter_table("result") as batch:
        batch.drop_constraint(op.f("ck_result_sample_size_positive"), type_="check")
        batch.drop_constraint(op.f("ck_result_reach_is_assessed"), type_="check")
        batch.drop_constraint(op.f("ck_result_evaluation_standard_valid"), type_="check")
        _outcome_checks(batch, OUTCOMES_BEFORE)
        batch.drop_index(op.f("ix_result_evaluation_standard"))
        batch.drop_column("sample_size")
        batch.drop_column("evaluation_standard")
    op.create_index(PARAMS_ORDER[0], "result", PARAMS_ORDER[1])
    _foreign_keys("ON")
