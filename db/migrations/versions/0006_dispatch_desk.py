"""dispatch desk: landmarks, officer offers, call-back numbers

- `landmarks`: places people name, so an SOS's place is told in words ("1.2 km NE of
  Indiranagar Metro"); imported from a CSV (`flask --app app import-landmarks`) or seeded by the
  demo city.
- `sos_offers.requested_by_id`: the health officer who offered an SOS to a hospital by hand.
- `sos.callback_phone`: a number to call back, typed at SOS time by a citizen who registered none.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-04 12:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'landmarks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('latitude', sa.Float(), nullable=False),
        sa.Column('longitude', sa.Float(), nullable=False),
        sa.Column('import_key', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_landmarks')),
        sa.UniqueConstraint('import_key', name=op.f('uq_landmarks_import_key')),
    )
    op.create_index('ix_landmarks_lat_lon', 'landmarks', ['latitude', 'longitude'], unique=False)
    with op.batch_alter_table('sos_offers') as batch:
        batch.add_column(sa.Column('requested_by_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_sos_offers_requested_by_id_users'), 'users',
                                 ['requested_by_id'], ['id'])
    with op.batch_alter_table('sos') as batch:
        batch.add_column(sa.Column('callback_phone', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sos') as batch:
        batch.drop_column('callback_phone')
    with op.batch_alter_table('sos_offers') as batch:
        batch.drop_constraint(op.f('fk_sos_offers_requested_by_id_users'), type_='foreignkey')
        batch.drop_column('requested_by_id')
    op.drop_index('ix_landmarks_lat_lon', table_name='landmarks')
    op.drop_table('landmarks')
