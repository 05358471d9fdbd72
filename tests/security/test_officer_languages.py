"""The officer's forms in each language, through the callbacks a browser calls (issue 16): an
alert's Hindi block written on /officer/alerts reaches the CAP document (one valid <info> per
language, hi-IN) and a Hindi reader's banner; bad Hindi shows at its field with nothing stored;
an update starts from both languages; a cancellation's reason in Hindi; first-aid guidance
written in Hindi on /officer/guidance shows on /guidance for a Hindi reader, and a language with
no text of its own says so and can be written."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from lxml import etree
from sqlalchemy import delete, func, select

from components.cap import CAP_NS
from db import alerts, guidance
from db.clock import utcnow
from db.models import Alert, Guidance, User
from tests.security.callbacks import alert_form, alert_post, answer_of
from tests.unit.xml_schemas import CAP_XSD, assert_valid

HINDI_ACCEPT = "hi-IN,hi;q=0.9,en;q=0.5"
HINDI = {"event:hi": "डेंगू का प्रकोप", "headline:hi": "डेंगू: रुका हुआ पानी ख़ाली करें",
         "description:hi": "मामले बढ़ रहे हैं।", "instruction:hi": "गमले और बाल्टियाँ ख़ाली करें।"}


def _key(kind: str, name: str) -> str:
    return json.dumps({"name": name, "type": kind}, separators=(",", ":"))


def _count(web_db) -> int:
    with web_db.factory() as session:
        return session.execute(select(func.count()).select_from(Alert)).scalar_one()


def _words(answer) -> str:
    """A Dash answer with its escaped characters read back (Hindi travels as \\uXXXX)."""
    return json.dumps(answer, ensure_ascii=False)


def _publish_through_the_form(web_app, officer, fields: dict, **kwargs) -> dict:
    shown = answer_of(alert_post(web_app, officer, button="preview", fields=fields, **kwargs))
    done = answer_of(alert_post(web_app, officer, button="publish", fields=fields,
                                 previewed=shown["alert-previewed"]["data"], **kwargs))
    return shown | {"done": done}


@pytest.fixture
def officer(web_app, auth_for, web_people):
    """The officer's browser, signed in (a client of its own: the `client` fixture keeps its last
    request's context, which a second person's requests would share)."""
    officer = auth_for(web_app.server.test_client())
    officer.login(web_people["officer"].email)
    return officer


@pytest.fixture
def hindi_citizen(web_app, auth_for, web_people):
    client = web_app.server.test_client()
    client.environ_base.update({"HTTP_ACCEPT_LANGUAGE": HINDI_ACCEPT})
    auth_for(client).login(web_people["citizen"].email)
    return client


def _from_page(client, page: str) -> dict:
    client.get(page)  # the double-submit cookie
    return {"X-CSRFToken": client.get_cookie("_csrf_token").value, "Referer": f"http://localhost{page}"}


def _banner_of(client) -> str:
    body = {"output": "..alerts-banner.children...alerts-banner-shown.data..",
            "outputs": [{"id": "alerts-banner", "property": "children"},
                        {"id": "alerts-banner-shown", "property": "data"}],
            "inputs": [{"id": "alerts-banner-refresh", "property": "n_intervals", "value": 1}],
            "state": [{"id": "alerts-banner-shown", "property": "data", "value": None}],
            "changedPropIds": ["alerts-banner-refresh.n_intervals"]}
    answer = client.post("/_dash-update-component", json=body, headers=_from_page(client, "/beds"))
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return _words(answer.get_json()["response"]["alerts-banner"])


# ---- alerts ---------------------------------------------------------------------------------


def test_a_hindi_block_written_in_the_form_reaches_the_cap_document_and_the_hindi_banner(
        web_app, officer, auth_for, web_db, web_people, hindi_citizen):
    answer = _publish_through_the_form(web_app, officer, alert_form(**HINDI))
    preview = _words(answer["alert-preview"])
    # The preview shows each language's block: the banner line and the full alert.
    assert "alert-preview-card-hi" in preview and "alert-preview-card" in preview
    assert HINDI["headline:hi"] in preview and "Dengue: empty standing water" in preview
    assert "Alert published" in _words(answer["done"])

    with web_db.factory() as session:
        stored = session.execute(select(Alert)).scalar_one()
        identifier = stored.identifier
    document = web_app.server.test_client().get(f"/cap/alerts/{identifier}.xml").data
    assert_valid(document, CAP_XSD)
    infos = etree.fromstring(document).findall(f"{{{CAP_NS}}}info")
    said = [{tag: info.findtext(f"{{{CAP_NS}}}{tag}") for tag in ("language", "event", "headline", "description",
                                                                   "instruction")} for info in infos]
    assert said == [
        {"language": "en-IN", "event": "Dengue outbreak", "headline": "Dengue: empty standing water",
         "description": "Cases are rising.", "instruction": "Empty pots and buckets."},
        {"language": "hi-IN", "event": HINDI["event:hi"], "headline": HINDI["headline:hi"],
         "description": HINDI["description:hi"], "instruction": HINDI["instruction:hi"]},
    ]
    # Shared by both blocks: the CAP choices and the area.
    assert {info.findtext(f"{{{CAP_NS}}}severity") for info in infos} == {"Severe"}
    assert len({etree.tostring(info.find(f"{{{CAP_NS}}}area")) for info in infos}) == 1

    banner = _banner_of(hindi_citizen)
    assert HINDI["headline:hi"] in banner and "Dengue: empty standing water" not in banner
    reader = auth_for(web_app.server.test_client())
    reader.login(web_people["citizen2"].email)  # an English reader
    english = _banner_of(reader.client)
    assert "Dengue: empty standing water" in english and HINDI["headline:hi"] not in english


def test_english_only_stays_one_info_block(web_app, officer, web_db, web_people):
    _publish_through_the_form(web_app, officer, alert_form(**{name: "  " for name in HINDI}))
    with web_db.factory() as session:
        identifier = session.execute(select(Alert.identifier)).scalar_one()
    document = web_app.server.test_client().get(f"/cap/alerts/{identifier}.xml").data
    assert_valid(document, CAP_XSD)
    assert len(etree.fromstring(document).findall(f"{{{CAP_NS}}}info")) == 1


@pytest.mark.parametrize("overrides,field,message", [
    ({"headline:hi": "डेंगू", "description:hi": "", "instruction:hi": "गमले ख़ाली करें।"}, "description:hi",
     "write it in this language too"),
    ({"headline:hi": "डेंगू", "description:hi": "मामले बढ़ रहे हैं।", "instruction:hi": ""}, "instruction:hi",
     "write it in this language too"),
    ({"description:hi": "मामले बढ़ रहे हैं।"}, "headline:hi", "Write the headline in this language too"),
    ({**HINDI, "headline:hi": "ल" * (alerts.HEADLINE_MAX + 1)}, "headline:hi", "Keep this under 160 characters"),
])
def test_bad_hindi_shows_at_its_field_and_stores_nothing(web_app, officer, web_db, web_people, overrides, field,
                                                         message):
    for button in ("preview", "publish"):
        payload = answer_of(alert_post(web_app, officer, button=button, fields=alert_form(**overrides),
                                        previewed="anything"))
        assert message in payload[_key("alert-feedback", field)]["children"]
        assert payload[_key("alert-field", field)]["invalid"] is True
        assert payload[_key("alert-field", "headline")]["invalid"] is False  # the English is fine
    assert _count(web_db) == 0


def _start_update(web_app, officer, reference: str) -> dict:
    officer.client.get("/login")
    [(key, spec)] = [(k, v) for k, v in web_app.callback_map.items()
                     if "callback" in v and any(d["id"] == "alert-reference" for d in v["inputs"])]
    outputs = []
    for part in key.strip(".").split("..."):
        component_id, prop = part.rsplit(".", 1)
        outputs.append({"id": json.loads(component_id) if component_id.startswith("{") else component_id,
                        "property": prop})
    body = {"output": key, "outputs": outputs,
            "inputs": [{"id": "alert-reference", "property": "value", "value": reference}],
            "state": [{"id": "alert-mode", "property": "value", "value": "update"}],
            "changedPropIds": ["alert-reference.value"]}
    return answer_of(officer.client.post("/_dash-update-component", json=body, headers=officer.dash_headers()))


def test_an_update_starts_from_both_languages_and_keeps_them(web_app, officer, web_db, web_people):
    _publish_through_the_form(web_app, officer, alert_form(**HINDI))
    with web_db.factory() as session:
        first = session.execute(select(Alert)).scalar_one()
        first_id = first.id
    started = _start_update(web_app, officer, str(first_id))
    assert started[_key("alert-field", "headline:hi")]["value"] == HINDI["headline:hi"]
    assert started[_key("alert-field", "headline")]["value"] == "Dengue: empty standing water"
    changed = alert_form(**HINDI | {"headline:hi": "डेंगू: शुक्रवार तक सावधान रहें"})
    answer = _publish_through_the_form(web_app, officer, changed, mode="update", reference=str(first_id))
    assert "Update published" in _words(answer["done"])
    with web_db.factory() as session:
        update = session.execute(select(Alert).where(Alert.msg_type == "Update")).scalar_one()
        assert [(t.language, t.headline) for t in update.translations] == [("hi", "डेंगू: शुक्रवार तक सावधान रहें")]
        identifier = update.identifier
    assert_valid(web_app.server.test_client().get(f"/cap/alerts/{identifier}.xml").data, CAP_XSD)


def test_a_cancellation_says_why_in_hindi(web_app, officer, web_db, web_people):
    _publish_through_the_form(web_app, officer, alert_form(**HINDI))
    with web_db.factory() as session:
        first_id = session.execute(select(Alert.id)).scalar_one()
    why = {"alert-reason-hi": "पानी की जाँच हो गई है: सुरक्षित है।"}
    answer = _publish_through_the_form(web_app, officer, alert_form(**why), mode="cancel", reference=str(first_id),
                                       reason="The water was tested safe.")
    assert why["alert-reason-hi"] in _words(answer["alert-preview"])
    assert "Cancellation published" in _words(answer["done"])
    with web_db.factory() as session:
        cancel = session.execute(select(Alert).where(Alert.msg_type == "Cancel")).scalar_one()
        identifier = cancel.identifier
    document = web_app.server.test_client().get(f"/cap/alerts/{identifier}.xml").data
    assert_valid(document, CAP_XSD)
    english, hindi = etree.fromstring(document).findall(f"{{{CAP_NS}}}info")
    assert english.findtext(f"{{{CAP_NS}}}description") == "The water was tested safe."
    assert hindi.findtext(f"{{{CAP_NS}}}language") == "hi-IN"
    assert hindi.findtext(f"{{{CAP_NS}}}description") == why["alert-reason-hi"]


def test_a_hindi_reason_for_an_english_only_alert_is_refused_at_its_field(web_app, officer, web_db, web_people):
    _publish_through_the_form(web_app, officer, alert_form())
    with web_db.factory() as session:
        first_id = session.execute(select(Alert.id)).scalar_one()
    payload = answer_of(alert_post(web_app, officer, button="preview", fields=alert_form(**{"alert-reason-hi": "कारण"}),
                                    mode="cancel", reference=str(first_id)))
    assert "not published in this language" in payload["alert-reason-feedback-hi"]["children"]
    assert payload["alert-reason-hi"]["invalid"] is True
    assert _count(web_db) == 1


# ---- first-aid guidance ---------------------------------------------------------------------


def _guidance_callback(web_app, officer, marker_input: str, inputs: dict, state: dict, changed: str) -> dict:
    officer.client.get("/login")
    [(key, spec)] = [(k, v) for k, v in web_app.callback_map.items()
                     if "callback" in v and [d["id"] for d in v["inputs"]][0] == marker_input
                     and len(v["inputs"]) == len(inputs)]
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
               for part in key.strip(".").split("...")]
    body = {"output": key, "outputs": outputs,
            "inputs": [{"id": d["id"], "property": d["property"], "value": inputs[d["id"]]} for d in spec["inputs"]],
            "state": [{"id": d["id"], "property": d["property"], "value": state[d["id"]]} for d in spec["state"]],
            "changedPropIds": [changed]}
    return answer_of(officer.client.post("/_dash-update-component", json=body, headers=officer.dash_headers()))


def _load(web_app, officer, emergency_type: str, language: str) -> dict:
    return _guidance_callback(web_app, officer, "guidance-edit-type",
                              {"guidance-edit-type": emergency_type, "guidance-edit-language": language}, {},
                              "guidance-edit-language.value")


def _save(web_app, officer, emergency_type: str, language: str, title: str, body: str, version) -> dict:
    return _guidance_callback(web_app, officer, "guidance-edit-save", {"guidance-edit-save": 1},
                              {"guidance-edit-type": emergency_type, "guidance-edit-language": language,
                               "guidance-edit-title": title, "guidance-edit-body": body,
                               "guidance-edit-version": version}, "guidance-edit-save.n_clicks")


def _guidance_page(client, search: str) -> str:
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/guidance"},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}
    answer = client.post("/_dash-update-component", json=body, headers=_from_page(client, "/guidance"))
    assert answer.status_code == 200
    return _words(answer.get_json())


def test_guidance_saved_in_hindi_shows_for_a_hindi_reader(web_app, officer, web_db, web_people, hindi_citizen):
    with web_db.factory() as session:
        guidance.ensure_default_guidance(session, utcnow())
        session.commit()
    loaded = _load(web_app, officer, "choking", "hi")
    assert loaded["guidance-edit-title"]["value"] == guidance.DEFAULT_GUIDANCE_HI["choking"][0]
    assert loaded["guidance-edit-fields"]["lang"] == "hi"
    assert not loaded["guidance-edit-status"]["children"]  # Hindi has its own text
    body = "1. **पीठ पर 5 बार थपकी** दें।\n2. फिर पेट पर 5 बार दबाव दें।\n"
    saved = _save(web_app, officer, "choking", "hi", "दम घुटना: अभी करें", body,
                  loaded["guidance-edit-version"]["data"])
    assert "Saved. Citizens reading हिन्दी see the new steps now." in _words(saved)
    page = _guidance_page(hindi_citizen, "?type=choking")
    assert "दम घुटना: अभी करें" in page and "पीठ पर 5 बार थपकी" in page
    # The English is untouched.
    english = _load(web_app, officer, "choking", "en")
    assert english["guidance-edit-title"]["value"] == guidance.DEFAULT_GUIDANCE["choking"][0]


def test_a_language_without_its_own_text_says_so_and_can_be_written_once(web_app, officer, web_db, web_people,
                                                                         hindi_citizen):
    with web_db.factory() as session:
        guidance.ensure_default_guidance(session, utcnow())
        session.execute(delete(Guidance).where(Guidance.emergency_type == "burns", Guidance.language == "hi"))
        session.commit()
    loaded = _load(web_app, officer, "burns", "hi")
    status = _words(loaded["guidance-edit-status"]["children"])
    assert "Not translated yet: citizens see the English text." in status
    assert guidance.DEFAULT_GUIDANCE["burns"][0] in status  # the English, to translate from
    assert loaded["guidance-edit-title"]["value"] == "" and loaded["guidance-edit-body"]["value"] == ""
    before = _guidance_page(hindi_citizen, "?type=burns")  # the English, marked as such
    assert "guidance-fallback" in before and guidance.DEFAULT_GUIDANCE["burns"][0] in before

    version = loaded["guidance-edit-version"]["data"]
    saved = _save(web_app, officer, "burns", "hi", "जलना", "1. 20 मिनट तक ठंडे बहते पानी से ठंडा करें।\n", version)
    assert "Saved." in _words(saved) and not saved["guidance-edit-status"]["children"]
    page = _guidance_page(hindi_citizen, "?type=burns")
    assert "20 मिनट तक ठंडे बहते पानी" in page and "guidance-fallback" not in page
    # A second officer who also opened the untranslated copy does not overwrite the first one.
    again = _save(web_app, officer, "burns", "hi", "जलना (दूसरा)", "1. कुछ और।\n", version)
    assert "Someone saved this guidance after you opened it" in _words(again)
    assert again["guidance-edit-title"]["value"] == "जलना"
    with web_db.factory() as session:
        row = session.execute(select(Guidance).where(Guidance.emergency_type == "burns",
                                                     Guidance.language == "hi")).scalar_one()
        assert row.title == "जलना"
        assert row.updated_by_id == session.execute(
            select(User.id).where(User.email == "officer@example.in")).scalar_one()


def test_bad_guidance_shows_at_the_field_and_changes_nothing(web_app, officer, web_db, web_people):
    with web_db.factory() as session:
        guidance.ensure_default_guidance(session, utcnow() - timedelta(days=1))
        session.commit()
    loaded = _load(web_app, officer, "stroke", "hi")
    answer = _save(web_app, officer, "stroke", "hi", "", "1. कुछ", loaded["guidance-edit-version"]["data"])
    assert answer["guidance-edit-title"]["invalid"] is True
    assert "Give the guidance a title." in answer["guidance-edit-title-feedback"]["children"]
    with web_db.factory() as session:
        assert guidance.guidance_for(session, "stroke", "hi").title == guidance.DEFAULT_GUIDANCE_HI["stroke"][0]
