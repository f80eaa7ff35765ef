"""Failed turns: `turns.error_code` marks a user turn whose reply failed (NULL: an answered turn).

A turn that fails after context injection (no LM loaded, LM error, timeout) keeps its user message, its rewrite and
its dialogue-state update; the error code says why there is no assistant turn after it. Rows written before this
revision are answered turns, so NULL is right for all of them and nothing is backfilled.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # add_column, not a batch rebuild: on SQLite a rebuild of `turns` would copy every turn for a nullable column.
    op.add_column("turns", sa.Column("error_code", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("turns", "error_code")
