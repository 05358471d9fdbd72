"""The demo city comes alive: a dispatched demo unit drives to its patient at an urban speed,
posting positions as its crew would, the estimate falling as it nears; demo figures stay fresh;
none of it runs where demo data is off."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from config import Config
from db import demo, dispatch, positions
from db import sos as sos_ops
from db.capacity import DEFAULT_STALE_AFTER
from db.geo import haversine_km
from db.models import Ambulance, Hospital, HospitalBeds, UnitPosition, User
from jobs import demo_city
from jobs.__main__ import build_scheduler
from tests.builders import add_user, match_now, send_sos


def test_a_dispatched_demo_unit_drives_to_its_patient(session, clock):
    demo.seed_demo(session, now=clock())
    admin = session.execute(select(User).where(User.email.like("admin.indiranagar@%"))).scalar_one()
    citizen = add_user(session)
    hospital = session.get(Hospital, admin.hospital_id)
    sos = send_sos(session, citizen, now=clock(), lat=hospital.latitude + 0.03, lon=hospital.longitude)
    match_now(session, now=clock())
    sos_ops.accept_sos(session, actor=admin, sos_id=sos.id, now=clock())
    unit = dispatch.available_units(session, actor=admin)[0]
    dispatch.assign_unit(session, actor=admin, sos_id=sos.id, unit_id=unit.unit_id, now=clock())
    session.commit()

    estimates = []
    for _ in range(6):
        assert demo_city.drive_units(session, now=clock.advance(seconds=30), kmh=30) == "moved 1 demo units"
        estimates.append(positions.arrival_for_sos(session, actor=citizen, sos_id=sos.id, now=clock(), kmh=30))
    assert [e.minutes for e in estimates] == sorted((e.minutes for e in estimates), reverse=True)
    assert estimates[-1].distance_km < estimates[0].distance_km
    # 30 s at 30 km/h: 250 m a step, along the straight line.
    step = estimates[0].distance_km - estimates[1].distance_km
    assert 0.2 < step < 0.3
    track = session.execute(select(func.count()).select_from(UnitPosition).where(UnitPosition.sos_id == sos.id)).scalar()
    assert track == 6
    moved = session.get(Ambulance, unit.unit_id)
    assert haversine_km(moved.latitude, moved.longitude, sos.latitude, sos.longitude) < 3.4


def test_demo_figures_stay_fresh_except_those_stale_on_purpose(session, clock):
    demo.seed_demo(session, now=clock())
    later = clock.advance(minutes=45)
    assert demo_city.freshen(session, now=later)
    stale = session.execute(select(func.count()).select_from(HospitalBeds)
                            .where(HospitalBeds.updated_at < later - DEFAULT_STALE_AFTER)).scalar()
    assert stale == 2 * 3  # the two hospitals the demo keeps stale, three bed types each
    assert demo_city.freshen(session, now=later + timedelta(minutes=1)) is None


def test_the_demo_jobs_run_only_with_demo_data(tmp_path):
    def job_ids(demo_data):
        config = Config(database_url=f"sqlite:///{tmp_path / 'jobs.sqlite3'}", secret_key="k",
                        upload_dir=Path(tmp_path), instance_dir=Path(tmp_path), demo_data=demo_data)
        return {job.id for job in build_scheduler(config).get_jobs()}

    assert {"demo_drive", "demo_freshen"} <= job_ids(True)
    assert not {"demo_drive", "demo_freshen"} & job_ids(False)
    assert "prune_tracks" in job_ids(False)
