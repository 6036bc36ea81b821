"""courses: absence penalty (points off the final grade per unexcused absence)

Revision ID: 3f2b1a9c0d7e
Revises: 0b65fa8f5f95
Create Date: 2025-10-23 09:12:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "3f2b1a9c0d7e"
down_revision: Union[str, Sequence[str], None] = "0b65fa8f5f95"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("courses", sa.Column("absence_penalty", sa.Float(), nullable=True))
    op.execute("UPDATE courses SET absence_penalty = 0.0 WHERE absence_penalty IS NULL")


def downgrade() -> None:
    op.drop_column("courses", "absence_penalty")
