"""alerts in more than one language

`alert_translations`: an alert's event, headline, description and instruction in one more
language (a CAP `<info>` block each, with its `language`); the banner shows the reader's.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 13:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'alert_translations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('alert_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('event', sa.String(length=200), nullable=False),
        sa.Column('headline', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('instruction', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_alert_translations_alert_id_alerts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_translations')),
        sa.UniqueConstraint('alert_id', 'language', name=op.f('uq_alert_translations_alert_id_language')),
    )


def downgrade() -> None:
    op.drop_table('alert_translations')
