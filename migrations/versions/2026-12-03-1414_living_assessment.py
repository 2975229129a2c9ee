"""living assessment: snapshot status (editor approval), grade override and scoring settings logs (as-of),
webhook subscriptions, outbox and attempt log

Revision ID: i12a1b2c3d4e
Revises: i13a1b2c3d4e
Create Date: 2026-12-03 14:12:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'i12a1b2c3d4e'
down_revision: str | None = 'i13a1b2c3d4e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('scoring_settings_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('settings_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('settings_json', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scoring_settings_record'))
    )
    with op.batch_alter_table('scoring_settings_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scoring_settings_record_at'), ['at'], unique=False)

    op.create_table('webhook_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('threshold_decades', sa.Float(), nullable=False),
    sa.Column('secret', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.CheckConstraint('threshold_decades > 0', name=op.f('ck_webhook_subscription_threshold_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_subscription'))
    )
    op.create_table('grade_override_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('aspect_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.CheckConstraint("action IN ('set', 'clear')", name=op.f('ck_grade_override_revision_action_valid')),
    sa.ForeignKeyConstraint(['aspect_key'], ['aspect.key'], name=op.f('fk_grade_override_revision_aspect_key_aspect')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grade_override_revision'))
    )
    with op.batch_alter_table('grade_override_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grade_override_revision_aspect_key'), ['aspect_key'], unique=False)
        batch_op.create_index('ix_grade_override_revision_at', ['at'], unique=False)

    op.create_table('webhook_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('event', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.CheckConstraint("event IN ('report_published', 'ceiling_moved', 'status_changed', 'grade_changed')", name=op.f('ck_webhook_delivery_event_valid')),
    sa.CheckConstraint("state IN ('pending', 'delivered', 'failed')", name=op.f('ck_webhook_delivery_state_valid')),
    sa.ForeignKeyConstraint(['subscription_id'], ['webhook_subscription.id'], name=op.f('fk_webhook_delivery_subscription_id_webhook_subscription'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_delivery')),
    sa.UniqueConstraint('subscription_id', 'event_id', name=op.f('uq_webhook_delivery_subscription_id_event_id'))
    )
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_delivery_due', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_delivery_subscription_id'), ['subscription_id'], unique=False)

    op.create_table('webhook_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['webhook_delivery.id'], name=op.f('fk_webhook_attempt_delivery_id_webhook_delivery'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_attempt'))
    )
    with op.batch_alter_table('webhook_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_attempt_delivery_id'), ['delivery_id'], unique=False)

    with op.batch_alter_table('report_snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), server_default='published', nullable=False))
        batch_op.add_column(sa.Column('reviewed_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('review_reason', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_report_snapshot_status'), ['status'], unique=False)
        batch_op.create_check_constraint(
            op.f('ck_report_snapshot_status_valid'), "status IN ('published', 'candidate', 'rejected')"
        )



def downgrade() -> None:
    with op.batch_alter_table('report_snapshot', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_report_snapshot_status_valid'), type_='check')
        batch_op.drop_index(batch_op.f('ix_report_snapshot_status'))
        batch_op.drop_column('review_reason')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('reviewed_by')
        batch_op.drop_column('status')

    with op.batch_alter_table('webhook_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_attempt_delivery_id'))

    op.drop_table('webhook_attempt')
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_delivery_subscription_id'))
        batch_op.drop_index('ix_webhook_delivery_due')

    op.drop_table('webhook_delivery')
    with op.batch_alter_table('grade_override_revision', schema=None) as batch_op:
        batch_op.drop_index('ix_grade_override_revision_at')
        batch_op.drop_index(batch_op.f('ix_grade_override_revision_aspect_key'))

    op.drop_table('grade_override_revision')
    op.drop_table('webhook_subscription')
    with op.batch_alter_table('scoring_settings_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scoring_settings_record_at'))

    op.drop_table('scoring_settings_record')
