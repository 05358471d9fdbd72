"""nearest hospitals index (PostgreSQL)

Matching asks for "the nearest few capable hospitals". A bounding box over latitude/longitude
reads every hospital in the box (thousands in a dense city at 100k hospitals); a GiST index on
each hospital's point on the unit sphere (the `cube` extension, which ships with PostgreSQL and is
trusted since 13) walks outward from the SOS and stops after the first few. The straight-line
(chord) distance between two points on the sphere orders them exactly as the great-circle
distance does, so nearest-first stays exact.

SQLite keeps the bounding-box search.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 01:00:00

"""
from typing import Sequence, Union

from alembic import op

revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# db/matching.py orders by earth_point(latitude, longitude) <-> the SOS's point: the indexed expression.
EARTH_POINT = """
CREATE OR REPLACE FUNCTION earth_point(latitude double precision, longitude double precision)
RETURNS cube LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT cube(ARRAY[cos(radians(latitude)) * cos(radians(longitude)),
                    cos(radians(latitude)) * sin(radians(longitude)),
                    sin(radians(latitude))])
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS cube")
    op.execute(EARTH_POINT)
    op.execute("CREATE INDEX ix_hospitals_earth_point ON hospitals USING gist (earth_point(latitude, longitude))")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_hospitals_earth_point")
    op.execute("DROP FUNCTION IF EXISTS earth_point(double precision, double precision)")
