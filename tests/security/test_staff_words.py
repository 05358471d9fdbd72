"""The staff screens' words are extracted for translation (issue 16: "Hospital, officer and admin
screens at least in English with their strings extracted so a translation can be added without
code changes").

Under a pseudo-translation, where every translated string comes back as "⟦…⟧", each staff page's
layout, the callbacks that draw it, a few actions' answers, the words its scripts take from the
page, and the wall's feed show no English word outside the brackets: what is left is data (names,
numbers, times, SOS numbers, e-mail addresses). An English literal left in the code shows up here.
The staff screens stay English by default (`<html lang="en">`) and follow a language listed in
HEALTHFIRST_STAFF_LANGUAGES."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta

import flask_babel
import pytest
from babel.support import NullTranslations

from auth.context import EXTENSION_KEY
from db import dispatch
from db import sos as sos_ops
from db.clock import utcnow
from db.models import Ambulance, BedType, CrewLink, Hospital, User
from tests.builders import add_crew, add_user, give_beds, match_now, send_sos
from tests.security.callbacks import ACCOUNT_FOR_ROLE, post_answer

PAGES = {
    "hospital_admin": ["/hospital", "/hospital/queue", "/hospital/ambulances", "/hospital/capacity",
                       "/hospital/feedback"],
    "health_officer": ["/officer", "/officer/overview", "/officer/attention", "/officer/feedback",
                       "/officer/kiosks"],
    "super_admin": ["/admin", "/admin/users", "/admin/hospitals", "/admin/approvals", "/admin/audit"],
    "display": ["/display"],
}
# Where a component shows words: its text and the props a person sees or hears.
SHOWN = {"children", "placeholder", "label", "title", "message", "headerName", "noRowsToShow", "aria-label", "text"}
# A waiting SOS's card is data the page's script draws: the fields it shows ("place" is the db's
# description of the place, db/landmarks.py, not the page's words).
ROW_SHOWN = {"priority", "type", "where", "waited", "point", "caller"}
# A grid's rows: the fields shown as words (a row's "status" is a label where the row also has its
# code; the hospitals' grid keeps the code there and shows its column's refData, checked as a label).
GRID_SHOWN = {"in_status", "updated", "last_login", "ems_status", "expiry", "role"}
# Words that are data or names, not the interface's: the product, the map's legal credit, units.
DATA_WORDS = {"HealthFirst", "km", "min", "s", "h", "m", "BLS", "ALS"}
# Codes written as they are: blood groups, call signs and plates ("AMB-4", "KA-01-AB-1234").
CODES = re.compile(r"(?<![\w])(?:AB|A|B|O)[+-]|\b[A-Z]{2,}(?:-[A-Z0-9]+)+\b")
INTERVAL_INPUTS = ("n_intervals",)
ACTION_INPUTS = ("n_clicks", "submit_n_clicks", "cellValueChanged", "n_submit", "selectedRows")


class Pseudo(NullTranslations):
    """Every string "translated" into ⟦string⟧: what is not inside brackets was never translated."""

    def gettext(self, message):
        return f"⟦{message}⟧"

    def ngettext(self, singular, plural, n):
        return f"⟦{singular if n == 1 else plural}⟧"

    ugettext, ungettext = gettext, ngettext

    def pgettext(self, context, message):
        return self.gettext(message)

    def npgettext(self, context, singular, plural, n):
        return self.ngettext(singular, plural, n)


@pytest.fixture
def pseudo(monkeypatch):
    monkeypatch.setattr(flask_babel.Domain, "get_translations", lambda self: Pseudo())


@pytest.fixture
def busy(web_db, web_people):
    """A hospital with beds, a unit, one SOS waiting for it, one it took, and a crew link; an
    account waiting for approval."""
    now = utcnow()
    with web_db.factory() as session:
        hospital = session.get(Hospital, web_people["hospital_a"].id)
        admin = session.get(User, web_people["admin_a"].id)
        citizen = session.get(User, web_people["citizen"].id)
        give_beds(session, hospital, now=now)
        token, unit, _crew = add_crew(session, admin, now=now)
        held = send_sos(session, citizen, now=now - timedelta(minutes=3), lat=hospital.latitude + 0.01,
                        lon=hospital.longitude)
        match_now(session, now=now - timedelta(minutes=3))
        sos_ops.accept_sos(session, actor=admin, sos_id=held.id, now=now - timedelta(minutes=2))
        dispatch.assign_unit(session, actor=admin, sos_id=held.id, unit_id=unit.id, now=now - timedelta(minutes=2))
        waiting = send_sos(session, session.get(User, web_people["citizen2"].id), now=now,
                           lat=hospital.latitude - 0.01, lon=hospital.longitude)
        match_now(session, now=now)
        add_user(session, "health_officer", email="waiting@example.in", status="pending")
        names = {v for h in session.query(Hospital) for v in (h.name, h.address, h.city)} \
            | {v for u in session.query(User) for v in (u.full_name, *u.full_name.split())} \
            | {b.name for b in session.query(BedType)} | {a.call_sign for a in session.query(Ambulance)} \
            | {link.label for link in session.query(CrewLink)}
        session.commit()
    return {"token": token, "held": held.id, "waiting": waiting.id, "data": {n for n in names if n}}


# ---- reading what a screen shows ------------------------------------------------------------------


def _shown_in_dict(value: dict, found: list) -> None:
    if "number" in value and "waited" in value:  # a waiting SOS's row (assets/queue.js draws it)
        found += [str(value[k]) for k in ROW_SHOWN if value.get(k)]
        found += [value["sketch"]["say"]] if value.get("sketch") else []
        return
    if "layout" in value and isinstance(value.get("data"), list):  # a chart: its title and its series' names
        found += [str(trace["name"]) for trace in value["data"] if isinstance(trace, dict) and trace.get("name")]
    for k, v in value.items():
        if k == "rowData" and isinstance(v, list):
            found += [str(row[f]) for row in v for f in GRID_SHOWN if row.get(f)]
            found += [str(row["status"]) for row in v if "status_code" in row]
        elif k == "refData" and isinstance(v, dict):
            found += [str(w) for w in v.values()]
        elif k in ("words", "localeText") and isinstance(v, dict):
            found += [str(w) for w in v.values()]
        elif k == "data-queue-words":
            found += list(json.loads(v).values())
        elif k == "options" and isinstance(v, list):
            found += [o["label"] for o in v if isinstance(o, dict) and isinstance(o.get("label"), str)]
        else:
            _shown(v, k, found)


def _shown(value, key: str = "", found: list | None = None) -> list[str]:
    """Every string a person sees in a Dash answer or layout (see SHOWN), the words the page hands
    its scripts included (`data-queue-words`, a store's `words`)."""
    found = [] if found is None else found
    if isinstance(value, dict):
        _shown_in_dict(value, found)
    elif isinstance(value, list):
        for item in value:
            _shown(item, key, found)
    elif isinstance(value, str) and value[:1] in "[{" and value[-1:] in "]}":
        try:
            _shown(json.loads(value), key, found)
        except ValueError:
            found += [value] if key in SHOWN else []
    elif isinstance(value, str) and key in SHOWN:
        found.append(value)
    return found


def _english_left(texts: list[str], data: set[str]) -> list[str]:
    """The texts with English left once the translated parts (⟦…⟧) and the data are taken out."""
    left = []
    for text in texts:
        rest = text
        while re.search(r"⟦[^⟦⟧]*⟧", rest):
            rest = re.sub(r"⟦[^⟦⟧]*⟧", " ", rest)
        for name in sorted(data, key=len, reverse=True):
            rest = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", rest)
        rest = CODES.sub(" ", re.sub(r"SOS-\d+|[\w.+-]+@[\w.-]+|https?://\S+|geo:\S+|tel:\S+", " ", rest))
        words = [w for w in re.findall(r"[A-Za-z]{2,}", rest) if w not in DATA_WORDS]
        if words:
            left.append(text)
    return left


# ---- asking a screen as a browser does ------------------------------------------------------------


def _headers(client, page: str) -> dict:
    client.get(page)  # sets the double-submit cookie
    return {"X-CSRFToken": client.get_cookie("_csrf_token").value, "Referer": f"http://localhost{page}"}


def _layout(client, path: str) -> dict:
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}
    answer = client.post("/_dash-update-component", json=body, headers=_headers(client, path))
    assert answer.status_code == 200, (path, answer.get_data(as_text=True)[:300])
    return answer.get_json()


def _props(tree, found: dict | None = None) -> dict:
    """Component id → its props, for every component with a plain id in a layout."""
    found = {} if found is None else found
    if isinstance(tree, dict):
        props = tree.get("props") if "namespace" in tree else None
        if isinstance(props, dict) and isinstance(props.get("id"), str):
            found[props["id"]] = props
        for v in tree.values():
            _props(v, found)
    elif isinstance(tree, list):
        for item in tree:
            _props(item, found)
    return found


def _drawing_callbacks(web_app, role: str, ids: dict) -> dict:
    """The callbacks that draw this page: every input is a plain id on it, none is a button."""
    found = {}
    for key, spec in web_app.callback_map.items():
        if role not in getattr(spec.get("callback"), "allowed_roles", ()):
            continue
        inputs = spec["inputs"]
        if inputs and all(d["id"] in ids for d in inputs) and not any(d["property"] in ACTION_INPUTS for d in inputs):
            found[key] = spec
    return found


def _entry(dep: dict, ids: dict):
    if dep["id"].startswith("{"):
        return []  # a pattern over ALL: none drawn yet
    return {"id": dep["id"], "property": dep["property"], "value": ids.get(dep["id"], {}).get(dep["property"])}


def _outputs(key: str):
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    outputs = []
    for part in parts:
        component_id, prop = part.split("@")[0].rsplit(".", 1)
        outputs.append([] if component_id.startswith("{") else {"id": component_id, "property": prop})
    return outputs if key.startswith("..") else outputs[0]


def _call(client, page: str, key: str, spec: dict, ids: dict, *, values: dict | None = None):
    values = values or {}

    def entry(dep):
        one = _entry(dep, ids)
        if isinstance(one, dict) and (dep["id"], dep["property"]) in values:
            one["value"] = values[(dep["id"], dep["property"])]
        return one

    first = spec["inputs"][0]
    body = {"output": key, "outputs": _outputs(key), "inputs": [entry(d) for d in spec["inputs"]],
            "state": [entry(d) for d in spec.get("state", [])],
            "changedPropIds": [f"{first['id']}.{first['property']}"]}
    answer = client.post("/_dash-update-component", json=body, headers=_headers(client, page))
    assert answer.status_code in (200, 204), (page, key[:80], answer.get_data(as_text=True)[:300])
    return answer.get_json() if answer.status_code == 200 else None


def _screen(web_app, client, role: str, page: str) -> list[str]:
    """Everything the page shows: its layout, the frame, and what its drawing callbacks answer."""
    layout = _layout(client, page)
    ids = _props(layout)
    frame = client.get("/_dash-layout", headers={"Referer": f"http://localhost{page}"}).get_json()
    texts = _shown(layout) + _shown(frame)
    for key, spec in _drawing_callbacks(web_app, role, ids).items():
        texts += _shown(_call(client, page, key, spec, ids))
    return texts


def _find(web_app, fragment: str) -> tuple[str, dict]:
    return next((k, v) for k, v in web_app.callback_map.items() if fragment in k)


# ---- the tests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_word_of_the_staff_screens_is_extracted(web_app, client, auth, busy, pseudo, role):
    assert auth.login(ACCOUNT_FOR_ROLE[role]).status_code == 302
    untranslated = {}
    for page in PAGES[role]:
        left = _english_left(_screen(web_app, client, role, page), busy["data"])
        if left:
            untranslated[page] = sorted(set(left))[:12]
    assert untranslated == {}, "English left untranslated:\n" + "\n".join(
        f"{page}: {texts}" for page, texts in untranslated.items())


def test_the_queue_and_its_actions_say_everything_in_words_of_the_catalog(web_app, client, auth, busy, pseudo):
    """Accept and the held emergency's card (send, steps, resolve, its confirm), the waiting cards'
    rows and the words queue.js writes, the hospital's units on the map and in the list."""
    auth.login(ACCOUNT_FOR_ROLE["hospital_admin"])
    page = "/hospital/queue"
    ids = _props(_layout(client, page))
    texts = _shown(_call(client, page, *_find(web_app, "queue-rows.data"), ids))
    waiting = busy["waiting"]
    status, said = post_answer(auth, {"kind": "accept", "sos": waiting})  # assets/queue.js posts Accept
    assert status == 200, said
    texts += [said["message"]]
    texts += _shown(_call(client, page, *_find(web_app, "queue-rows.data"), ids))
    assert any("is yours" in t for t in texts) and any("Send ambulance" in t for t in texts), texts[:40]
    assert _english_left(texts, busy["data"]) == []


def test_the_crew_screen_is_extracted(web_app, client, busy, pseudo):
    assert client.get(f"/kiosk/crew/{busy['token']}").status_code in (302, 303)
    texts = _screen(web_app, client, "crew", "/crew")
    assert any("Location: starting" in t for t in texts)
    assert _english_left(texts, busy["data"]) == []


def test_the_wall_feed_is_extracted(web_app, client, auth, busy, pseudo):
    auth.login(ACCOUNT_FOR_ROLE["display"])
    client.get("/display")
    answer = client.get("/_display/view.json", headers={"Referer": "http://localhost/display"})
    assert answer.status_code == 200
    texts = _shown(answer.get_json())
    assert any("Unanswered SOS" in t for t in texts), texts[:20]
    assert _english_left(texts, busy["data"]) == []


def test_staff_screens_stay_english_by_default(web_app, client, auth, busy):
    """No setting: a Hindi browser still gets the hospital's screens in English, lang="en"."""
    client.environ_base.update({"HTTP_ACCEPT_LANGUAGE": "hi-IN,hi;q=0.9"})
    auth.login(ACCOUNT_FOR_ROLE["hospital_admin"])
    assert '<html lang="en">' in client.get("/hospital/queue").get_data(as_text=True)
    assert '<html lang="hi">' in client.get("/beds").get_data(as_text=True)


def test_a_language_listed_for_staff_screens_is_followed(web_app, client, auth, busy, monkeypatch):
    """HEALTHFIRST_STAFF_LANGUAGES=hi: a catalog declared to cover the staff screens is used there,
    with <html lang> saying so; the person's choice still decides (English stays English)."""
    state = web_app.server.extensions[EXTENSION_KEY]
    monkeypatch.setitem(state, "config", replace(state["config"], staff_languages=("hi", "xx")))
    auth.login(ACCOUNT_FOR_ROLE["hospital_admin"])
    assert '<html lang="en">' in client.get("/hospital/queue").get_data(as_text=True)
    client.environ_base.update({"HTTP_ACCEPT_LANGUAGE": "hi-IN,hi;q=0.9"})
    assert '<html lang="hi">' in client.get("/hospital/queue").get_data(as_text=True)
    frame = client.get("/_dash-layout", headers={"Referer": "http://localhost/hospital/queue"}).get_json()
    assert "hi" in json.dumps(frame) and "/hospital/queue" in json.dumps(frame)  # shell.js keeps lang="hi"


def test_counts_read_right_for_one(web_app, client, auth, busy):
    """English as today, and right for one: "1 waiting" in the queue."""
    auth.login(ACCOUNT_FOR_ROLE["hospital_admin"])
    ids = _props(_layout(client, "/hospital/queue"))
    answer = _call(client, "/hospital/queue", *_find(web_app, "queue-rows.data"), ids)
    assert answer["response"]["queue-count"]["children"] == "1 waiting"
