"""merge the RBAC and audit-log heads

Revision ID: 64887d60dbfb
Revises: 8e1a2c3b4d5e, 36c455e672ec
Create Date: 2025-12-15 10:30:39

"""

from typing import Sequence, Union

# revision identifiers, used by Alembic.
revision: str = "64887d60dbfb"
down_revision: Union[str, Sequence[str], None] = ("8e1a2c3b4d5e", "36c455e672ec")
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# The audit log and RBAC were developed side by side from d377f961aa1f;
# this merge revision is the head the production database must be at.
def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
