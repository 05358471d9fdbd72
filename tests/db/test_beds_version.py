"""The bed search's version: it moves whenever any figure or EMS status a search can show changes,
and stays put otherwise (an unchanged "find a bed" refresh then draws nothing)."""

from datetime import timedelta

from db import capacity
from tests.builders import add_hospital, city


def test_every_change_a_search_shows_moves_the_version_and_reading_does_not(session, clock):
    hospitals, admins = city(session, 2)
    admin, hospital = admins[0], hospitals[0]
    seen = capacity.beds_version(session)
    capacity.search_beds(session, latitude=12.97, longitude=77.59, now=clock())
    assert capacity.beds_version(session) == seen  # a search changes nothing

    capacity.step_available(session, actor=admin, hospital_id=hospital.id, bed_code="GENERAL", delta=-1, now=clock())
    session.flush()
    moved = capacity.beds_version(session)
    assert moved != seen, "a patient in"

    figure = next(f for f in capacity.beds_of_hospital(session, actor=admin, hospital_id=hospital.id)
                  if f.code == "ICU")
    capacity.set_beds(session, actor=admin, hospital_id=hospital.id, bed_code="ICU", total=figure.total,
                      available=figure.available - 1, expected_version=figure.version,
                      now=clock() + timedelta(seconds=1))
    session.flush()
    assert capacity.beds_version(session) != moved, "figures saved"
    moved = capacity.beds_version(session)

    capacity.set_ems_status(session, actor=admin, hospital_id=hospital.id, status="closed", reason="Flooded",
                            now=clock() + timedelta(seconds=2))
    session.flush()
    assert capacity.beds_version(session) != moved, "on diversion"
    moved = capacity.beds_version(session)

    add_hospital(session, "New Hospital")
    assert capacity.beds_version(session) != moved, "a hospital more"


def test_the_recent_version_is_asked_once_a_second_at_most(session, clock, monkeypatch):
    hospitals, admins = city(session, 1)
    calls = []
    real = capacity.beds_version
    monkeypatch.setattr(capacity, "beds_version", lambda s: calls.append(1) or real(s))
    capacity._VERSION_MEMO.clear()
    first = capacity.recent_beds_version(session)
    assert capacity.recent_beds_version(session) == first and len(calls) == 1
    assert capacity.recent_beds_version(session, within_s=0) and len(calls) == 2
