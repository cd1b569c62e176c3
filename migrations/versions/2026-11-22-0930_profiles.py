"""profiles: saved traineeship profiles and their workplaces

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_profiles'))
    )
    op.create_table('profile_workplaces',
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('workplace_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['profile_id'], ['profiles.id'], name=op.f('fk_profile_workplaces_profile_id_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workplace_id'], ['workplaces.id'], name=op.f('fk_profile_workplaces_workplace_id_workplaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('profile_id', 'workplace_id', name=op.f('pk_profile_workplaces'))
    )
    with op.batch_alter_table('profile_workplaces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_profile_workplaces_workplace_id'), ['workplace_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('profile_workplaces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_profile_workplaces_workplace_id'))

    op.drop_table('profile_workplaces')
    op.drop_table('profiles')
