"""each citizen's registered address

`users.address`: an optional address a citizen gives at registration (up to 300 characters),
shown with the full name to the hospital that accepted their SOS only, each read audited
(db/officer_desk.caller_contacts).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 10:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('address', sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('address')
