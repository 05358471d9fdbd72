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


def test_the_models_alone_build_a_working_schema(tmp_path):
    """The models' own DDL (constraints written as SQL text included) runs, and the rule that an
    approved hospital admin has a hospital holds in it: alembic's comparison does not read check
    constraints' text, so a word slipped into one would only show here."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm import Session

    engine = create_engine(f"sqlite:///{tmp_path / 'models.sqlite3'}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(User(email="a@example.in", password_hash="x", full_name="A", role="hospital_admin",
                         status="active", hospital_id=None, session_token="t", failed_login_count=0,
                         created_at=T0))
        with pytest.raises(IntegrityError, match="hospital_admin_has_hospital"):
            session.flush()
    engine.dispose()
