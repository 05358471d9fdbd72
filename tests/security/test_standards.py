"""What partner systems receive, checked against the OASIS schemas with lxml: the EDXL-HAVE 1.0
export and every CAP 1.2 message (Alert, Update, Cancel, alone and inside the Atom feed); and the
feed keeping an Update or a Cancel for as long as the alert it replaces would have stayed."""

from datetime import timedelta

import pytest
from lxml import etree
from sqlalchemy import update

from components.cap import ATOM_NS, CAP_NS
from db import alerts, capacity
from db.clock import utcnow
from db.models import Hospital, User
from tests.builders import T0, give_beds
from tests.unit import xml_schemas
from tests.unit.xml_schemas import CAP_XSD, HAVE_XSD, assert_valid

CAP = f"{{{CAP_NS}}}"
ATOM = f"{{{ATOM_NS}}}"


# ---- the schemas themselves ------------------------------------------------------------------


def test_a_missing_schema_fails_in_ci_and_skips_elsewhere(monkeypatch, tmp_path):
    missing = tmp_path / "nope.xsd"
    monkeypatch.setattr(xml_schemas, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="not a skip"):
        xml_schemas.schema(missing)
    monkeypatch.setattr(xml_schemas, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception, match="XML schema not found"):
        xml_schemas.schema(missing)


# ---- EDXL-HAVE -------------------------------------------------------------------------------


@pytest.fixture
def beds(web_db, web_people):
    with web_db.factory() as session:
        give_beds(session, session.get(Hospital, web_people["hospital_a"].id), icu=4, oxygen=0, general=9)
        give_beds(session, session.get(Hospital, web_people["hospital_b"].id), icu=0, oxygen=3, general=0)
        admin = session.get(User, web_people["admin_b"].id)
        capacity.set_ems_status(session, actor=admin, hospital_id=admin.hospital_id, status="closed",
                                reason="Flooded ground floor", now=T0)
        session.commit()


@pytest.mark.parametrize("email", ["officer@example.in", "super@example.in"])
def test_have_export_is_valid_against_the_oasis_schema(client, auth, beds, email):
    auth.login(email)
    response = client.get("/export/have.xml")
    assert response.status_code == 200
    assert_valid(response.data, HAVE_XSD)


def test_have_export_keeps_oxygen_beds_as_ward_beds_with_oxygen(client, auth, beds):
    auth.login("officer@example.in")
    have = "{urn:oasis:names:tc:emergency:EDXL:HAVE:1.0}"
    root = etree.fromstring(client.get("/export/have.xml").data)
    beta = next(h for h in root.iter(f"{have}Hospital") if "Beta" in etree.tostring(h, encoding=str))
    [ward] = [c for c in beta.iter(f"{have}BedCapacity") if c.findtext(f"{have}BedType") == "MedicalSurgical"]
    assert [s.text for s in ward.findall(f"{have}SubCategoryBedType")] == ["Oxygen", "General"]
    assert [c.findtext(f"{have}AvailableCount") for c in ward.findall(f"{have}Capacity")] == ["3", "3", "0"]


def test_have_export_without_an_active_hospital_says_so(client, auth, web_db, web_people):
    with web_db.factory() as session:
        session.execute(update(Hospital).values(status="proposed"))
        session.commit()
    auth.login("officer@example.in")
    response = client.get("/export/have.xml")
    assert response.status_code == 404
    assert "no active hospital" in response.get_data(as_text=True)


# ---- CAP 1.2 ---------------------------------------------------------------------------------


def _officer(session, web_people) -> User:
    return session.get(User, web_people["officer"].id)


def _heatwave(expires, **overrides) -> alerts.AlertInput:
    values = dict(headline="Heatwave: stay indoors", event="Heatwave", severity="Severe", urgency="Expected",
                  certainty="Likely", expires=expires, area_desc="Central Bengaluru", circle_lat=12.9716,
                  circle_lon=77.5946, circle_radius_km=10.0, description="Up to 44 °C <&>",
                  instruction="Drink water often.")
    values.update(overrides)
    return alerts.AlertInput(**values)


def _feed(client) -> list[etree._Element]:
    """The CAP alerts inside the feed's entries, in order."""
    feed = etree.fromstring(client.get("/cap/alerts.xml").data)
    return [entry.find(f"{ATOM}content/{CAP}alert") for entry in feed.findall(f"{ATOM}entry")]


def test_cap_alert_update_and_cancel_are_valid_cap_1_2(client, web_db, web_people):
    now = utcnow()
    with web_db.factory() as session:
        officer = _officer(session, web_people)
        first = alerts.publish(session, actor=officer, now=now, data=_heatwave(now + timedelta(hours=6)))
        region = alerts.publish(session, actor=officer, now=now, data=_heatwave(
            now + timedelta(hours=6), headline="State-wide", circle_lat=None, circle_lon=None,
            circle_radius_km=None, area_desc="Karnataka", description="", instruction=""))
        updated = alerts.update_alert(session, actor=officer, alert_id=first.id, now=now,
                                      data=_heatwave(now + timedelta(hours=8), severity="Extreme"))
        cancel = alerts.cancel_alert(session, actor=officer, alert_id=updated.id, now=now, reason="Cooler now.")
        session.commit()
        identifiers = [m.identifier for m in (first, region, updated, cancel)]
    for identifier, msg_type in zip(identifiers, ["Alert", "Alert", "Update", "Cancel"], strict=True):
        response = client.get(f"/cap/alerts/{identifier}.xml")
        assert response.status_code == 200
        assert_valid(response.data, CAP_XSD)
        assert etree.fromstring(response.data).findtext(f"{CAP}msgType") == msg_type
    embedded = _feed(client)
    assert {a.findtext(f"{CAP}msgType") for a in embedded} == {"Alert", "Cancel"}
    for alert in embedded:
        assert_valid(alert, CAP_XSD)


# ---- the feed keeps cancellations and updates ------------------------------------------------


def test_feed_keeps_a_cancel_until_the_original_would_have_expired(client, web_db, web_people):
    now = utcnow()
    with web_db.factory() as session:
        officer = _officer(session, web_people)
        live = alerts.publish(session, actor=officer, now=now, data=_heatwave(now + timedelta(hours=6)))
        cancel = alerts.cancel_alert(session, actor=officer, alert_id=live.id, now=now)
        # One cancelled two hours ago whose original has expired since: gone from the feed.
        old = alerts.publish(session, actor=officer, now=now - timedelta(hours=3), data=_heatwave(
            now - timedelta(minutes=1), headline="Over"))
        alerts.cancel_alert(session, actor=officer, alert_id=old.id, now=now - timedelta(hours=2))
        session.commit()
        live_identifier, cancel_identifier = live.identifier, cancel.identifier
    [shown] = _feed(client)
    assert shown.getparent().getparent().findtext(f"{ATOM}summary").startswith("Cancel · Severe · ")
    assert shown.findtext(f"{CAP}identifier") == cancel_identifier
    assert shown.findtext(f"{CAP}msgType") == "Cancel"
    assert shown.findtext(f"{CAP}references").split(",")[1] == live_identifier


def test_feed_keeps_an_update_until_the_original_would_have_expired(client, web_db, web_people):
    now = utcnow()
    with web_db.factory() as session:
        officer = _officer(session, web_people)
        # Published three hours ago for six; updated an hour ago to run only until an hour ago.
        first = alerts.publish(session, actor=officer, now=now - timedelta(hours=3), data=_heatwave(
            now + timedelta(hours=3)))
        updated = alerts.update_alert(session, actor=officer, alert_id=first.id, now=now - timedelta(hours=2),
                                      data=_heatwave(now - timedelta(hours=1), headline="Ends early"))
        session.commit()
        first_identifier, update_identifier = first.identifier, updated.identifier
    [shown] = _feed(client)
    assert shown.findtext(f"{CAP}identifier") == update_identifier
    assert shown.findtext(f"{CAP}msgType") == "Update"
    assert shown.findtext(f"{CAP}references").split(",")[1] == first_identifier
