"""first-aid guidance per language

One text per emergency type and language: `guidance.language` (existing rows are English), and
the unique key moves from the type to (type, language).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 13:10:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('guidance') as batch:
        batch.add_column(sa.Column('language', sa.String(length=8), nullable=False, server_default='en'))
        batch.drop_constraint(op.f('uq_guidance_emergency_type'), type_='unique')
        batch.create_unique_constraint(op.f('uq_guidance_emergency_type_language'), ['emergency_type', 'language'])
    with op.batch_alter_table('guidance') as batch:
        batch.alter_column('language', server_default=None)


def downgrade() -> None:
    op.execute("DELETE FROM guidance WHERE language <> 'en'")
    with op.batch_alter_table('guidance') as batch:
        batch.drop_constraint(op.f('uq_guidance_emergency_type_language'), type_='unique')
        batch.create_unique_constraint(op.f('uq_guidance_emergency_type'), ['emergency_type'])
        batch.drop_column('language')
