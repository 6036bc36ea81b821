"""baseline: students, courses, attendances, enrollments, performances, grades, highlights

Revision ID: 0b65fa8f5f95
Revises: 
Create Date: 2025-10-20 10:34:43

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0b65fa8f5f95"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "students",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(255), nullable=False, unique=True),
        sa.Column("student_id", sa.String(50), nullable=False, unique=True),
        sa.Column("enrollment_date", sa.Date()),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true()),
        sa.Column("father_name", sa.String(100)),
        sa.Column("mobile_phone", sa.String(30)),
        sa.Column("phone", sa.String(30)),
        sa.Column("health_issue", sa.Text()),
        sa.Column("note", sa.Text()),
        sa.Column("study_year", sa.Integer()),
    )
    op.create_index("idx_student_active_email", "students", ["is_active", "email"])
    op.create_index("ix_students_enrollment_date", "students", ["enrollment_date"])
    op.create_table(
        "courses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("course_code", sa.String(20), nullable=False, unique=True),
        sa.Column("course_name", sa.String(200), nullable=False),
        sa.Column("semester", sa.String(50), nullable=False),
        sa.Column("credits", sa.Integer(), server_default="3"),
        sa.Column("description", sa.Text()),
        sa.Column("evaluation_rules", sa.JSON()),
        sa.Column("hours_per_week", sa.Float(), server_default="3.0"),
        sa.Column("teaching_schedule", sa.JSON()),
    )
    op.create_index("ix_courses_semester", "courses", ["semester"])
    for name, cols in (
        ("attendances", [sa.Column("date", sa.Date(), nullable=False), sa.Column("status", sa.String(20), nullable=False),
                         sa.Column("period_number", sa.Integer(), server_default="1"), sa.Column("notes", sa.Text())]),
        ("course_enrollments", [sa.Column("enrolled_at", sa.Date(), server_default=sa.func.current_date())]),
        ("daily_performances", [sa.Column("date", sa.Date(), nullable=False), sa.Column("category", sa.String(100), nullable=False),
                                sa.Column("score", sa.Float(), nullable=False), sa.Column("max_score", sa.Float(), server_default="10.0"),
                                sa.Column("notes", sa.Text())]),
        ("grades", [sa.Column("assignment_name", sa.String(200), nullable=False), sa.Column("category", sa.String(100)),
                    sa.Column("grade", sa.Float(), nullable=False), sa.Column("max_grade", sa.Float(), server_default="100.0"),
                    sa.Column("weight", sa.Float(), server_default="1.0"), sa.Column("date_assigned", sa.Date()),
                    sa.Column("date_submitted", sa.Date()), sa.Column("notes", sa.Text())]),
    ):
        op.create_table(
            name,
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("student_id", sa.Integer(), sa.ForeignKey("students.id"), nullable=False),
            sa.Column("course_id", sa.Integer(), sa.ForeignKey("courses.id"), nullable=False),
            *cols,
        )
    op.create_index("idx_attendance_student_date", "attendances", ["student_id", "date"])
    op.create_index("idx_attendance_course_date", "attendances", ["course_id", "date"])
    op.create_index("idx_enrollment_student_course", "course_enrollments", ["student_id", "course_id"], unique=True)
    op.create_index("ix_course_enrollments_course_id", "course_enrollments", ["course_id"])
    op.create_index("idx_performance_student_course", "daily_performances", ["student_id", "course_id"])
    op.create_index("idx_performance_student_date", "daily_performances", ["student_id", "date"])
    op.create_index("ix_daily_performances_course_id", "daily_performances", ["course_id"])
    op.create_index("idx_grade_student_course", "grades", ["student_id", "course_id"])
    op.create_index("idx_grade_student_category", "grades", ["student_id", "category"])
    op.create_index("ix_grades_course_id", "grades", ["course_id"])
    op.create_table(
        "highlights",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("student_id", sa.Integer(), sa.ForeignKey("students.id"), nullable=False),
        sa.Column("semester", sa.String(50), nullable=False),
        sa.Column("rating", sa.Integer()),
        sa.Column("category", sa.String(100)),
        sa.Column("highlight_text", sa.Text(), nullable=False),
        sa.Column("date_created", sa.Date(), server_default=sa.func.current_date()),
        sa.Column("is_positive", sa.Boolean(), server_default=sa.true()),
    )
    op.create_index("idx_highlight_student_semester", "highlights", ["student_id", "semester"])


def downgrade() -> None:
    for name in ("highlights", "grades", "daily_performances", "course_enrollments", "attendances", "courses", "students"):
        op.drop_table(name)
