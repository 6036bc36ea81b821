"""typed header (alembic >= 1.8 template)

Revision ID: 3c
Revises: 2b
"""
from typing import Sequence, Union

revision: str = "3c"
down_revision: Union[str, None] = "2b"  # the previous revision
branch_labels: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # down_revision = 'not-this-one' inside a function is ignored
    pass
