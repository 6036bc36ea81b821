"""indexes: grades by date, attendance by student, course and date

Revision ID: 2b4c64f9fbba
Revises: 6d2e9d1b4f77
Create Date: 2025-11-15 12:00:00

"""

from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "2b4c64f9fbba"
down_revision: Union[str, Sequence[str], None] = "6d2e9d1b4f77"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("idx_grade_date_assigned", "grades", ["date_assigned"])
    op.create_index("idx_grade_date_submitted", "grades", ["date_submitted"])
    op.create_index("idx_attendance_student_course_date", "attendances", ["student_id", "course_id", "date"])


def downgrade() -> None:
    op.drop_index("idx_attendance_student_course_date", table_name="attendances")
    op.drop_index("idx_grade_date_submitted", table_name="grades")
    op.drop_index("idx_grade_date_assigned", table_name="grades")
