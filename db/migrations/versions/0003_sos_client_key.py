"""SOS idempotency key

An SOS pressed while the phone is offline is kept on the phone and sent when the connection
returns, perhaps more than once (a retry after a lost answer). Each carries a key the phone chose;
the key is unique per citizen, so a repeat finds the SOS already made instead of making another.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 12:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("sos") as batch:
        batch.add_column(sa.Column("client_key", sa.String(length=64), nullable=True))
    op.create_index("uq_sos_citizen_client_key", "sos", ["citizen_id", "client_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_sos_citizen_client_key", table_name="sos")
    with op.batch_alter_table("sos") as batch:
        batch.drop_column("client_key")
