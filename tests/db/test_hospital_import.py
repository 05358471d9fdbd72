"""Bulk hospital import in the National Hospital Directory format."""

import io
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db import hospitals
from db.models import Hospital
from tests.builders import T0

SHARED_CSV = Path(os.environ.get(
    "HEALTHFIRST_HOSPITAL_CSV",
    Path(__file__).resolve().parents[3] / "shared" / "data" / "india_hospital_directory.csv",
))

SAMPLE = '''Location_Coordinates,Hospital_Name,Address_Original_First_Line
"11.6357989, 92.7120575",Chakraborty Multi Speciality Hospital,Near Dollygunj Junction
"11.8311681, 92.6586401",Inhs Dhanvantri,Medical Board Office
"11.8311681, 92.6586401",Maricar Hospital,Near Masjid
"11.8311681, 92.6586401",Maricar Hospital,Near Masjid
"51.5, -0.12",London Clinic,Harley Street
"not, numbers",Broken Hospital,
"12.97",Half Coordinates,
"12.97, 77.59",,No Name Road
"12.97, 77.59",Empty Address Hospital,
'''


def _count(session):
    return session.execute(select(func.count()).select_from(Hospital)).scalar_one()


def test_import_skips_and_reports_bad_rows(session):
    report = hospitals.import_csv(session, io.StringIO(SAMPLE), now=T0)
    session.commit()
    assert report.read == 9
    assert report.imported == 4
    reasons = dict(report.skipped)
    assert "duplicate of line 4" in reasons[5]
    assert "outside the region" in reasons[6]
    assert "must be numbers" in reasons[7]
    assert "Type two numbers" in reasons[8]
    assert "no hospital name" in reasons[9]
    assert _count(session) == 4
    # Several hospitals may share one point: both are kept.
    assert session.execute(select(func.count()).select_from(Hospital)
                           .where(Hospital.latitude == 11.8311681)).scalar_one() == 2


def test_import_twice_adds_nothing(session):
    hospitals.import_csv(session, io.StringIO(SAMPLE), now=T0)
    session.commit()
    again = hospitals.import_csv(session, io.StringIO(SAMPLE), now=T0)
    session.commit()
    assert again.imported == 0 and again.already_present == 4
    assert _count(session) == 4


def test_missing_column_is_a_clear_error(session):
    with pytest.raises(ValueError, match="Hospital_Name"):
        hospitals.import_csv(session, io.StringIO("Location_Coordinates,Name\n\"1, 2\",x\n"), now=T0)


def test_real_directory_imports_with_bad_rows_reported(session):
    if not SHARED_CSV.exists():
        pytest.skip(f"the shared hospital directory is not at {SHARED_CSV} "
                    "(set HEALTHFIRST_HOSPITAL_CSV)")
    with SHARED_CSV.open(newline="", encoding="utf-8-sig") as source:
        report = hospitals.import_csv(session, source, now=T0)
    session.commit()
    assert report.read == 10843
    outside = [r for _, r in report.skipped if "outside the region" in r]
    # The README of the data says about 170 rows fall outside India's box.
    assert 100 <= len(outside) <= 250
    assert report.imported + len(report.skipped) == report.read
    assert _count(session) == report.imported > 10000
    with SHARED_CSV.open(newline="", encoding="utf-8-sig") as source:
        again = hospitals.import_csv(session, source, now=T0)
    assert again.imported == 0 and again.already_present == report.imported
