"""import jobs: uploads imported in the background, and the catalogue's running job

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 07:12:11.607887
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('import_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=True),
    sa.Column('dossiers', sa.Integer(), nullable=False),
    sa.Column('kwalificaties', sa.Integer(), nullable=False),
    sa.Column('statements', sa.Integer(), nullable=False),
    sa.Column('statements_embedded', sa.Integer(), nullable=False),
    sa.Column('vectors_computed', sa.Integer(), nullable=False),
    sa.Column('outcomes', sa.JSON(), nullable=True),
    sa.Column('runner', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_jobs'))
    )
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_jobs_state'), ['state'], unique=False)

    with op.batch_alter_table('catalogue_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_job_id', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('catalogue_state', schema=None) as batch_op:
        batch_op.drop_column('import_job_id')

    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_jobs_state'))

    op.drop_table('import_jobs')
