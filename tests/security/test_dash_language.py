"""The Dash pages in the person's language (issue 16): the citizen's pages (find a bed, find blood,
reports, alerts, first aid) and their frame in Hindi for a Hindi browser or choice, with `<html
lang>` saying so; the staff screens, their frame and their callbacks English whatever the choice;
the language switch in the frame posts a token valid for the session; an alert in the reader's
language."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from db import alerts
from db.clock import utcnow
from db.models import User
from tests.builders import HINDI as HINDI_ALERT
from tests.builders import heatwave
from tests.security.callbacks import HINDI_HEADERS, dash_frame, dash_headers, dash_page, readable

# A page's own words in Hindi, one per translated page.
PAGES = {"/beds": "ख़ाली बेड खोजें", "/blood": "ख़ून खोजें", "/alerts": "जन स्वास्थ्य चेतावनियाँ",
         "/guidance": "प्राथमिक उपचार", "/reports": "मेरी मेडिकल रिपोर्ट"}


@pytest.fixture
def hindi_citizen(web_app, auth_for, web_people):
    """A citizen's browser asking for Hindi (not kept open: each request gets its own context,
    and with it its own language)."""
    client = web_app.server.test_client()
    client.environ_base.update({"HTTP_ACCEPT_LANGUAGE": HINDI_HEADERS["Accept-Language"]})
    auth_for(client).login(web_people["citizen"].email)
    return client


def test_a_hindi_browser_gets_the_citizen_pages_in_hindi_and_says_so(hindi_citizen):
    for path, words in PAGES.items():
        page = hindi_citizen.get(path).get_data(as_text=True)
        assert '<html lang="hi">' in page, path
        shown = readable(dash_page(hindi_citizen, path))
        assert words in shown, (path, shown[:400])
        assert "Something went wrong" not in shown and "कुछ गड़बड़" not in shown, path
    frame = dash_frame(hindi_citizen, "/beds")
    assert "लॉग आउट" in frame and "बेड खोजें" in frame and "नागरिक" in frame
    # The switch offers the other language, named in its own language.
    assert '"lang": "en"' in frame and "English" in frame


def test_the_tab_title_is_in_the_page_language(hindi_citizen):
    page = hindi_citizen.get("/beds").get_data(as_text=True)
    assert "बेड खोजें · HealthFirst" in page  # the og:title Dash writes from the page's title


def test_staff_screens_stay_english_frame_and_callbacks_included(web_app, auth_for, web_people):
    admin = web_app.server.test_client()
    admin.environ_base.update({"HTTP_ACCEPT_LANGUAGE": HINDI_HEADERS["Accept-Language"]})
    auth_for(admin).login(web_people["admin_a"].email)
    assert '<html lang="en">' in admin.get("/hospital").get_data(as_text=True)
    frame = dash_frame(admin, "/hospital")
    assert "Log out" in frame and "लॉग आउट" not in frame
    assert '"lang": "en"' in frame  # the frame says its language
    # The same person on a citizen page they may open gets it, and its frame, in Hindi.
    assert '<html lang="hi">' in admin.get("/beds").get_data(as_text=True)
    assert "लॉग आउट" in dash_frame(admin, "/beds")
    assert PAGES["/beds"] in readable(dash_page(admin, "/beds"))
    # The staff page itself: no word of Hindi (its callbacks, asked from it, neither).
    assert not re.search("[\u0900-\u097f]", readable(dash_page(admin, "/hospital")))


def test_the_frames_switch_posts_a_token_valid_for_the_session(hindi_citizen):
    layout = json.loads(dash_frame(hindi_citizen, "/beds"))
    found = []

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            if props.get("id") == "language-csrf":
                found.append(props["value"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(layout)
    assert found
    answer = hindi_citizen.post("/language", data={"csrf_token": found[0], "language": "en", "next": "/beds"})
    assert answer.status_code == 303 and answer.headers["Location"] == "/beds"
    assert '<html lang="en">' in hindi_citizen.get("/beds").get_data(as_text=True)
    assert "Find a free bed" in readable(dash_page(hindi_citizen, "/beds"))


def test_an_alert_is_shown_in_the_readers_language(hindi_citizen, web_app, auth_for, web_db, web_people):
    now = utcnow()
    with web_db.factory() as session:
        officer = session.get(User, web_people["officer"].id)
        alerts.publish(session, actor=officer, now=now,
                       data=heatwave(expires=now + timedelta(hours=6), translations=(HINDI_ALERT,)))
        session.commit()
    shown = readable(_alerts_refresh(hindi_citizen))
    assert HINDI_ALERT[2] in shown and "Heatwave: stay indoors" not in shown
    assert "गंभीर" in shown  # the CAP severity in the reader's words
    # An English reader gets the English.
    english = web_app.server.test_client()
    auth_for(english).login(web_people["citizen2"].email)
    shown = readable(_alerts_refresh(english))
    assert "Heatwave: stay indoors" in shown and HINDI_ALERT[2] not in shown


def _alerts_refresh(client) -> str:
    body = {"output": "..alerts-active.children...alerts-history-box.children...alerts-where.children..",
            "outputs": [{"id": "alerts-active", "property": "children"},
                        {"id": "alerts-history-box", "property": "children"},
                        {"id": "alerts-where", "property": "children"}],
            "inputs": [{"id": "alerts-refresh", "property": "n_intervals", "value": 1},
                       {"id": "alerts-geo", "property": "position", "value": None}],
            "state": [], "changedPropIds": ["alerts-refresh.n_intervals"]}
    answer = client.post("/_dash-update-component", json=body, headers=dash_headers(client, "/alerts"))
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.get_data(as_text=True)
