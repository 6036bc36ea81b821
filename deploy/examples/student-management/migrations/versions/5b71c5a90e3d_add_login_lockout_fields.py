"""login lockout: failed attempts and a lock time on users

Revision ID: 5b71c5a90e3d
Revises: 6d2e9d1b4f77
Create Date: 2025-11-15 19:20:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "5b71c5a90e3d"
down_revision: Union[str, Sequence[str], None] = "6d2e9d1b4f77"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("users", sa.Column("failed_login_attempts", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("users", sa.Column("last_failed_login_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("lockout_until", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_users_lockout_until", "users", ["lockout_until"])


def downgrade() -> None:
    op.drop_index("ix_users_lockout_until", table_name="users")
    for column in ("lockout_until", "last_failed_login_at", "failed_login_attempts"):
        op.drop_column("users", column)
