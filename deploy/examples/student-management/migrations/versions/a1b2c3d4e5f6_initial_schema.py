"""initial schema: users, roles, students, teachers, departments

Revision ID: a1b2c3d4e5f6
Revises:
Create Date: 2026-09-01 09:00:00
"""
from alembic import op

revision = 'a1b2c3d4e5f6'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(open("schema.sql").read())


def downgrade():
    pass
