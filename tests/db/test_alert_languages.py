"""An alert in Hindi and English: one CAP <info> per language, valid against the CAP 1.2 schema;
the reader gets their language, else English marked as such; updates and cancellations keep it."""

from datetime import timedelta

import pytest
from lxml import etree

from components.cap import CAP_NS, alert_xml
from db import alerts
from db.errors import InvalidInput
from tests.builders import HINDI, T0, add_user, heatwave
from tests.unit.xml_schemas import CAP_XSD, assert_valid


@pytest.fixture
def officer(session):
    return add_user(session, "health_officer")


def _infos(document: bytes) -> list[dict]:
    root = etree.fromstring(document)
    ns = {"cap": CAP_NS}
    return [{tag: (info.findtext(f"cap:{tag}", namespaces=ns) or "")
             for tag in ("language", "event", "headline", "description", "instruction")}
            for info in root.findall("cap:info", ns)]


def test_an_alert_in_two_languages_is_one_valid_cap_message_with_two_info_blocks(session, officer):
    alert = alerts.publish(session, actor=officer, data=heatwave(translations=(HINDI,)), now=T0)
    document = alert_xml(alert)
    assert_valid(document, CAP_XSD)
    english, hindi = _infos(document)
    assert english["language"] == "en-IN" and english["headline"] == "Heatwave: stay indoors 12:00-16:00"
    assert hindi == {"language": "hi-IN", "event": "लू", "headline": HINDI[2], "description": HINDI[3],
                     "instruction": HINDI[4]}


def test_the_reader_gets_their_language_else_english_marked_as_a_fallback(session, officer):
    alert = alerts.publish(session, actor=officer, data=heatwave(translations=(HINDI,)), now=T0)
    assert alerts.words_in(alert, "hi").headline == HINDI[2]
    assert not alerts.words_in(alert, "hi").fallback
    tamil = alerts.words_in(alert, "ta")
    assert tamil.headline == "Heatwave: stay indoors 12:00-16:00" and tamil.fallback
    only_english = alerts.publish(session, actor=officer, data=heatwave(), now=T0)
    assert alerts.words_in(only_english, "hi").fallback
    assert len(_infos(alert_xml(only_english))) == 1


def test_a_language_started_needs_its_headline_and_an_empty_one_is_left_out(session, officer):
    with pytest.raises(InvalidInput) as error:
        alerts.publish(session, actor=officer, now=T0,
                       data=heatwave(translations=(("hi", "", "", "कुछ विवरण", ""),)))
    assert error.value.field == "headline:hi"
    alert = alerts.publish(session, actor=officer, now=T0, data=heatwave(translations=(("hi", " ", "", "", ""),)))
    assert alert.translations == []


def test_the_forms_fields_per_language_round_trip(session, officer):
    text = {"event": "Heatwave", "headline": "Heatwave", "description": "", "instruction": "",
            "expires": "2026-11-29T13:30", "area_desc": "Central Bengaluru", "urgency": "Expected",
            "severity": "Severe", "certainty": "Likely", "status": "Actual", "category": "Health",
            "headline:hi": HINDI[2], "instruction:hi": HINDI[4], "headline:EVIL": "x"}
    data = alerts.input_from_text(text, area_kind="region")
    assert data.translations == (("hi", "", HINDI[2], "", HINDI[4]),)
    alert = alerts.publish(session, actor=officer, data=data, now=T0)
    again = alerts.text_from(alert)
    assert again["headline:hi"] == HINDI[2] and again["instruction:hi"] == HINDI[4]
    # Changing only the Hindi after the preview needs a new preview.
    changed = alerts.input_from_text(text | {"headline:hi": "बदला हुआ"}, area_kind="region")
    assert alerts.preview_key("Alert", data=data) != alerts.preview_key("Alert", data=changed)


def test_update_and_cancel_keep_the_languages(session, officer):
    first = alerts.publish(session, actor=officer, data=heatwave(translations=(HINDI,)), now=T0)
    update = alerts.update_alert(session, actor=officer, alert_id=first.id, now=T0 + timedelta(minutes=5),
                                 data=heatwave(headline="Heatwave extended", translations=(HINDI,)))
    assert [t.language for t in update.translations] == ["hi"]
    cancel = alerts.cancel_alert(session, actor=officer, alert_id=update.id, now=T0 + timedelta(minutes=10))
    document = alert_xml(cancel)
    assert_valid(document, CAP_XSD)
    english, hindi = _infos(document)
    assert english["headline"] == "Cancelled: Heatwave extended"
    assert hindi["headline"] == f"रद्द: {HINDI[2]}" and hindi["description"] == "यह चेतावनी वापस ले ली गई है।"
