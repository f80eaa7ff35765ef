"""Scopes of API keys (`chat`, `admin`; space-separated in `api_keys.scopes`).

Rule for keys that exist when this runs: they keep full access (`chat admin`). Before this revision every valid
key could call the admin routes and the README told operators to hand keys out on that basis, so taking `admin`
away would break running admin tooling on upgrade. Operators narrow a key with
`assistant keys scopes KEY_ID --scope chat` (same secret). Keys created afterwards default to `chat` only, and
the column's server default is `chat`, so a writer that leaves it out never grants `admin`.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # add_column, not a batch table rebuild: on SQLite a rebuild drops api_keys, and with foreign keys on that
    # would cascade-delete every usage row.
    op.add_column("api_keys", sa.Column("scopes", sa.String(200), nullable=False, server_default="chat"))
    op.execute("UPDATE api_keys SET scopes = 'chat admin'")


def downgrade() -> None:
    op.drop_column("api_keys", "scopes")
