"""trainees: the trainee records, saved pool plans with their placements, and learning progress

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 12:51:03.905542

Trainee records are personal data (docs/transparency.md). Erasing a trainee removes their placements
and progress with them (ON DELETE CASCADE, and explicitly by app.trainees.repository).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('pool_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('periods', sa.SmallInteger(), nullable=False),
    sa.Column('max_per_directie', sa.SmallInteger(), nullable=False),
    sa.Column('min_coverage', sa.Float(), nullable=False),
    sa.Column('workplace_ids', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('objective', sa.Float(), nullable=True),
    sa.Column('mip_gap', sa.Float(), nullable=True),
    sa.Column('candidates_truncated', sa.Boolean(), nullable=False),
    sa.Column('overridden', sa.Boolean(), nullable=False),
    sa.Column('scoring_version', sa.String(length=50), nullable=False),
    sa.Column('model_version', sa.String(length=100), nullable=False),
    sa.Column('catalogue_version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_plans'))
    )
    op.create_table('trainees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=200), nullable=False),
    sa.Column('crebo', sa.String(length=5), nullable=False),
    sa.Column('niveau', sa.SmallInteger(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('begeleider', sa.String(length=200), nullable=False),
    sa.Column('landed_workplace_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('niveau BETWEEN 1 AND 4', name=op.f('ck_trainees_niveau_1_4')),
    sa.ForeignKeyConstraint(['landed_workplace_id'], ['workplaces.id'], name=op.f('fk_trainees_landed_workplace_id_workplaces'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['profile_id'], ['profiles.id'], name=op.f('fk_trainees_profile_id_profiles'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trainees'))
    )
    with op.batch_alter_table('trainees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trainees_profile_id'), ['profile_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trainees_start_date'), ['start_date'], unique=False)

    op.create_table('pool_placements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.SmallInteger(), nullable=False),
    sa.Column('workplace_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('overridden', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['pool_plans.id'], name=op.f('fk_pool_placements_plan_id_pool_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['trainee_id'], ['trainees.id'], name=op.f('fk_pool_placements_trainee_id_trainees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workplace_id'], ['workplaces.id'], name=op.f('fk_pool_placements_workplace_id_workplaces'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_placements')),
    sa.UniqueConstraint('plan_id', 'trainee_id', 'period', name='uq_pool_placements_plan_trainee_period')
    )
    with op.batch_alter_table('pool_placements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pool_placements_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pool_placements_trainee_id'), ['trainee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pool_placements_workplace_id'), ['workplace_id'], unique=False)

    op.create_table('trainee_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('skill', sa.Text(), nullable=False),
    sa.Column('learnt_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['placement_id'], ['pool_placements.id'], name=op.f('fk_trainee_progress_placement_id_pool_placements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['trainee_id'], ['trainees.id'], name=op.f('fk_trainee_progress_trainee_id_trainees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trainee_progress')),
    sa.UniqueConstraint('placement_id', 'skill', name='uq_trainee_progress_placement_skill')
    )
    with op.batch_alter_table('trainee_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trainee_progress_trainee_id'), ['trainee_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('trainee_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trainee_progress_trainee_id'))

    op.drop_table('trainee_progress')
    with op.batch_alter_table('pool_placements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pool_placements_workplace_id'))
        batch_op.drop_index(batch_op.f('ix_pool_placements_trainee_id'))
        batch_op.drop_index(batch_op.f('ix_pool_placements_plan_id'))

    op.drop_table('pool_placements')
    with op.batch_alter_table('trainees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trainees_start_date'))
        batch_op.drop_index(batch_op.f('ix_trainees_profile_id'))

    op.drop_table('trainees')
    op.drop_table('pool_plans')
