"""The axe sweep: axe-core (tests/e2e/axe/, pinned) runs in a real browser on every page of every
role and on the states that matter (a form showing its errors, an SOS waiting for a hospital, the
page a role may not open), and the test fails on any critical or serious violation, listing each
one as rule id, CSS target and help.

To sweep one more page, add a `Screen` to `SCREENS`: the role that opens it (None: logged out), its
path, and optionally `prepare` (puts data in the database before the browser opens the page: it
gets the session and the people of `one_of_each`) and `then` (what a person does on the page
before axe looks, e.g. submitting an empty form). Screens of one role share one login.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from db import sos as sos_ops
from tests.builders import CENTRE, T0, city, match_now, send_sos
from tests.e2e.accessibility import audit, describe

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Screen:
    role: str | None  # a key of one_of_each ("citizen", "admin_a", "officer", "super"), None: logged out
    path: str
    state: str = ""  # what this screen shows beyond the plain page, for the failure message
    prepare: Callable | None = None  # (session, people) -> None, before the page is opened
    then: Callable | None = None  # (browser) -> None, on the opened page before axe runs


# ---- states -----------------------------------------------------------------------------------


def _sos_waiting_for_alpha(session, people):
    """A citizen's SOS offered to Alpha Hospital (admin_a's), waiting for an answer."""
    from tests.builders import give_beds

    give_beds(session, people["hospital_a"])
    send_sos(session, people["citizen"], lat=people["hospital_a"].latitude, lon=people["hospital_a"].longitude)
    match_now(session)


def _held_by_alpha_with_unit(session, people, citizen="citizen2"):
    """An SOS Alpha accepted, its unit sent and on the map (held card map, units' map)."""
    from db import dispatch, positions
    from db import sos as sos_ops
    from db.clock import utcnow
    from db.models import HospitalBeds
    from tests.builders import add_crew, give_beds

    now = utcnow()
    if not session.query(HospitalBeds).filter_by(hospital_id=people["hospital_a"].id).first():
        give_beds(session, people["hospital_a"])
    _token, unit, crew = add_crew(session, people["admin_a"], call_sign="AMB-3", now=now)
    sos = send_sos(session, people[citizen], now=now, lat=people["hospital_a"].latitude + 0.01,
                   lon=people["hospital_a"].longitude)
    match_now(session, now=now)
    sos_ops.accept_sos(session, actor=people["admin_a"], sos_id=sos.id, now=now)
    dispatch.assign_unit(session, actor=people["admin_a"], sos_id=sos.id, unit_id=unit.id, now=now)
    positions.record_position(session, actor=crew, latitude=people["hospital_a"].latitude,
                              longitude=people["hospital_a"].longitude, now=now)
    _HELD["sos"] = sos.id


_HELD: dict = {}


def _accepted_by_alpha_unit_to_choose(session, people):
    """An SOS Alpha accepted with no ambulance sent yet, one free to choose (the held card's select)."""
    from db.clock import utcnow
    from tests.builders import add_crew, add_user

    now = utcnow()
    add_crew(session, people["admin_a"], call_sign="AMB-4", now=now)
    sos = send_sos(session, add_user(session, "citizen"), now=now, lat=people["hospital_a"].latitude - 0.01,
                   lon=people["hospital_a"].longitude)
    match_now(session, now=now)
    sos_ops.accept_sos(session, actor=people["admin_a"], sos_id=sos.id, now=now)


def _a_few_hospitals(session, _people):
    city(session, 2)


def _submit(selector: str, shown: str):
    def submit(browser):
        browser.click(selector)
        browser.wait_for_element(shown, timeout=10)
    return submit


def _in_hindi(browser):
    """The navbar's language switch, as a person uses it (last of the citizen's screens: the choice stays)."""
    from dash.testing.wait import until

    browser.click("#language-hi")
    until(lambda: browser.driver.execute_script("return document.documentElement.lang") == "hi"
          and browser.text("main h1") == "ख़ाली बेड खोजें", 15)


def _sos_of_the_citizen(session, people):
    """The citizen's open SOS (an earlier screen of the sweep may have made one already)."""
    sos_ops.create_sos(session, actor=people["citizen"], latitude=CENTRE[0], longitude=CENTRE[1], now=T0,
                       emergency_type="chest_pain")


def _plain_in_hindi(browser):
    """The language switch in the plain frame's navbar: the page comes back in Hindi."""
    browser.click("#navbar .language-switch button[value='hi']")
    browser.wait_for_element("html[lang='hi'] #sos-form, html[lang='hi'] #track-body", timeout=10)


def _tracking_in_hindi(browser):
    _plain_in_hindi(browser)
    browser.click("#sos-track-link")
    browser.wait_for_element("html[lang='hi'] #track-timeline", timeout=10)


def _crew_link_issued(browser):
    """A crew link just issued for the first unit: the link shown once, in its message."""
    from dash.testing.wait import until
    from selenium.webdriver.support.ui import Select

    until(lambda: browser.count("#crew-link-unit option[value]:not([value=''])") > 0, 10)
    Select(browser.find_element("#crew-link-unit")).select_by_index(1)
    browser.click("#crew-link-issue")
    browser.wait_for_contains_text("#crew-link-url", "/kiosk/crew/", timeout=10)


def _kiosk_link_issued(browser):
    browser.type_into("#kiosk-label", "Control room wall 1")
    browser.click("#kiosk-issue")
    browser.wait_for_contains_text("#kiosk-url", "/kiosk/", timeout=10)


def _alert_field(name: str) -> str:
    return f"[id='{{\"name\":\"{name}\",\"type\":\"alert-field\"}}']"


def _alert_in_two_languages(browser):
    """The officer's alert written in English and Hindi, previewed: each language's block."""
    for name, text in (("event", "Heatwave"), ("headline", "Heatwave: stay indoors"), ("event:hi", "लू"),
                       ("headline:hi", "लू: घर के अंदर रहें"), ("centre", "12.97, 77.59")):
        browser.type_into(_alert_field(name), text)
    browser.click("#alert-preview-button")
    browser.wait_for_element("#alert-preview-card-hi", timeout=10)


def _hindi_guidance_missing(session, _people):
    """First-aid guidance whose Hindi text is missing for cardiac arrest (citizens get the English)."""
    from sqlalchemy import delete

    from db import guidance
    from db.clock import utcnow
    from db.models import Guidance

    guidance.ensure_default_guidance(session, utcnow())
    session.execute(delete(Guidance).where(Guidance.emergency_type == "cardiac_arrest", Guidance.language == "hi"))


def _guidance_not_translated(browser):
    """The guidance editor on a language with no text of its own, the English to translate from open."""
    from selenium.webdriver.support.ui import Select

    Select(browser.wait_for_element("#guidance-edit-language")).select_by_value("hi")
    browser.click(browser.wait_for_element("#guidance-not-translated summary", timeout=10))
    browser.wait_for_element("#guidance-english-reference", timeout=10)


HOME = {"citizen": "/citizen", "admin_a": "/hospital", "officer": "/officer", "super": "/admin"}

SCREENS: list[Screen] = [
    # Plain Flask pages, logged out.
    Screen(None, "/login"),
    Screen(None, "/login", "wrong password", then=lambda b: (
        b.type_into("#email", "nobody@example.in"), b.type_into("#password", "wrong-password"),
        b.click("#login-submit"), b.wait_for_element(".alert, .invalid-feedback", timeout=10))),
    Screen(None, "/register"),
    Screen(None, "/register", "submitted empty", then=_submit("#register-submit", ".invalid-feedback")),
    # A citizen.
    Screen("citizen", "/citizen"),
    Screen("citizen", "/beds"),
    Screen("citizen", "/alerts"),
    Screen("citizen", "/guidance"),
    Screen("citizen", "/reports"),
    Screen("citizen", "/blood", prepare=_a_few_hospitals),
    Screen("citizen", "/reports/upload"),
    Screen("citizen", "/reports/upload", "submitted empty", then=_submit("#upload-submit", ".alert-danger, .invalid-feedback")),
    Screen("citizen", "/admin", "a page the role may not open (403)"),
    Screen("citizen", "/beds", "in Hindi", then=_in_hindi),
    Screen("citizen", "/citizen", "tracking: the ambulance on the sketch map",
           prepare=lambda session, people: _held_by_alpha_with_unit(session, people, "citizen"),
           then=lambda b: (b.open(f"/citizen/sos/{_HELD['sos']}"), b.wait_for_element("#track-map", timeout=10))),
    # The citizen's plain pages in Hindi (the switch is kept on the account: these come last).
    Screen("citizen", "/citizen", "in Hindi, no location: the typed place open", then=_plain_in_hindi),
    Screen("citizen", "/citizen", "in Hindi: the tracking page of an open SOS", prepare=_sos_of_the_citizen,
           then=_tracking_in_hindi),
    # A hospital admin.
    Screen("admin_a", "/hospital", "an SOS waiting", prepare=_sos_waiting_for_alpha),
    Screen("admin_a", "/hospital/queue", "an SOS waiting (made for /hospital above)"),
    Screen("admin_a", "/hospital/queue", "an SOS held, its unit on the maps", prepare=_held_by_alpha_with_unit,
           then=lambda b: b.wait_for_contains_text("#queue-units-list", "AMB-3", timeout=10)),
    Screen("admin_a", "/hospital/queue", "an SOS accepted, its ambulance still to choose",
           prepare=_accepted_by_alpha_unit_to_choose,
           then=lambda b: b.wait_for_element("#queue-active select", timeout=10)),
    Screen("admin_a", "/hospital/capacity"),
    Screen("admin_a", "/hospital/ambulances"),
    Screen("admin_a", "/hospital/ambulances", "a crew link just issued", then=_crew_link_issued),
    Screen("admin_a", "/hospital/feedback"),
    Screen("admin_a", "/reports"),
    Screen("admin_a", "/blood"),
    Screen("admin_a", "/alerts"),
    # A health officer.
    Screen("officer", "/officer", prepare=_a_few_hospitals),
    Screen("officer", "/officer/attention", "an SOS waiting", prepare=_sos_waiting_for_alpha),
    Screen("officer", "/officer/overview"),
    Screen("officer", "/officer/alerts"),
    Screen("officer", "/officer/alerts", "previewed empty", then=_submit("#alert-preview-button", ".invalid-feedback")),
    Screen("officer", "/officer/guidance"),
    Screen("officer", "/officer/alerts", "previewed in English and Hindi", then=_alert_in_two_languages),
    Screen("officer", "/officer/guidance", "Hindi not translated yet", prepare=_hindi_guidance_missing,
           then=_guidance_not_translated),
    Screen("officer", "/officer/feedback"),
    Screen("officer", "/officer/kiosks"),
    Screen("officer", "/officer/kiosks", "a display link just issued", then=_kiosk_link_issued),
    Screen("officer", "/blood"),
    # The super admin.
    Screen("super", "/admin"),
    Screen("super", "/admin/approvals"),
    Screen("super", "/admin/audit"),
    Screen("super", "/admin/users"),
    Screen("super", "/admin/hospitals"),
    Screen("super", "/officer/attention"),
    Screen("super", "/officer/feedback"),
    Screen("super", "/officer/kiosks"),
    Screen("super", "/alerts"),
    Screen("super", "/blood"),
]


# Links in a map's attribution line, drawn over the map's tiles: axe cannot judge their contrast
# against the text around them (an image behind), so they are checked here: each must be underlined.
_ATTRIBUTION_LINKS_NOT_UNDERLINED = """
return [...document.querySelectorAll('.leaflet-control-attribution a')]
  .filter(a => !getComputedStyle(a).textDecorationLine.includes('underline'))
  .map(a => a.textContent.trim());
"""


def sweep(browser, web_db, people, role, screens) -> list[str]:
    """Open each screen as `role` and collect what axe finds, one block per screen."""
    with web_db.factory() as session:
        for screen in screens:
            if screen.prepare:
                screen.prepare(session, {k: session.merge(v) for k, v in people.items()})
        session.commit()
    browser.start()
    if role is not None:
        browser.log_in(people[role].email, lands_on=HOME[role])
    failures = []
    for screen in screens:
        browser.open(screen.path)
        if screen.then:
            screen.then(browser)
        found = audit(browser)
        label = f"{role or 'logged out'} {screen.path}" + (f" ({screen.state})" if screen.state else "")
        if found:
            failures.append(describe(found, where=f"{label}: "))
        plain = browser.driver.execute_script(_ATTRIBUTION_LINKS_NOT_UNDERLINED)
        if plain:
            failures.append(f"{label}: map attribution links told apart from its text by colour alone: {plain}")
    return failures


ROLES = [None, "citizen", "admin_a", "officer", "super"]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "logged-out")
def test_every_screen_has_no_serious_accessibility_violation(web_people, browser, web_db, role):
    screens = [s for s in SCREENS if s.role == role]
    failures = sweep(browser, web_db, web_people, role, screens)
    assert not failures, "axe-core found critical or serious violations:\n" + "\n".join(failures)


def test_a_field_error_is_tied_to_its_field_and_read_out(web_people, browser):
    browser.start()
    browser.log_in(web_people["officer"].email, lands_on="/officer")
    browser.open("/officer/alerts")
    browser.click("#alert-preview-button")
    field = '[id=\'{"name":"centre","type":"alert-field"}\']'  # the first field refused
    browser.wait_for_element(f"{field}[aria-invalid='true']", timeout=10)
    described = browser.driver.execute_script(
        "const f = document.querySelector(arguments[0]);"
        "return (f.getAttribute('aria-describedby') || '').split(' ').map(id => document.getElementById(id))"
        "  .filter(m => m && m.innerText.trim()).map(m => [m.getAttribute('role'), m.innerText.trim()]);", field)
    assert described and described[0][0] == "alert", described
    # The label is announced with the field.
    assert browser.driver.execute_script(
        "return document.querySelector(arguments[0]).labels.length", field) == 1


def test_a_new_sos_is_read_out_on_the_hospital_dashboard_without_moving_focus(web_people, web_db, browser):
    browser.start()
    browser.log_in(web_people["admin_a"].email, lands_on="/hospital")
    browser.wait_for_text_to_equal("#kpi-sos-waiting .kpi-value", "0", timeout=10)
    assert browser.text("#live-status") == ""
    browser.find_element("#go-ambulances").send_keys("")  # the keyboard is on a button
    with web_db.factory() as session:
        _sos_waiting_for_alpha(session, {k: session.merge(v) for k, v in web_people.items()})
        session.commit()
    browser.wait_for_text_to_equal("#kpi-sos-waiting .kpi-value", "1", timeout=20)
    browser.wait_for_contains_text("#live-status", "New SOS: 1 SOS waiting for you", timeout=5)
    assert browser.driver.execute_script("return document.activeElement.id") == "go-ambulances"
    region = browser.find_element("#live-status")
    assert (region.get_attribute("role"), region.get_attribute("aria-live")) == ("status", "polite")


def test_the_wall_live_and_in_an_outage_and_the_crew_phone_have_no_serious_violation(web_app, web_people, web_db,
                                                                                    browser):
    """The screens of the two roles the sweep above does not log in as: the wall display (also in
    a database outage, its "NO NEW DATA" state) and an ambulance crew's phone with a job."""
    from dash.testing.wait import until

    from db import dispatch
    from db.clock import utcnow
    from db.models import User
    from tests.builders import PASSWORD, add_crew, cut_database, give_beds

    with web_db.factory() as session:
        admin = session.get(User, web_people["admin_a"].id)
        give_beds(session, admin.hospital)
        token, unit, _crew = add_crew(session, admin, call_sign="AMB-3", now=utcnow())
        sos = send_sos(session, session.get(User, web_people["citizen"].id), now=utcnow(), lat=12.9784, lon=77.6408)
        match_now(session, now=utcnow())
        sos_ops.accept_sos(session, actor=admin, sos_id=sos.id, now=utcnow())
        dispatch.assign_unit(session, actor=admin, sos_id=sos.id, unit_id=unit.id, now=utcnow())
        session.commit()
    browser.start()
    failures = []
    browser.set_window_size(1366, 768)
    browser.log_in("display@example.in", PASSWORD, lands_on="/display", role_label="Wall display")
    browser.wait_for_element("#wall-sos")
    failures += [describe(found, where="/display: ") for found in [audit(browser)] if found]
    restore = cut_database(web_app)
    try:
        until(lambda: "NO NEW DATA" in browser.text("#wall-outage"), 30, poll=0.5)
        failures += [describe(found, where="/display (outage): ") for found in [audit(browser)] if found]
    finally:
        restore()
    phone = browser.another()
    phone.set_window_size(390, 844)
    phone.driver.get(f"{browser.base}/kiosk/crew/{token}")
    phone.wait_for_path("/crew")
    until(lambda: "AMB-3" in phone.text("body"), 10)
    failures += [describe(found, where="/crew (a job): ") for found in [audit(phone)] if found]
    assert not failures, "axe-core found critical or serious violations:\n" + "\n".join(failures)
