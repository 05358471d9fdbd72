"""Capacity through the web: exports for officers only, edits only ever to one's own hospital."""

import csv
import io
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from db import capacity
from db.models import HospitalBeds, User
from tests.builders import T0, give_beds
from tests.security.callbacks import save_beds_body

HAVE = "{urn:oasis:names:tc:emergency:EDXL:HAVE:1.0}"


@pytest.fixture
def beds(web_db, web_people):
    with web_db.factory() as session:
        for key in ("hospital_a", "hospital_b"):
            give_beds(session, session.get(type(web_people[key]), web_people[key].id), icu=4, oxygen=2, general=9)
        session.commit()


@pytest.mark.parametrize("path", ["/export/have.xml", "/export/capacity.csv"])
@pytest.mark.parametrize("email,allowed", [("officer@example.in", True), ("super@example.in", True),
                                           ("admin.a@example.in", False), ("citizen@example.in", False)])
def test_exports_are_for_officers_and_super_admins(client, auth, beds, path, email, allowed):
    auth.login(email)
    assert client.get(path).status_code == (200 if allowed else 403)


def test_exports_need_login(client):
    assert client.get("/export/have.xml").status_code == 302


def test_have_export_carries_status_and_counts(client, auth, beds, web_db, web_people):
    with web_db.factory() as session:
        admin = session.get(User, web_people["admin_b"].id)
        capacity.set_ems_status(session, actor=admin, hospital_id=admin.hospital_id, status="closed",
                                reason="Flooded ground floor", now=T0)
        session.commit()
    auth.login("officer@example.in")
    response = client.get("/export/have.xml")
    root = ET.fromstring(response.data)
    assert root.tag == f"{HAVE}HospitalStatus"
    hospitals = root.findall(f"{HAVE}Hospital")
    assert len(hospitals) == 2
    by_name = {h.find(".//{urn:oasis:names:tc:ciq:xnl:3}NameElement").text: h for h in hospitals}
    beta = by_name["Beta Hospital"]
    assert beta.find(f"{HAVE}EmergencyDepartmentStatus/{HAVE}EMSTraffic/{HAVE}EMSTrafficStatus").text == "Closed"
    assert beta.find(f".//{HAVE}EMSTrafficReason").text == "Flooded ground floor"
    counts = {c.find(f"{HAVE}BedType").text: (c.find(f"{HAVE}Capacity/{HAVE}AvailableCount").text,
                                              c.find(f"{HAVE}Capacity/{HAVE}BaselineCount").text)
              for c in beta.findall(f"{HAVE}HospitalBedCapacityStatus/{HAVE}BedCapacity")}
    # Oxygen beds are ward beds with oxygen: a sub-category of MedicalSurgical (HAVE 1.0 has no Oxygen type).
    assert counts == {"AdultICU": ("4", "4"), "MedicalSurgical": ("11", "11")}
    assert beta.find(f"{HAVE}LastUpdateTime").text.endswith("Z")
    pos = beta.find(".//{http://www.opengis.net/gml}pos").text.split()
    assert [round(float(x), 4) for x in pos] == [12.9352, 77.6245]


def test_csv_export_has_a_row_per_hospital_and_bed_type(client, auth, beds):
    auth.login("super@example.in")
    response = client.get("/export/capacity.csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 6
    assert {(r["hospital"], r["bed_type"], r["available"]) for r in rows if r["bed_type"] == "ICU"} == {
        ("Alpha Hospital", "ICU", "4"), ("Beta Hospital", "ICU", "4")}


def test_bed_save_through_the_callback_only_touches_the_callers_hospital(client, web_app, auth, beds, web_db,
                                                                         web_people):
    auth.login("admin.b@example.in")
    response = client.post("/_dash-update-component", json=save_beds_body(web_app, "ICU", 30, 12, 1),
                           headers=auth.dash_headers())
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    with web_db.factory() as session:
        icu = {h: (t, a) for h, t, a in session.execute(
            select(HospitalBeds.hospital_id, HospitalBeds.total, HospitalBeds.available)
            .where(HospitalBeds.bed_type_id == 1))}
    assert icu[web_people["hospital_b"].id] == (30, 12)
    assert icu[web_people["hospital_a"].id] == (4, 4)  # Alpha untouched


def test_bad_bed_figures_through_the_callback_show_at_the_field(client, web_app, auth, beds, web_db, web_people):
    auth.login("admin.a@example.in")
    response = client.post("/_dash-update-component", json=save_beds_body(web_app, "ICU", 5, 9, 1),
                           headers=auth.dash_headers())
    payload = response.get_json()["response"]
    text = str(payload)
    assert "cannot be more than the total" in text
    assert payload['{"code":"ICU","type":"bed-available"}']["invalid"] is True
    assert payload['{"code":"ICU","type":"bed-total"}']["invalid"] is False
    with web_db.factory() as session:
        row = session.execute(select(HospitalBeds).where(HospitalBeds.hospital_id == web_people["hospital_a"].id,
                                                         HospitalBeds.bed_type_id == 1)).scalar_one()
        assert (row.total, row.available) == (4, 4)
