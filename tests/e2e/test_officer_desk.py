"""The health officer's desk, end to end in a real browser: an SOS nobody near answered is
offered by the officer to a hospital 60 km away, accepted there, and the citizen's timeline says
so; what the officer types survives the desk's refreshes; a citizen cannot act on the desk."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from components.desk import ID as DESK
from components.dispatch import ID as QUEUE
from db import matching
from db import sos as sos_ops
from db.clock import utcnow
from db.models import AuditEntry, Sos, SosOffer, User
from db.vocabulary import sos_number
from tests.builders import add_hospital, add_user, give_beds

pytestmark = pytest.mark.e2e

SOS_AT = (12.9716, 77.5946)


def _css(pattern: dict) -> str:
    """A CSS selector for a Dash pattern id."""
    text = json.dumps(pattern, sort_keys=True, separators=(",", ":"))
    return "[id='" + text.replace("'", "\\'") + "']"


def _unanswered_sos(web_db, web_people) -> tuple[int, int]:
    """The citizen's SOS, offered to nobody in reach and marked unanswered ten minutes ago; a
    capable hospital 60 km north with its own admin."""
    with web_db.factory() as session:
        citizen = session.get(User, web_people["citizen"].id)
        citizen.full_name, citizen.phone = "Asha Rao", "+91 98450 12345"
        far = add_hospital(session, "Far Away General", lat=SOS_AT[0] + 0.54, lon=SOS_AT[1])
        give_beds(session, far)
        add_user(session, "hospital_admin", email="admin.far@example.in", hospital=far)
        for name in ("hospital_a", "hospital_b"):  # nearby, but closed to new patients
            session.get(type(far), web_people[name].id).ems_status = "closed"
        start = utcnow() - timedelta(minutes=10)
        sos, _ = sos_ops.create_sos(session, actor=citizen, latitude=SOS_AT[0], longitude=SOS_AT[1], now=start,
                                    emergency_type="road_injury")
        for minutes in (0, 2, 4, 6):
            matching.match_due(session, now=start + timedelta(minutes=minutes), rings=(5.0, 15.0),
                               escalate_after=timedelta(seconds=60))
        session.commit()
        assert session.get(Sos, sos.id).status == "unanswered"
        return sos.id, far.id


def test_officer_offers_an_unanswered_sos_60_km_away_and_it_is_accepted_there(web_people, web_db, browser):
    sos_id, far_id = _unanswered_sos(web_db, web_people)
    number = sos_number(sos_id)
    base = browser.start()
    browser.log_in("officer@example.in", lands_on="/officer", role_label="Health officer")
    browser.open("/officer/attention")
    card = f"#{DESK.card(sos_id)}"
    browser.wait_for_contains_text(card, number)
    browser.wait_for_contains_text(card, "Caller: Asha Rao")
    phone = browser.find_element(f"{card} a[href^='tel:']")
    assert phone.get_attribute("href") == "tel:+919845012345"
    assert browser.find_element(f"{card} a[href^='geo:']")

    # What the officer is typing survives several refreshes, focus included.
    note = browser.find_element(_css(DESK.note(sos_id)))
    browser.click(note)
    note.send_keys("called the caller")
    time.sleep(7)  # two refreshes of the desk (every 3 s)
    assert browser.driver.switch_to.active_element == browser.find_element(_css(DESK.note(sos_id)))
    assert browser.find_element(_css(DESK.note(sos_id))).get_attribute("value") == "called the caller"
    browser.click(_css(DESK.add_note(sos_id)))
    browser.wait_for_contains_text("#attention-message", "Note added")
    browser.wait_for_contains_text(card, "called the caller")

    # Offer it to the hospital 60 km away, chosen from the list (nearest capable first).
    chooser = Select(browser.find_element(_css(DESK.hospital(sos_id))))
    labels = [option.text for option in chooser.options]
    assert any(label.startswith("Far Away General · 60 km") for label in labels), labels
    chooser.select_by_value(str(far_id))
    browser.click(_css(DESK.offer(sos_id)))
    browser.wait_for_contains_text("#attention-message", "offered: it is in that hospital's queue now")
    browser.wait_for_contains_text(card, "A health officer asked Far Away General")
    with web_db.factory() as session:
        offer = session.execute(select(SosOffer).where(SosOffer.sos_id == sos_id,
                                                       SosOffer.hospital_id == far_id)).scalar_one()
        assert offer.status == "offered" and offer.requested_by_id == web_people["officer"].id
        assert session.execute(select(AuditEntry).where(AuditEntry.action == "sos.contact_read")).first()
    browser.log_out()

    # The far hospital finds it in its queue and accepts.
    browser.log_in("admin.far@example.in", lands_on="/hospital", role_label="Hospital admin")
    browser.open("/hospital/queue")
    queue_card = f"#{QUEUE.queue_card(sos_id)}"
    browser.wait_for_contains_text(queue_card, number)

    def accept() -> bool:
        buttons = browser.driver.find_elements(By.XPATH, f"//*[@id='{QUEUE.queue_card(sos_id)}']"
                                                         "//button[normalize-space()='Accept']")
        if buttons:
            browser.click(buttons[0])
        with web_db.factory() as session:
            return session.get(Sos, sos_id).hospital_id == far_id

    until(accept, 15, poll=1)
    browser.log_out()

    # The citizen's timeline tells the story.
    browser.log_in("citizen@example.in", lands_on="/citizen", role_label="Citizen")
    browser.driver.get(f"{base}/citizen/sos/{sos_id}")
    browser.wait_for_contains_text("main", "Accepted by Far Away General")
    text = browser.find_element("main").text
    assert "A health officer asked Far Away General" in text
    assert "called the caller" in text


def test_a_citizen_cannot_use_the_desk(web_people, web_db, browser):
    sos_id, far_id = _unanswered_sos(web_db, web_people)
    browser.start()
    browser.log_in("citizen2@example.in", lands_on="/citizen", role_label="Citizen")
    browser.open("/officer/attention")
    browser.wait_for_contains_text("#forbidden", "You do not have access to this page")
    assert browser.count(f"#{DESK.card(sos_id)}") == 0
    assert "Asha Rao" not in browser.find_element("body").text
