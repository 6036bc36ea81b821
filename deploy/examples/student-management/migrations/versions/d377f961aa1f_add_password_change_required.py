"""users: password_change_required, set for generated initial passwords

Revision ID: d377f961aa1f
Revises: 00c146dcf611
Create Date: 2025-11-23 21:57:42

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "d377f961aa1f"
down_revision: Union[str, Sequence[str], None] = "00c146dcf611"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("users", sa.Column("password_change_required", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("users", "password_change_required")
