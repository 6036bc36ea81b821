"""merge the refresh-token and login-lockout heads

Two branches were written in parallel from c3d4e5f6a7b8; `alembic merge
heads` joined them so that `alembic upgrade head` has one head again.

Revision ID: f6a7b8c9d0e1
Revises: d4e5f6a7b8c9, e5f6a7b8c9d0
Create Date: 2026-10-22 10:00:00
"""
revision = 'f6a7b8c9d0e1'
down_revision = ('d4e5f6a7b8c9', 'e5f6a7b8c9d0')
branch_labels = None
depends_on = None


def upgrade():
    # A merge revision changes nothing; it only joins the two heads.
    pass


def downgrade():
    pass
