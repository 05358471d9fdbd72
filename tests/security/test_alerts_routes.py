"""Alerts, guidance and feedback through the web: the public CAP URLs (no login, valid CAP 1.2 parsed
by cap-tools), publishing only by officers and only after a preview, messages at the field with
nothing stored, the banner, feedback rules, and hospitals kept to their own feedback."""

import json
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from cap_tools.models import Alert as CapAlert
from cap_tools.models import MsgType, Severity
from sqlalchemy import func, select
from xsdata.formats.dataclass.parsers import XmlParser

from auth.context import EXTENSION_KEY
from components.cap import ATOM_NS, CAP_NS
from db import alerts, dispatch, feedback, guidance, matching
from db import sos as sos_ops
from db.clock import utcnow
from db.models import Alert, Feedback, User
from tests.builders import ROOT, give_beds
from tests.security.callbacks import alert_form, alert_post, answer_of, dash_page


def parse(document: bytes) -> CapAlert:
    return XmlParser().from_bytes(document, CapAlert)


def _publish(web_db, web_people, **overrides) -> Alert:
    values = dict(headline="Boil drinking water", event="Unsafe water", severity="Severe", urgency="Immediate",
                  certainty="Observed", expires=utcnow() + timedelta(hours=6), area_desc="Indiranagar",
                  circle_lat=12.9784, circle_lon=77.6408, circle_radius_km=3.0,
                  instruction="Boil water for one minute before drinking.")
    values.update(overrides)
    with web_db.factory() as session:
        officer = session.get(User, web_people["officer"].id)
        alert = alerts.publish(session, actor=officer, data=alerts.AlertInput(**values), now=utcnow())
        session.commit()
        session.refresh(alert)
        session.expunge(alert)
        return alert


def _count_alerts(web_db) -> int:
    with web_db.factory() as session:
        return session.execute(select(func.count()).select_from(Alert)).scalar_one()


# ---- public CAP URLs ------------------------------------------------------------------------


def test_cap_documents_and_feed_are_public_and_valid(client, web_app, web_db, web_people):
    base = web_app.server.extensions[EXTENSION_KEY]["config"].base_url  # absolute URLs: the configured one
    alert = _publish(web_db, web_people)
    one = client.get(f"/cap/alerts/{alert.identifier}.xml")  # nobody logged in
    assert one.status_code == 200
    assert one.mimetype == "application/cap+xml"
    cap = parse(one.data)
    assert cap.identifier == alert.identifier and cap.msg_type == MsgType.ALERT
    info = cap.infos[0]
    assert (info.headline, info.severity, info.areas[0].circles) == (
        "Boil drinking water", Severity.SEVERE, ["12.97840,77.64080 3"])
    assert info.web == f"{base}/alerts"

    feed = client.get("/cap/alerts.xml")
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    entries = ET.fromstring(feed.data).findall(f"{{{ATOM_NS}}}entry")
    assert len(entries) == 1
    embedded = parse(ET.tostring(entries[0].find(f"{{{ATOM_NS}}}content/{{{CAP_NS}}}alert")))
    assert embedded.identifier == alert.identifier
    linked = entries[0].find(f"{{{ATOM_NS}}}link").attrib["href"]
    assert linked.startswith(f"{base}/cap/alerts/")
    assert parse(client.get(linked.removeprefix(base)).data).identifier == alert.identifier


def test_feed_leaves_out_expired_alerts_and_shows_cancellations(client, web_db, web_people):
    kept = _publish(web_db, web_people, headline="Kept")
    cancelled = _publish(web_db, web_people, headline="Cancelled")
    with web_db.factory() as session:
        officer = session.get(User, web_people["officer"].id)
        cancel = alerts.cancel_alert(session, actor=officer, alert_id=cancelled.id, now=utcnow())
        # An alert that expired a minute ago (stored as it would have been published earlier).
        old = alerts.publish(session, actor=officer, now=utcnow() - timedelta(hours=2), data=alerts.AlertInput(
            headline="Expired", event="Heat", expires=utcnow() - timedelta(minutes=1), area_desc="City"))
        session.commit()
        cancel_identifier, old_identifier = cancel.identifier, old.identifier
    entries = ET.fromstring(client.get("/cap/alerts.xml").data).findall(f"{{{ATOM_NS}}}entry")
    # The cancellation stays in the feed (until the alert would have expired) instead of the alert.
    assert sorted(e.find(f"{{{ATOM_NS}}}title").text for e in entries) == ["Cancelled: Cancelled", "Kept"]
    # Each message stays readable at its own URL, the cancellation naming what it cancels.
    cap = parse(client.get(f"/cap/alerts/{cancel_identifier}.xml").data)
    assert cap.msg_type == MsgType.CANCEL
    assert cap.references_to_list()[0].identifier == cancelled.identifier
    assert client.get(f"/cap/alerts/{old_identifier}.xml").status_code == 200
    assert kept.identifier


def test_unknown_and_draft_alerts_are_not_found(client, web_db, web_people):
    draft = _publish(web_db, web_people, status="Draft")
    assert client.get(f"/cap/alerts/{draft.identifier}.xml").status_code == 404
    assert client.get("/cap/alerts/nope.xml").status_code == 404
    assert ET.fromstring(client.get("/cap/alerts.xml").data).findall(f"{{{ATOM_NS}}}entry") == []


def test_only_cap_is_public(client):
    assert client.get("/cap/alerts.xml").status_code == 200
    assert client.get("/alerts").status_code == 302  # the page itself needs a login
    assert client.get("/officer/alerts").status_code == 302


# ---- publishing through the callback --------------------------------------------------------


def _callback(web_app, client, marker: str):
    client.get("/login")
    matches = [(k, v) for k, v in web_app.callback_map.items() if marker in k and "callback" in v]
    assert len(matches) == 1, [k for k, _ in matches]
    return matches[0]


# The form's buttons: Preview, and one Publish button per kind of message.


def test_officer_previews_then_publishes(web_app, auth, web_db, web_people):
    auth.login("officer@example.in")
    early = answer_of(alert_post(web_app, auth, button="publish", fields=alert_form()))
    assert "Press Preview first" in json.dumps(early)
    assert _count_alerts(web_db) == 0
    shown = answer_of(alert_post(web_app, auth, button="preview", fields=alert_form()))
    fingerprint = shown["alert-previewed"]["data"]
    assert "Dengue: empty standing water" in json.dumps(shown["alert-preview"])
    assert _count_alerts(web_db) == 0  # a preview stores nothing
    changed = answer_of(alert_post(web_app, auth, button="publish", fields=alert_form(headline="Changed after"),
                                    previewed=fingerprint))
    assert "Press Preview first" in json.dumps(changed)
    done = answer_of(alert_post(web_app, auth, button="publish", fields=alert_form(), previewed=fingerprint))
    assert "Alert published" in json.dumps(done)
    with web_db.factory() as session:
        stored = session.execute(select(Alert)).scalar_one()
        assert (stored.headline, stored.circle_radius_km, stored.area_desc) == (
            "Dengue: empty standing water", 8.0, "Within 8 km of 12.9716, 77.5946")


@pytest.mark.parametrize("overrides,field,message", [
    (dict(headline=""), "headline", "Write a headline"),
    (dict(expires="2020-01-01T10:00"), "expires", "in the past"),
    (dict(radius="0"), "radius", "more than zero"),
    (dict(radius="50000"), "radius", "name the region instead"),
    (dict(centre="somewhere"), "centre", "Type two numbers"),
])
def test_bad_alert_shows_at_the_field_and_stores_nothing(web_app, auth, web_db, web_people, overrides, field,
                                                         message):
    auth.login("officer@example.in")
    for button in ("preview", "publish"):
        payload = answer_of(alert_post(web_app, auth, button=button, fields=alert_form(**overrides),
                                        previewed="anything"))
        at_field = payload[json.dumps({"name": field, "type": "alert-feedback"}, separators=(",", ":"))]
        assert message in at_field["children"]
        assert payload[json.dumps({"name": field, "type": "alert-field"}, separators=(",", ":"))]["invalid"] is True
    assert _count_alerts(web_db) == 0


def test_officer_updates_and_cancels_through_the_form(web_app, client, auth, web_db, web_people):
    first = _publish(web_db, web_people)
    auth.login("officer@example.in")
    fields = alert_form(headline="Boil drinking water: until Friday")
    fingerprint = answer_of(alert_post(web_app, auth, button="preview", fields=fields, mode="update",
                                        reference=str(first.id)))["alert-previewed"]["data"]
    assert "Update published" in json.dumps(answer_of(alert_post(
        web_app, auth, button="publish", fields=fields, mode="update", reference=str(first.id),
        previewed=fingerprint)))
    with web_db.factory() as session:
        update = session.execute(select(Alert).where(Alert.msg_type == "Update")).scalar_one()
        assert update.references_alert_id == first.id
        update_id = update.id
    fingerprint = answer_of(alert_post(web_app, auth, button="preview", fields=fields, mode="cancel",
                                        reference=str(update_id), reason="Supply tested safe."))["alert-previewed"]["data"]
    assert "Cancellation published" in json.dumps(answer_of(alert_post(
        web_app, auth, button="publish", fields=fields, mode="cancel", reference=str(update_id),
        reason="Supply tested safe.", previewed=fingerprint)))
    entries = ET.fromstring(client.get("/cap/alerts.xml").data).findall(f"{{{ATOM_NS}}}entry")
    # Only the cancellation is left in the feed, naming the update it cancels.
    [only] = [parse(ET.tostring(e.find(f"{{{ATOM_NS}}}content/{{{CAP_NS}}}alert"))) for e in entries]
    assert only.msg_type == MsgType.CANCEL
    with web_db.factory() as session:
        assert only.references_to_list()[0].identifier == session.get(Alert, update_id).identifier


@pytest.mark.parametrize("email", ["citizen@example.in", "admin.a@example.in", "super@example.in"])
def test_only_officers_can_call_the_publish_callback(web_app, auth, web_db, web_people, email):
    auth.login(email)
    response = alert_post(web_app, auth, button="publish", fields=alert_form(), previewed="x")
    assert response.status_code == 403
    assert _count_alerts(web_db) == 0


# ---- the banner -----------------------------------------------------------------------------


def _banner(web_app, auth, shown=None):
    key, spec = _callback(web_app, auth.client, "alerts-banner-shown.data")
    body = {"output": key,
            "outputs": [{"id": "alerts-banner", "property": "children"},
                        {"id": "alerts-banner-shown", "property": "data"}],
            "inputs": [{"id": "alerts-banner-refresh", "property": "n_intervals", "value": 3}],
            "state": [{"id": "alerts-banner-shown", "property": "data", "value": shown}],
            "changedPropIds": ["alerts-banner-refresh.n_intervals"]}
    return auth.client.post("/_dash-update-component", json=body, headers=auth.dash_headers())


def test_banner_shows_active_alerts_most_severe_first_as_text(web_app, auth, web_db, web_people):
    _publish(web_db, web_people, headline="Minor thing", severity="Minor")
    _publish(web_db, web_people, headline="<script>window.hacked=1</script>", severity="Extreme")
    auth.login("citizen@example.in")
    payload = answer_of(_banner(web_app, auth))
    text = json.dumps(payload["alerts-banner"]["children"])
    assert text.index("window.hacked") < text.index("Minor thing")
    assert "dangerouslySetInnerHTML" not in text
    # Nothing changed since: nothing is sent again.
    again = _banner(web_app, auth, shown=payload["alerts-banner-shown"]["data"])
    assert again.status_code == 204


def test_shell_has_the_banner_for_signed_in_people(client, auth, web_people):
    auth.login("citizen@example.in")
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert '"alerts-banner"' in layout and '"alerts-banner-refresh"' in layout


# ---- guidance -------------------------------------------------------------------------------


def test_markdown_is_never_rendered_as_raw_html():
    for folder in ("pages", "components"):
        for path in (ROOT / folder).glob("*.py"):
            assert "dangerously_allow_html=True" not in path.read_text(), path


def test_guidance_page_shows_the_chosen_type_as_markdown(client, auth, web_db, web_people):
    with web_db.factory() as session:
        guidance.ensure_default_guidance(session, utcnow())
        officer = session.get(User, web_people["officer"].id)
        guidance.save_guidance(session, actor=officer, emergency_type="choking", title="Choking",
                               body_markdown="1. <script>window.hacked=1</script> Cough hard.", now=utcnow())
        session.commit()
    auth.login("citizen@example.in")
    client.get("/login")
    page = dash_page(auth.client, "/guidance", "?type=choking")
    assert '"Markdown"' in page and "Cough hard." in page and "dangerously_allow_html" not in page
    for emergency_type in guidance.DEFAULT_GUIDANCE:
        assert f"guidance-type-{emergency_type}" in page


@pytest.mark.parametrize("path,email,allowed", [
    ("/officer/alerts", "officer@example.in", True), ("/officer/alerts", "citizen@example.in", False),
    ("/officer/guidance", "officer@example.in", True), ("/officer/guidance", "admin.a@example.in", False),
    ("/hospital/feedback", "admin.a@example.in", True), ("/hospital/feedback", "officer@example.in", False),
    ("/officer/feedback", "officer@example.in", True), ("/officer/feedback", "admin.a@example.in", False),
    ("/alerts", "display@example.in", True), ("/guidance", "citizen@example.in", True),
])
def test_pages_open_only_for_their_roles(client, auth, web_people, path, email, allowed):
    auth.login(email)
    client.get("/login")
    assert ('"forbidden"' not in dash_page(auth.client, path)) is allowed


# ---- feedback -------------------------------------------------------------------------------


def _resolved_sos(web_db, web_people, *, resolve=True) -> int:
    with web_db.factory() as session:
        hospital = session.get(type(web_people["hospital_a"]), web_people["hospital_a"].id)
        give_beds(session, hospital)
        citizen = session.get(User, web_people["citizen"].id)
        admin = session.get(User, web_people["admin_a"].id)
        now = utcnow()
        sos, _ = sos_ops.create_sos(session, actor=citizen, latitude=12.9784, longitude=77.6410, now=now)
        matching.match_due(session, now=now, rings=(1.0,))
        sos_ops.accept_sos(session, actor=admin, sos_id=sos.id, now=now)
        if resolve:
            unit = dispatch.register_unit(session, actor=admin, call_sign="AMB-9", now=now)
            dispatch.assign_unit(session, actor=admin, sos_id=sos.id, unit_id=unit.id, now=now)
            for step in ("en_route", "on_scene"):
                dispatch.move_unit(session, actor=admin, unit_id=unit.id, to_status=step, now=now)
            dispatch.resolve_sos(session, actor=admin, sos_id=sos.id, now=now)
        session.commit()
        return sos.id


def _send_feedback(web_app, auth, sos_id, rating, comment=""):
    """The tracking page's feedback form (a plain form since issue 18); what the person then reads."""
    page = auth.client.get("/citizen")
    data = {"csrf_token": auth.csrf_from(page.get_data(as_text=True)), "comment": comment}
    if rating is not None:
        data["rating"] = str(rating)
    answer = auth.client.post(f"/citizen/sos/{sos_id}/feedback", data=data)
    if answer.status_code == 303:
        answer = auth.client.get(answer.headers["Location"])
    return answer.get_data(as_text=True)


def _feedback_count(web_db) -> int:
    with web_db.factory() as session:
        return session.execute(select(func.count()).select_from(Feedback)).scalar_one()


def test_feedback_before_resolution_is_refused(web_app, auth, web_db, web_people):
    sos_id = _resolved_sos(web_db, web_people, resolve=False)
    auth.login("citizen@example.in")
    payload = _send_feedback(web_app, auth, sos_id, 5)
    assert "once this SOS is resolved" in json.dumps(payload)
    assert _feedback_count(web_db) == 0


def test_feedback_once_with_clear_messages(web_app, auth, web_db, web_people):
    sos_id = _resolved_sos(web_db, web_people)
    auth.login("citizen@example.in")
    assert "five answers" in json.dumps(_send_feedback(web_app, auth, sos_id, 7))
    assert "five answers" in json.dumps(_send_feedback(web_app, auth, sos_id, None))
    assert _feedback_count(web_db) == 0
    assert "Thank you" in json.dumps(_send_feedback(web_app, auth, sos_id, 4, "Kind crew"))
    assert "already given feedback" in json.dumps(_send_feedback(web_app, auth, sos_id, 1))
    assert _feedback_count(web_db) == 1


def test_feedback_on_someone_elses_sos_is_refused(web_app, auth, web_db, web_people):
    sos_id = _resolved_sos(web_db, web_people)
    with web_db.factory() as session:
        from tests.builders import add_user

        add_user(session, "citizen", email="other.citizen@example.in")
        session.commit()
    auth.login("other.citizen@example.in")
    assert "not yours" in json.dumps(_send_feedback(web_app, auth, sos_id, 5))
    assert _feedback_count(web_db) == 0


def _hospital_feedback(web_app, auth):
    key, spec = _callback(web_app, auth.client, "hospital-feedback-items.children")
    body = {"output": key,
            "outputs": [{"id": "hospital-feedback-summary", "property": "children"},
                        {"id": "hospital-feedback-chart", "property": "figure"},
                        {"id": "hospital-feedback-items", "property": "children"}],
            "inputs": [{"id": "hospital-feedback-refresh", "property": "n_intervals", "value": 1}],
            "state": [], "changedPropIds": ["hospital-feedback-refresh.n_intervals"]}
    return json.dumps(answer_of(auth.client.post("/_dash-update-component", json=body, headers=auth.dash_headers())))


def test_a_hospital_sees_only_its_own_feedback(web_app, client, auth, web_db, web_people):
    sos_id = _resolved_sos(web_db, web_people)  # handled by Alpha
    with web_db.factory() as session:
        feedback.submit_feedback(session, actor=session.get(User, web_people["citizen"].id), sos_id=sos_id,
                                 rating=2, comment="Alpha was slow to call back", now=utcnow())
        session.commit()
    auth.login("admin.a@example.in")
    assert "Alpha was slow to call back" in _hospital_feedback(web_app, auth)
    client.post("/logout", data={})
    with client.session_transaction() as flask_session:
        flask_session.clear()
    auth.login("admin.b@example.in")
    seen_by_beta = _hospital_feedback(web_app, auth)
    assert "Alpha was slow to call back" not in seen_by_beta
    assert "No feedback yet" in seen_by_beta
