"""ambulance crews and positions

Crew links (a phone signed in as the crew of one unit, through that unit's crew account of role
`crew`), each unit's track (`unit_positions`) and the latest position's accuracy on the unit row
(latitude, longitude and position_at were already there).

The users' role CHECK gains 'crew'. PostgreSQL replaces the constraint. SQLite cannot alter a
CHECK, and rebuilding `users` (batch mode) would fail on every existing database, whose rows
other tables refer to; widening a CHECK changes no stored row, so the table's definition is
rewritten in place, the procedure SQLite documents for such changes ("Making other kinds of
table schema changes", sqlite.org/lang_altertable.html).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 11:40:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OLD_ROLES = "role IN ('citizen', 'hospital_admin', 'health_officer', 'super_admin', 'display')"
NEW_ROLES = "role IN ('citizen', 'hospital_admin', 'health_officer', 'super_admin', 'display', 'crew')"


def _role_check(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE users DROP CONSTRAINT ck_users_role")
        op.execute(f"ALTER TABLE users ADD CONSTRAINT ck_users_role CHECK ({new})")
        return
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type='table' AND name='users'").scalar()
    if old not in sql:
        raise RuntimeError("users' role check is not the one this migration expects")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type='table' AND name='users'",
                         (sql.replace(old, new),))
    bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")


def upgrade() -> None:
    op.create_table('crew_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('ambulance_id', sa.Integer(), nullable=False),
    sa.Column('crew_user_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['ambulance_id'], ['ambulances.id'], name=op.f('fk_crew_links_ambulance_id_ambulances')),
    sa.ForeignKeyConstraint(['crew_user_id'], ['users.id'], name=op.f('fk_crew_links_crew_user_id_users')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_crew_links_issued_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crew_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_crew_links_token_hash'))
    )
    with op.batch_alter_table('crew_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crew_links_ambulance_id'), ['ambulance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_crew_links_crew_user_id'), ['crew_user_id'], unique=False)

    op.create_table('unit_positions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('ambulance_id', sa.Integer(), nullable=False),
    sa.Column('sos_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('speed_mps', sa.Float(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('latitude BETWEEN -90 AND 90', name=op.f('ck_unit_positions_latitude')),
    sa.CheckConstraint('longitude BETWEEN -180 AND 180', name=op.f('ck_unit_positions_longitude')),
    sa.ForeignKeyConstraint(['ambulance_id'], ['ambulances.id'], name=op.f('fk_unit_positions_ambulance_id_ambulances')),
    sa.ForeignKeyConstraint(['sos_id'], ['sos.id'], name=op.f('fk_unit_positions_sos_id_sos')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_positions'))
    )
    with op.batch_alter_table('unit_positions', schema=None) as batch_op:
        batch_op.create_index('ix_unit_positions_ambulance_at', ['ambulance_id', 'at'], unique=False)
        batch_op.create_index('ix_unit_positions_sos_at', ['sos_id', 'at'], unique=False)
        batch_op.create_index('ix_unit_positions_at', ['at'], unique=False)

    # A plain ADD COLUMN on every backend (no rebuild of a table others refer to).
    op.add_column('ambulances', sa.Column('position_accuracy_m', sa.Float(), nullable=True))
    _role_check(OLD_ROLES, NEW_ROLES)


def downgrade() -> None:
    op.drop_table('unit_positions')
    op.drop_table('crew_links')
    op.execute("DELETE FROM users WHERE role = 'crew'")
    _role_check(NEW_ROLES, OLD_ROLES)
    op.drop_column('ambulances', 'position_accuracy_m')
