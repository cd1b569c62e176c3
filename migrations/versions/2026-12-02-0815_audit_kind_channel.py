"""audit records: a kind (match, fit) and a channel (api, ui, cli) instead of a route string

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 08:15:00.000000

The old records are carried over: the route string said both what was served and through which door.
Downgrading writes the route string back from the two (a `cli` record, which had no route, becomes
`skillmatch match`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIT = "GET /v1/programmes/{crebo}/workplaces"


def upgrade() -> None:
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("channel", sa.String(length=20), nullable=True))
    records = sa.table("audit_records", sa.column("endpoint"), sa.column("kind"), sa.column("channel"))
    op.execute(
        records.update().values(
            kind=sa.case((records.c.endpoint == FIT, "fit"), else_="match"),
            channel=sa.case((records.c.endpoint.like("% /ui/%"), "ui"), else_="api"),
        )
    )
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column("channel", existing_type=sa.String(length=20), nullable=False)
        batch_op.drop_column("endpoint")


def downgrade() -> None:
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("endpoint", sa.String(length=200), nullable=True))
    records = sa.table(
        "audit_records",
        sa.column("endpoint"),
        sa.column("kind"),
        sa.column("channel"),
        sa.column("workplace_id", sa.Integer()),
    )
    op.execute(
        records.update().values(
            endpoint=sa.case(
                (records.c.channel == "ui", "GET /ui/werkplekken/{id}/matches"),
                (records.c.channel == "cli", "skillmatch match"),
                (records.c.kind == "fit", FIT),
                (records.c.workplace_id.is_not(None), "GET /v1/workplaces/{id}/matches"),
                else_="POST /v1/match",
            )
        )
    )
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.alter_column("endpoint", existing_type=sa.String(length=200), nullable=False)
        batch_op.drop_column("channel")
        batch_op.drop_column("kind")
