"""audit log: who did what to which record, and whether it worked

Revision ID: 36c455e672ec
Revises: d377f961aa1f
Create Date: 2025-12-12 08:45:11

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "36c455e672ec"
down_revision: Union[str, Sequence[str], None] = "d377f961aa1f"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "audit_logs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("resource", sa.String(50), nullable=False),
        sa.Column("resource_id", sa.String(100)),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id")),
        sa.Column("user_email", sa.String(255)),
        sa.Column("ip_address", sa.String(45)),
        sa.Column("user_agent", sa.String(512)),
        sa.Column("details", sa.JSON()),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("error_message", sa.Text()),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("idx_audit_resource_action", "audit_logs", ["resource", "action"])
    op.create_index("idx_audit_timestamp_action", "audit_logs", ["timestamp", "action"])
    op.create_index("idx_audit_user_action", "audit_logs", ["user_id", "action"])


def downgrade() -> None:
    op.drop_table("audit_logs")
