"""Public health alerts: CAP 1.2 documents (parsed with the independent cap-tools library), who may
publish, bad input refused with nothing stored, expiry, and the update / cancel chain."""

import re
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from cap_tools import AlertState
from cap_tools.models import Alert as CapAlert
from cap_tools.models import Category, Certainty, MsgType, Scope, Severity, Status, Urgency
from sqlalchemy import func, select
from xsdata.formats.dataclass.parsers import XmlParser

from components.cap import ATOM_NS, CAP_NS, alert_xml, feed_xml
from db import alerts
from db.audit import verify_chain
from db.errors import Conflict, InvalidInput, NotAllowed
from db.models import Alert, AuditEntry
from tests.builders import T0, add_hospital, add_user, heatwave

# CAP 1.2 dateTime (schema pattern): whole seconds and an explicit offset, no "Z".
CAP_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$")
CENTRE = (12.9716, 77.5946)


def parse(document: bytes) -> CapAlert:
    return XmlParser().from_bytes(document, CapAlert)


def count(session) -> int:
    return session.execute(select(func.count()).select_from(Alert)).scalar_one()


@pytest.fixture
def officer(session):
    return add_user(session, "health_officer")


def test_published_alert_is_valid_cap_with_the_values_given(session, officer):
    alert = alerts.publish(session, actor=officer, data=heatwave(), now=T0 + timedelta(microseconds=123456))
    document = alert_xml(alert)
    assert ET.fromstring(document).tag == f"{{{CAP_NS}}}alert"
    cap = parse(document)
    assert cap.identifier == alert.identifier and cap.sender == alerts.SENDER
    assert (cap.status, cap.msg_type, cap.scope) == (Status.ACTUAL, MsgType.ALERT, Scope.PUBLIC)
    assert cap.references is None
    info = cap.infos[0]
    assert info.categories == [Category.HEALTH]
    assert (info.event, info.urgency, info.severity, info.certainty) == (
        "Heatwave", Urgency.EXPECTED, Severity.SEVERE, Certainty.LIKELY)
    assert info.headline == "Heatwave: stay indoors 12:00-16:00"
    assert info.instruction.startswith("Drink water often")
    assert info.areas[0].area_desc == "Central Bengaluru"
    assert info.areas[0].circles == ["12.97160,77.59460 10"]
    # Times: whole seconds, explicit offset, the same instants as stored.
    for tag in ("sent", "effective", "expires"):
        text = ET.fromstring(document).find(f".//{{{CAP_NS}}}{tag}").text
        assert CAP_TIME.match(text), text
    assert cap.sent.to_datetime() == T0
    assert info.effective.to_datetime() == T0
    assert info.expires.to_datetime() == T0 + timedelta(hours=24)


def test_identifiers_are_unique(session, officer):
    identifiers = {alerts.publish(session, actor=officer, data=heatwave(), now=T0).identifier for _ in range(20)}
    assert len(identifiers) == 20
    assert all(re.fullmatch(r"[A-Za-z0-9._@-]+", i) for i in identifiers)  # no space, comma, < or &


def test_named_region_without_circle(session, officer):
    alert = alerts.publish(session, actor=officer, now=T0, data=heatwave(
        circle_lat=None, circle_lon=None, circle_radius_km=None, area_desc="Bengaluru Urban district"))
    cap = parse(alert_xml(alert))
    assert cap.infos[0].areas[0].area_desc == "Bengaluru Urban district"
    assert cap.infos[0].areas[0].circles == []


def test_circle_without_a_name_gets_a_description(session, officer):
    alert = alerts.publish(session, actor=officer, now=T0, data=heatwave(area_desc=""))
    assert alert.area_desc == "Within 10 km of 12.9716, 77.5946"


def test_feed_of_active_alerts_parses_entry_by_entry(session, officer):
    minor = alerts.publish(session, actor=officer, now=T0, data=heatwave(severity="Minor", headline="Minor one"))
    extreme = alerts.publish(session, actor=officer, now=T0, data=heatwave(severity="Extreme", headline="Extreme one"))
    alerts.publish(session, actor=officer, now=T0, data=heatwave(headline="Gone soon", expires=T0 + timedelta(hours=1)))
    now = T0 + timedelta(hours=2)
    document = feed_xml(alerts.feed_alerts(session, now=now), base_url="https://hf.example/", now=now)
    feed = ET.fromstring(document)
    assert feed.tag == f"{{{ATOM_NS}}}feed"
    entries = feed.findall(f"{{{ATOM_NS}}}entry")
    parsed = []
    for entry in entries:
        link = entry.find(f"{{{ATOM_NS}}}link").attrib
        assert link["type"] == "application/cap+xml"
        embedded = entry.find(f"{{{ATOM_NS}}}content/{{{CAP_NS}}}alert")
        cap = parse(ET.tostring(embedded))
        assert link["href"] == f"https://hf.example/cap/alerts/{cap.identifier}.xml"
        parsed.append(cap)
    assert [c.identifier for c in parsed] == [extreme.identifier, minor.identifier]  # most severe first


def test_script_in_text_is_escaped_in_xml(session, officer):
    script = "<script>alert('x')</script> & more"
    alert = alerts.publish(session, actor=officer, now=T0, data=heatwave(headline=script, description=script))
    document = alert_xml(alert)
    assert b"<script>" not in document
    cap = parse(document)
    assert cap.infos[0].headline == script and cap.infos[0].description == script


# ---- who may publish ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["citizen", "hospital_admin", "super_admin", "display"])
def test_only_health_officers_publish(session, role):
    person = add_user(session, role, hospital=add_hospital(session) if role == "hospital_admin" else None)
    with pytest.raises(NotAllowed):
        alerts.publish(session, actor=person, data=heatwave(), now=T0)
    assert count(session) == 0


def test_a_pending_officer_cannot_publish(session):
    pending = add_user(session, "health_officer", status="pending")
    with pytest.raises(NotAllowed):
        alerts.publish(session, actor=pending, data=heatwave(), now=T0)


# ---- bad input ------------------------------------------------------------------------------


BAD_ALERTS = [
    (dict(headline="   "), "headline", "Write a headline"),
    (dict(headline="x" * 161), "headline", "under 160"),
    (dict(event=""), "event", "Name the event"),
    (dict(expires=T0 - timedelta(minutes=1)), "expires", "in the past"),
    (dict(expires=T0), "expires", "in the past"),
    (dict(expires=None), "expires", "Give an expiry"),
    (dict(expires=T0 + timedelta(days=31)), "expires", "at most 30 days"),
    (dict(effective=T0 + timedelta(hours=30)), "expires", "after the start time"),
    (dict(effective=T0 - timedelta(hours=2)), "effective", "in the past"),
    (dict(circle_radius_km=0.0), "radius", "more than zero"),
    (dict(circle_radius_km=-3.0), "radius", "more than zero"),
    (dict(circle_radius_km=float("nan")), "radius", "more than zero"),
    (dict(circle_radius_km=0.01), "radius", "too small"),
    (dict(circle_radius_km=5000.0), "radius", "name the region instead"),
    (dict(circle_radius_km=None), "radius", "Give the circle's radius"),
    (dict(circle_lat=None), "centre", "centre"),
    (dict(circle_lat=95.0), "centre", "Latitude is -90 to 90"),
    (dict(circle_lat=None, circle_lon=None, circle_radius_km=None, area_desc=""), "area_desc", "Name the region"),
    (dict(severity="Apocalyptic"), "severity", "Choose one of"),
    (dict(status="Live"), "status", "Choose one of"),
    (dict(category="Gossip"), "category", "Choose one of"),
    (dict(description="x" * 4001), "description", "under 4000"),
]


def test_bad_alerts_are_refused_at_the_field_and_nothing_is_stored(session, officer):
    # One database per backend for every case: the cases only ever read.
    for overrides, field, message in BAD_ALERTS:
        with pytest.raises(InvalidInput, match=message) as error:
            alerts.publish(session, actor=officer, data=heatwave(**overrides), now=T0)
        assert error.value.field == field, overrides
        assert count(session) == 0, overrides
    assert session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 0


@pytest.mark.parametrize("text,field", [("12.9, ", "centre"), ("north", "centre")])
def test_typed_centre_is_checked(text, field):
    with pytest.raises(InvalidInput) as error:
        alerts.parse_centre(text)
    assert error.value.field == field


def test_typed_radius_and_times_are_checked():
    assert alerts.parse_radius(" 2,5 ") == 2.5
    assert alerts.parse_radius("") is None
    with pytest.raises(InvalidInput) as error:
        alerts.parse_radius("five")
    assert error.value.field == "radius"
    at = alerts.parse_local_time("2026-11-28T13:30", field="expires", zone="Asia/Kolkata")
    assert at == T0  # 13:30 in India is 08:00 UTC
    with pytest.raises(InvalidInput) as error:
        alerts.parse_local_time("tomorrow", field="expires")
    assert error.value.field == "expires"


# ---- lifetime -------------------------------------------------------------------------------


def test_expired_alerts_disappear_by_themselves(session, officer):
    alert = alerts.publish(session, actor=officer, now=T0, data=heatwave(expires=T0 + timedelta(hours=3)))
    assert [a.id for a in alerts.active_alerts(session, now=T0 + timedelta(hours=2, minutes=59))] == [alert.id]
    assert alerts.active_alerts(session, now=T0 + timedelta(hours=3)) == []
    assert alerts.feed_alerts(session, now=T0 + timedelta(hours=4)) == []
    assert alerts.state_of(alert, T0 + timedelta(hours=4)) == "expired"
    assert [a.id for a in alerts.history(session)] == [alert.id]  # history keeps it


def test_an_alert_starting_later_is_not_shown_before(session, officer):
    alerts.publish(session, actor=officer, now=T0, data=heatwave(effective=T0 + timedelta(hours=1)))
    assert alerts.active_alerts(session, now=T0) == []
    assert len(alerts.active_alerts(session, now=T0 + timedelta(hours=1))) == 1


def test_banner_order_most_severe_then_newest(session, officer):
    made = {}
    for minutes, severity in [(0, "Minor"), (1, "Extreme"), (2, "Moderate"), (3, "Severe"), (4, "Unknown"),
                              (5, "Extreme")]:
        made[(severity, minutes)] = alerts.publish(session, actor=officer, now=T0 + timedelta(minutes=minutes),
                                                   data=heatwave(severity=severity, headline=f"{severity} {minutes}"))
    order = [a.headline for a in alerts.active_alerts(session, now=T0 + timedelta(minutes=10))]
    assert order == ["Extreme 5", "Extreme 1", "Severe 3", "Moderate 2", "Minor 0", "Unknown 4"]


def test_tests_and_drafts_stay_out_of_the_banner(session, officer):
    for status in ("Actual", "Exercise", "Test", "System", "Draft"):
        alerts.publish(session, actor=officer, now=T0, data=heatwave(status=status, headline=status))
    assert {a.headline for a in alerts.active_alerts(session, now=T0)} == {"Actual", "Exercise"}
    assert {a.headline for a in alerts.feed_alerts(session, now=T0)} == {"Actual", "Exercise", "Test", "System"}


def test_alerts_covering_the_person_come_first(session, officer):
    far = alerts.publish(session, actor=officer, now=T0, data=heatwave(
        severity="Extreme", headline="Mysuru", circle_lat=12.2958, circle_lon=76.6394, circle_radius_km=20))
    region = alerts.publish(session, actor=officer, now=T0, data=heatwave(
        severity="Severe", headline="State", circle_lat=None, circle_lon=None, circle_radius_km=None,
        area_desc="Karnataka"))
    here = alerts.publish(session, actor=officer, now=T0, data=heatwave(severity="Minor", headline="Here"))
    placed = alerts.alerts_for_person(session, now=T0, lat=12.98, lon=77.60)
    assert [(p.alert.id, p.where) for p in placed] == [(here.id, "here"), (region.id, "region"), (far.id, "elsewhere")]
    # Without a location: most severe first.
    assert [p.alert.id for p in alerts.alerts_for_person(session, now=T0)] == [far.id, region.id, here.id]


# ---- update and cancel ----------------------------------------------------------------------


def test_update_then_cancel_chain(session, officer):
    first = alerts.publish(session, actor=officer, data=heatwave(), now=T0)
    updated = alerts.update_alert(session, actor=officer, alert_id=first.id, now=T0 + timedelta(hours=1),
                                  data=heatwave(severity="Extreme", headline="Heatwave worse: 46 °C"))
    cancel = alerts.cancel_alert(session, actor=officer, alert_id=updated.id, reason="Temperatures have dropped.",
                                 now=T0 + timedelta(hours=2))
    docs = [parse(alert_xml(a)) for a in (first, updated, cancel)]
    assert [d.msg_type for d in docs] == [MsgType.ALERT, MsgType.UPDATE, MsgType.CANCEL]
    # Each message names the one it replaces as sender,identifier,sent.
    assert [str(r) for r in docs[1].references_to_list()] == [
        f"{alerts.SENDER},{first.identifier},{alerts.cap_time_text(first.sent)}"]
    assert docs[1].references_to_list()[0].identifier == docs[0].identifier
    assert docs[1].references_to_list()[0].sent.to_datetime() == docs[0].sent.to_datetime()
    assert docs[2].references_to_list()[0].identifier == docs[1].identifier
    # The independent library's own state machine ends with only the cancellation.
    state = AlertState()
    for doc in docs:
        state.ingest(doc)
    assert [a.identifier for a in state] == [cancel.identifier]
    # Nothing of the chain is active any more; the history keeps all three.
    assert alerts.active_alerts(session, now=T0 + timedelta(hours=2)) == []
    assert [a.id for a in alerts.history(session)] == [cancel.id, updated.id, first.id]
    assert (first.superseded_at, updated.superseded_at) == (T0 + timedelta(hours=1), T0 + timedelta(hours=2))
    assert alerts.state_of(cancel, T0 + timedelta(hours=2)) == "cancellation"
    assert [e.action for e in session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()] == [
        "alert.publish", "alert.update", "alert.cancel"]
    assert verify_chain(session).ok


def test_update_shows_instead_of_the_original(session, officer):
    first = alerts.publish(session, actor=officer, data=heatwave(), now=T0)
    updated = alerts.update_alert(session, actor=officer, alert_id=first.id, now=T0 + timedelta(minutes=5),
                                  data=heatwave(headline="Updated"))
    assert [a.id for a in alerts.active_alerts(session, now=T0 + timedelta(minutes=6))] == [updated.id]


def test_a_replaced_alert_cannot_be_replaced_again(session, officer):
    first = alerts.publish(session, actor=officer, data=heatwave(), now=T0)
    alerts.update_alert(session, actor=officer, alert_id=first.id, data=heatwave(), now=T0)
    with pytest.raises(Conflict, match="already updated or cancelled"):
        alerts.update_alert(session, actor=officer, alert_id=first.id, data=heatwave(), now=T0)
    with pytest.raises(Conflict, match="already updated or cancelled"):
        alerts.cancel_alert(session, actor=officer, alert_id=first.id, now=T0)
    assert count(session) == 2


def test_cancelled_and_expired_alerts_cannot_be_updated(session, officer):
    first = alerts.publish(session, actor=officer, data=heatwave(expires=T0 + timedelta(hours=1)), now=T0)
    with pytest.raises(Conflict, match="expired"):
        alerts.cancel_alert(session, actor=officer, alert_id=first.id, now=T0 + timedelta(hours=1))
    second = alerts.publish(session, actor=officer, data=heatwave(), now=T0)
    cancel = alerts.cancel_alert(session, actor=officer, alert_id=second.id, now=T0)
    with pytest.raises(Conflict, match="cancellation"):
        alerts.update_alert(session, actor=officer, alert_id=cancel.id, data=heatwave(), now=T0)


def test_bad_update_changes_nothing(session, officer):
    first = alerts.publish(session, actor=officer, data=heatwave(), now=T0)
    with pytest.raises(InvalidInput):
        alerts.update_alert(session, actor=officer, alert_id=first.id, data=heatwave(headline=""), now=T0)
    session.refresh(first)
    assert first.superseded_at is None
    assert count(session) == 1


def test_citizen_cannot_update_or_cancel(session, officer):
    first = alerts.publish(session, actor=officer, data=heatwave(), now=T0)
    citizen = add_user(session)
    with pytest.raises(NotAllowed):
        alerts.update_alert(session, actor=citizen, alert_id=first.id, data=heatwave(), now=T0)
    with pytest.raises(NotAllowed):
        alerts.cancel_alert(session, actor=citizen, alert_id=first.id, now=T0)
    assert count(session) == 1


def test_preview_validates_but_stores_nothing(session, officer):
    draft = alerts.preview(session, actor=officer, data=heatwave(), now=T0)
    assert draft.headline.startswith("Heatwave") and draft.id is None
    parse(alert_xml(draft))
    with pytest.raises(InvalidInput):
        alerts.preview(session, actor=officer, data=heatwave(expires=T0 - timedelta(hours=1)), now=T0)
    session.flush()
    assert count(session) == 0


def test_two_officers_replacing_one_alert_at_once_make_one_update(pg_db):
    """Eight officers press Update on the same alert at the same instant: one Update is published,
    the others are told someone else acted first (compare-and-set on superseded_at)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from db.models import User

    with pg_db.factory() as session:
        officers = [add_user(session, "health_officer").id for _ in range(8)]
        first_id = alerts.publish(session, actor=session.get(User, officers[0]), data=heatwave(), now=T0).id
        session.commit()
    barrier = threading.Barrier(len(officers))

    def attempt(officer_id):
        with pg_db.factory() as session:
            actor = session.get(User, officer_id)
            barrier.wait()
            try:
                alerts.update_alert(session, actor=actor, alert_id=first_id, data=heatwave(headline=str(officer_id)),
                                    now=T0 + timedelta(minutes=1))
                session.commit()
                return "won"
            except Conflict:
                session.rollback()
                return "refused"

    with ThreadPoolExecutor(len(officers)) as pool:
        outcomes = list(pool.map(attempt, officers))
    assert outcomes.count("won") == 1
    with pg_db.factory() as session:
        assert session.execute(select(func.count()).select_from(Alert).where(Alert.msg_type == "Update")).scalar_one() == 1
        assert len(alerts.active_alerts(session, now=T0 + timedelta(minutes=2))) == 1


# ---- the officer's form: preview first, then publish exactly what was previewed ---------------


def form_text(**overrides) -> dict:
    """What the officer's form sends: every field and choice as text."""
    text = {"event": "Heatwave", "headline": "Heatwave: stay indoors 12:00-16:00", "description": "",
            "instruction": "Drink water often.", "effective": "",
            "expires": alerts.local_input_text(T0 + timedelta(hours=12)), "area_desc": "",
            "centre": "12.9716, 77.5946", "radius": "8", "severity": "Severe", "urgency": "Expected",
            "certainty": "Likely", "category": "Health", "status": "Actual"}
    text.update(overrides)
    return text


def not_previewed(call) -> None:
    with pytest.raises(InvalidInput, match="Press Preview first") as error:
        call()
    assert error.value.field == alerts.PREVIEW


def test_publishing_from_the_form_needs_a_preview_of_exactly_that_content(session, officer):
    def publish(text, previewed):
        return alerts.publish_previewed(session, actor=officer, text=text, area_kind="circle", previewed=previewed,
                                        now=T0 + timedelta(minutes=1))

    not_previewed(lambda: publish(form_text(), None))
    draft = alerts.preview_alert(session, actor=officer, text=form_text(), area_kind="circle", now=T0)
    assert draft.alert.headline == "Heatwave: stay indoors 12:00-16:00" and count(session) == 0
    not_previewed(lambda: publish(form_text(headline="Changed after the preview"), draft.key))
    # A mistake shows at its field first, whatever the key.
    with pytest.raises(InvalidInput) as error:
        publish(form_text(radius="0"), draft.key)
    assert error.value.field == "radius"
    assert count(session) == 0
    published = publish(form_text(), draft.key)
    assert (published.msg_type, published.area_desc) == ("Alert", "Within 8 km of 12.9716, 77.5946")


def test_an_update_or_cancellation_needs_its_own_preview(session, officer):
    first = alerts.publish(session, actor=officer, data=heatwave(), now=T0)
    new_alert = alerts.preview_alert(session, actor=officer, text=form_text(), area_kind="circle", now=T0)
    not_previewed(lambda: alerts.update_previewed(session, actor=officer, alert_id=first.id, text=form_text(),
                                                  area_kind="circle", previewed=new_alert.key, now=T0))
    with pytest.raises(InvalidInput, match="Choose the earlier alert") as error:
        alerts.preview_update(session, actor=officer, alert_id=None, text=form_text(), area_kind="circle", now=T0)
    assert error.value.field == "reference"
    draft = alerts.preview_update(session, actor=officer, alert_id=first.id, text=form_text(), area_kind="circle",
                                  now=T0)
    assert draft.alert.references_alert_id == first.id
    update = alerts.update_previewed(session, actor=officer, alert_id=first.id, text=form_text(), area_kind="circle",
                                     previewed=draft.key, now=T0)
    assert update.msg_type == "Update"

    shown = alerts.preview_cancel(session, actor=officer, alert_id=update.id, reason="Cooler now.", now=T0)
    assert shown.alert.id == update.id  # the preview of a cancellation is the alert that stops showing
    not_previewed(lambda: alerts.cancel_previewed(session, actor=officer, alert_id=update.id,
                                                  reason="Another reason.", previewed=shown.key, now=T0))
    cancel = alerts.cancel_previewed(session, actor=officer, alert_id=update.id, reason="Cooler now.",
                                     previewed=shown.key, now=T0)
    assert cancel.msg_type == "Cancel" and count(session) == 3


def test_an_update_starts_from_the_earlier_alerts_text(session, officer):
    first = alerts.publish(session, actor=officer, data=heatwave(), now=T0)
    text = alerts.form_text_of(session, actor=officer, alert_id=str(first.id), now=T0)
    assert (text["headline"], text["radius"], text["area_kind"]) == (first.headline, "10", "circle")
    assert alerts.form_text_of(session, actor=officer, alert_id=first.id + 1, now=T0) is None


# ---- the feed keeps cancellations and updates -----------------------------------------------


def feed_at(session, now) -> list[Alert]:
    return alerts.feed_alerts(session, now=now)


def embedded(session, now) -> list[CapAlert]:
    """The CAP messages inside the feed's entries, as a feed reader gets them."""
    feed = ET.fromstring(feed_xml(feed_at(session, now), base_url="https://hf.example", now=now))
    return [parse(ET.tostring(e.find(f"{{{ATOM_NS}}}content/{{{CAP_NS}}}alert")))
            for e in feed.findall(f"{{{ATOM_NS}}}entry")]


def test_feed_keeps_a_cancel_until_the_original_would_have_expired(session, officer):
    first = alerts.publish(session, actor=officer, now=T0, data=heatwave(expires=T0 + timedelta(hours=6)))
    cancel = alerts.cancel_alert(session, actor=officer, alert_id=first.id, now=T0 + timedelta(hours=1))
    for at in (T0 + timedelta(hours=1), T0 + timedelta(hours=5, minutes=59, seconds=59)):
        [shown] = embedded(session, at)
        assert (shown.identifier, shown.msg_type) == (cancel.identifier, MsgType.CANCEL)
        assert shown.references_to_list()[0].identifier == first.identifier
    assert feed_at(session, T0 + timedelta(hours=6)) == []
    assert alerts.active_alerts(session, now=T0 + timedelta(hours=1)) == []  # the banner: gone at once


def test_feed_keeps_an_update_until_the_original_would_have_expired(session, officer):
    first = alerts.publish(session, actor=officer, now=T0, data=heatwave(expires=T0 + timedelta(hours=6)))
    # Sent at 1 h, in force from 2 h to 3 h only: before and after that, it still replaces the original.
    updated = alerts.update_alert(session, actor=officer, alert_id=first.id, now=T0 + timedelta(hours=1), data=heatwave(
        headline="Shorter", effective=T0 + timedelta(hours=2), expires=T0 + timedelta(hours=3)))
    for at in (T0 + timedelta(hours=1), T0 + timedelta(hours=2, minutes=30), T0 + timedelta(hours=4)):
        [shown] = embedded(session, at)
        assert (shown.identifier, shown.msg_type) == (updated.identifier, MsgType.UPDATE)
        assert shown.references_to_list()[0].identifier == first.identifier
    assert feed_at(session, T0 + timedelta(hours=6)) == []
    # The banner shows the update only while it is in force.
    assert [a.id for a in alerts.active_alerts(session, now=T0 + timedelta(hours=1))] == []
    assert [a.id for a in alerts.active_alerts(session, now=T0 + timedelta(hours=4))] == []


def test_feed_keeps_the_newest_message_of_a_chain_for_the_longest_expiry_in_it(session, officer):
    first = alerts.publish(session, actor=officer, now=T0, data=heatwave(expires=T0 + timedelta(hours=6)))
    updated = alerts.update_alert(session, actor=officer, alert_id=first.id, now=T0 + timedelta(hours=1),
                                  data=heatwave(expires=T0 + timedelta(hours=3)))
    cancel = alerts.cancel_alert(session, actor=officer, alert_id=updated.id, now=T0 + timedelta(hours=2))
    assert cancel.expires == T0 + timedelta(hours=3)  # the update's expiry
    # Only the newest message, and until the first alert would have expired.
    assert [a.id for a in feed_at(session, T0 + timedelta(hours=2))] == [cancel.id]
    assert [a.id for a in feed_at(session, T0 + timedelta(hours=5))] == [cancel.id]
    assert feed_at(session, T0 + timedelta(hours=6)) == []


def test_feed_leaves_out_drafts_and_alerts_not_started(session, officer):
    draft = alerts.publish(session, actor=officer, now=T0, data=heatwave(status="Draft"))
    alerts.cancel_alert(session, actor=officer, alert_id=draft.id, now=T0)
    alerts.publish(session, actor=officer, now=T0, data=heatwave(effective=T0 + timedelta(hours=1)))
    assert feed_at(session, T0) == []
    assert len(feed_at(session, T0 + timedelta(hours=1))) == 1
