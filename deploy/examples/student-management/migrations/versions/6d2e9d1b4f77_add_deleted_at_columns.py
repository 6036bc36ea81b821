"""soft delete: deleted_at on the school's records

Revision ID: 6d2e9d1b4f77
Revises: 9a1d2b3c4d56
Create Date: 2025-11-05 12:45:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "6d2e9d1b4f77"
down_revision: Union[str, Sequence[str], None] = "9a1d2b3c4d56"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


TABLES = ("students", "courses", "attendances", "course_enrollments", "daily_performances", "grades", "highlights")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    # Lists filter on it; the others go through their student's index.
    op.create_index("ix_students_deleted_at", "students", ["deleted_at"])
    op.create_index("ix_courses_deleted_at", "courses", ["deleted_at"])


def downgrade() -> None:
    op.drop_index("ix_courses_deleted_at", table_name="courses")
    op.drop_index("ix_students_deleted_at", table_name="students")
    for table in reversed(TABLES):
        op.drop_column(table, "deleted_at")
