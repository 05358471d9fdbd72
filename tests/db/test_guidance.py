"""First-aid guidance: the default set, seeding that never overwrites edits, who may edit,
optimistic saves, and bad input."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db import guidance
from db.errors import Conflict, InvalidInput, NotAllowed
from db.models import AuditEntry, Guidance
from db.sos import EMERGENCY_TYPES
from tests.builders import T0, add_hospital, add_user


def count(session) -> int:
    return session.execute(select(func.count()).select_from(Guidance)).scalar_one()


def steps(body: str) -> list[str]:
    return [m.group(2) for m in (re.match(r"^(\d+)\. (.*)$", line) for line in body.splitlines()) if m]


def test_every_emergency_type_has_short_numbered_default_guidance():
    assert set(guidance.DEFAULT_GUIDANCE) == set(EMERGENCY_TYPES)
    for emergency_type, (_title, body) in guidance.DEFAULT_GUIDANCE.items():
        numbered = steps(body)
        assert 3 <= len(numbered) <= 9, emergency_type
        assert [int(re.match(r"^(\d+)\.", line).group(1)) for line in body.splitlines() if line] == \
            list(range(1, len(numbered) + 1)), f"{emergency_type}: steps are not numbered 1, 2, 3 …"
        assert guidance.style_hints(body) == [], emergency_type
        assert "<" not in body, emergency_type  # Markdown only


def test_cardiac_arrest_starts_with_compression_only_cpr():
    title, body = guidance.DEFAULT_GUIDANCE["cardiac_arrest"]
    first = steps(body)[0].lower()
    assert "push hard and fast" in first and "centre of the chest" in first and "100 to 120" in first
    assert "breath" not in first  # compressions only: no rescue breaths first
    assert "cpr" in title.lower()


def test_seeding_adds_every_type_once_per_language_and_never_overwrites_edits(session):
    officer = add_user(session, "health_officer")
    languages = len(guidance.DEFAULTS_BY_LANGUAGE)  # English and Hindi
    assert guidance.ensure_default_guidance(session, T0) == len(EMERGENCY_TYPES) * languages
    guidance.save_guidance(session, actor=officer, emergency_type="burns", title="Burns (edited)",
                           body_markdown="1. Cool it.", now=T0)
    assert guidance.ensure_default_guidance(session, T0 + timedelta(days=1)) == 0
    assert count(session) == len(EMERGENCY_TYPES) * languages
    assert guidance.guidance_for(session, "burns").title == "Burns (edited)"
    assert guidance.guidance_for(session, "burns", "hi").title == "जलना"  # the Hindi text is its own


def test_each_language_has_its_text_and_a_missing_one_falls_back_to_english_with_a_note(session):
    officer = add_user(session, "health_officer")
    guidance.ensure_default_guidance(session, T0)
    hindi = guidance.guidance_for(session, "cardiac_arrest", "hi")
    assert hindi.language == "hi" and not hindi.fallback
    assert "छाती के बीच में ज़ोर से और तेज़ी से दबाएँ" in hindi.body_markdown.splitlines()[0]
    tamil = guidance.guidance_for(session, "cardiac_arrest", "ta")
    assert tamil.language == "en" and tamil.fallback and "Push hard and fast" in tamil.body_markdown
    # An officer writes the Tamil text: from then on it is shown, English stays as it was.
    guidance.save_guidance(session, actor=officer, emergency_type="cardiac_arrest", language="ta",
                           title="மாரடைப்பு", body_markdown="1. மார்பின் நடுவில் அழுத்துங்கள்.", now=T0)
    assert guidance.guidance_for(session, "cardiac_arrest", "ta").title == "மாரடைப்பு"
    assert guidance.guidance_for(session, "cardiac_arrest").language == "en"
    assert [g.language for g in guidance.all_guidance(session, "hi")] == ["hi"] * len(EMERGENCY_TYPES)


def test_every_default_has_its_hindi_with_the_same_number_of_steps():
    for emergency_type, (_title, body) in guidance.DEFAULT_GUIDANCE.items():
        steps = [line for line in body.splitlines() if line[:2].rstrip(".").isdigit()]
        hindi_title, hindi_body = guidance.DEFAULTS_BY_LANGUAGE["hi"][emergency_type]
        hindi_steps = [line for line in hindi_body.splitlines() if line[:2].rstrip(".").isdigit()]
        assert hindi_title and len(hindi_steps) == len(steps), emergency_type


def test_guidance_for_unknown_or_missing_type_falls_back(session):
    assert guidance.guidance_for(session, None).emergency_type == "other"
    assert guidance.guidance_for(session, "alien").emergency_type == "other"
    # Not seeded yet: the built-in text still answers.
    assert guidance.guidance_for(session, "choking").title == "Choking"
    assert [g.emergency_type for g in guidance.all_guidance(session)] == list(EMERGENCY_TYPES)


def test_officer_edit_is_stored_and_audited(session):
    officer = add_user(session, "health_officer")
    guidance.ensure_default_guidance(session, T0)
    before = guidance.guidance_for(session, "seizure")
    saved = guidance.save_guidance(session, actor=officer, emergency_type="seizure", title="Fits",
                                   body_markdown="1. Time it.\n2. Protect the head.", now=T0 + timedelta(hours=1),
                                   expected_updated_at=before.updated_at)
    assert saved.updated_at == T0 + timedelta(hours=1) and saved.updated_by_id == officer.id
    row = guidance.guidance_for(session, "seizure")
    assert (row.title, row.body_markdown) == ("Fits", "1. Time it.\n2. Protect the head.\n")
    entry = session.execute(select(AuditEntry)).scalar_one()
    assert (entry.action, entry.target_id) == ("guidance.edit", "seizure")


def test_stale_save_is_refused_not_lost(session):
    first, second = add_user(session, "health_officer"), add_user(session, "health_officer")
    guidance.ensure_default_guidance(session, T0)
    opened = guidance.guidance_for(session, "choking").updated_at
    guidance.save_guidance(session, actor=first, emergency_type="choking", title="Choking A",
                           body_markdown="1. A", now=T0 + timedelta(minutes=1), expected_updated_at=opened)
    with pytest.raises(Conflict, match="Someone saved this guidance"):
        guidance.save_guidance(session, actor=second, emergency_type="choking", title="Choking B",
                               body_markdown="1. B", now=T0 + timedelta(minutes=2), expected_updated_at=opened)
    assert guidance.guidance_for(session, "choking").title == "Choking A"


def test_the_first_text_in_a_language_is_written_once_and_audited(session):
    first, second = add_user(session, "health_officer"), add_user(session, "health_officer")
    guidance.ensure_default_guidance(session, T0)
    # A language with no text of its own (Tamil here): readers get the English, marked.
    assert guidance.guidance_for(session, "burns", "ta").fallback
    saved = guidance.save_guidance(session, actor=first, emergency_type="burns", title="தீக்காயம்",
                                   body_markdown="1. 20 நிமிடம் குளிர்ந்த நீரில் குளிர்விக்கவும்.",
                                   now=T0 + timedelta(minutes=1), language="ta", expect_new=True)
    assert (saved.language, saved.updated_by_id) == ("ta", first.id)
    shown = guidance.guidance_for(session, "burns", "ta")
    assert (shown.title, shown.fallback) == ("தீக்காயம்", False)
    assert guidance.guidance_for(session, "burns", "en").title == guidance.DEFAULT_GUIDANCE["burns"][0]
    # The second officer had opened the same untranslated copy: refused, the first text kept.
    with pytest.raises(Conflict, match="Someone saved this guidance"):
        guidance.save_guidance(session, actor=second, emergency_type="burns", title="B", body_markdown="1. B",
                               now=T0 + timedelta(minutes=2), language="ta", expect_new=True)
    assert guidance.guidance_for(session, "burns", "ta").title == "தீக்காயம்"
    entry = session.execute(select(AuditEntry)).scalar_one()
    assert (entry.action, entry.target_id, json.loads(entry.detail)["language"]) == ("guidance.edit", "burns", "ta")


@pytest.mark.parametrize("role", ["citizen", "hospital_admin", "super_admin", "display"])
def test_only_health_officers_edit(session, role):
    person = add_user(session, role, hospital=add_hospital(session) if role == "hospital_admin" else None)
    guidance.ensure_default_guidance(session, T0)
    with pytest.raises(NotAllowed):
        guidance.save_guidance(session, actor=person, emergency_type="burns", title="x", body_markdown="1. x",
                               now=T0)
    assert guidance.guidance_for(session, "burns").title == "Burns"


@pytest.mark.parametrize("kwargs,field", [
    (dict(title=" "), "title"),
    (dict(title="t" * 121), "title"),
    (dict(body_markdown="   "), "body"),
    (dict(body_markdown="x" * 6001), "body"),
    (dict(emergency_type="alien"), "emergency_type"),
])
def test_bad_guidance_is_refused_at_the_field(session, kwargs, field):
    officer = add_user(session, "health_officer")
    guidance.ensure_default_guidance(session, T0)
    values = dict(emergency_type="burns", title="Burns", body_markdown="1. Cool it.")
    values.update(kwargs)
    with pytest.raises(InvalidInput) as error:
        guidance.save_guidance(session, actor=officer, now=T0, **values)
    assert error.value.field == field
    assert guidance.guidance_for(session, "burns").body_markdown == guidance.DEFAULT_GUIDANCE["burns"][1]


def test_script_in_guidance_is_stored_as_text(session):
    officer = add_user(session, "health_officer")
    body = "1. <script>alert(1)</script> Press hard.\n2. <img src=x onerror=alert(2)>"
    guidance.save_guidance(session, actor=officer, emergency_type="burns", title="Burns", body_markdown=body, now=T0)
    assert guidance.guidance_for(session, "burns").body_markdown == body + "\n"  # unchanged: shown as text


def test_style_hints_ask_for_short_numbered_steps():
    assert guidance.style_hints("Just call someone.") == [
        "Write the guidance as numbered steps (1. … 2. …): easier to follow under stress."]
    hints = guidance.style_hints("1. Short.\n2. " + "long " * 40)
    assert len(hints) == 1 and hints[0].startswith("Step 2 is long")
