"""merge the refresh-token, lockout and index heads

Revision ID: 00c146dcf611
Revises: ffedcba12345, 5b71c5a90e3d, 2b4c64f9fbba
Create Date: 2025-11-16 21:26:33

"""

from typing import Sequence, Union

# revision identifiers, used by Alembic.
revision: str = "00c146dcf611"
down_revision: Union[str, Sequence[str], None] = ("ffedcba12345", "5b71c5a90e3d", "2b4c64f9fbba")
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# Three branches were written in parallel from 6d2e9d1b4f77; `alembic merge
# heads` joined them so that `alembic upgrade head` has one head again. A
# merge revision changes nothing.
def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
