"""RBAC: roles, permissions and their assignments

Revision ID: 8e1a2c3b4d5e
Revises: d377f961aa1f
Create Date: 2025-12-12 12:00:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "8e1a2c3b4d5e"
down_revision: Union[str, Sequence[str], None] = "d377f961aa1f"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "roles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.String(255)),
    )
    op.create_index("idx_roles_name", "roles", ["name"], unique=True)
    op.create_table(
        "permissions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(150), nullable=False),
        sa.Column("description", sa.String(255)),
    )
    op.create_index("idx_permissions_name", "permissions", ["name"], unique=True)
    for table, other in (("role_permissions", "permission"), ("user_roles", "user")):
        first, second = ("role", other) if table == "role_permissions" else (other, "role")
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column(first + "_id", sa.Integer(), sa.ForeignKey(first + "s.id", ondelete="CASCADE"), nullable=False),
            sa.Column(second + "_id", sa.Integer(), sa.ForeignKey(second + "s.id", ondelete="CASCADE"), nullable=False),
        )
    op.create_index("idx_role_permission_unique", "role_permissions", ["role_id", "permission_id"], unique=True)
    op.create_index("idx_user_role_unique", "user_roles", ["user_id", "role_id"], unique=True)
    # The second column of each pair is a foreign key too: its own index.
    op.create_index("ix_role_permissions_permission_id", "role_permissions", ["permission_id"])
    op.create_index("ix_user_roles_role_id", "user_roles", ["role_id"])
    # Every account gets the RBAC role named by its users.role.
    op.execute("INSERT INTO roles (name) VALUES ('admin'), ('teacher'), ('student')")
    op.execute("INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u JOIN roles r ON r.name = u.role")


def downgrade() -> None:
    for table in ("user_roles", "role_permissions", "permissions", "roles"):
        op.drop_table(table)
