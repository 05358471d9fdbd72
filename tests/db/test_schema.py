"""Migrations and models agree, and the demo city loads once."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from db import demo
from db.models import Ambulance, Base, BloodStock, Hospital, HospitalBeds, User
from tests.builders import T0


# SQLite cannot reflect the PostgreSQL-only expression index on hospitals: alembic says so and
# compares the rest.
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_migrations_produce_exactly_the_models(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_demo_city_loads_once_with_an_account_per_role(session):
    assert demo.seed_demo(session, now=T0) is True
    session.commit()
    def count(model):
        return session.execute(select(func.count()).select_from(model)).scalar_one()

    assert count(Hospital) == 20
    assert count(HospitalBeds) == 60
    assert count(BloodStock) == 160
    assert count(Ambulance) >= 40
    roles = set(session.execute(select(User.role)).scalars())
    assert roles == {"citizen", "hospital_admin", "health_officer", "super_admin", "display"}
    assert demo.seed_demo(session, now=T0) is False
    assert count(Hospital) == 20
