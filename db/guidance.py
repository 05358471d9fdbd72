"""First-aid guidance: short numbered steps per emergency type, edited by health officers.

Every fresh install gets the default set (`ensure_default_guidance`, called by db.setup.prepare_database;
it only adds what is missing, so an officer's edits are never overwritten). The text is Markdown
that pages render with dcc.Markdown, which shows raw HTML as text: nothing in guidance can run.

The defaults follow lay-rescuer first-aid advice (resuscitation councils, Red Cross / St John):
for a suspected cardiac arrest the first instruction is compression-only CPR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db import audit
from db.errors import Conflict, InvalidInput
from db.guidance_hi import DEFAULT_GUIDANCE_HI
from db.models import Guidance, User
from db.parse import iso_datetime, text
from db.permissions import require_role
from db.sos import EMERGENCY_TYPES
from db.vocabulary import Role

EDITOR_ROLES = (Role.HEALTH_OFFICER,)
TITLE_MAX = 120
BODY_MAX = 6000
STEP_ADVICE_CHARS = 160  # longer steps are hard to read on a phone under stress
FALLBACK_TYPE = "other"

CPR_STEP = "**push hard and fast in the centre of the chest**, 100 to 120 times a minute, about 5 cm deep."

DEFAULT_GUIDANCE: dict[str, tuple[str, str]] = {
    "cardiac_arrest": (
        "Cardiac arrest: start hands-only CPR now",
        """1. **Push hard and fast in the centre of the chest**: 100 to 120 pushes a minute, about 5 cm deep. Do not stop.
2. Do this if they do not respond and are not breathing normally. Gasping is not normal breathing.
3. Lay them on their back on the floor. Kneel beside their chest.
4. Put the heel of one hand in the centre of the chest, the other hand on top. Keep your arms straight.
5. Let the chest come all the way back up after each push. Do not stop to give breaths.
6. If someone is with you, send them for an AED (defibrillator). Switch it on and do what it says.
7. If another person can help, swap every 2 minutes. Keep the pauses as short as you can.
8. Keep going until the ambulance crew takes over or the person wakes up and breathes normally.
""",
    ),
    "breathing_difficulty": (
        "Breathing difficulty",
        """1. Help them sit up, leaning slightly forward. Do not make them lie flat.
2. Loosen tight clothing at the neck, chest and waist.
3. If they have their own inhaler or medicine for this, help them use it as prescribed.
4. Get them into fresh air, away from smoke, dust or fumes.
5. Stay calm and talk gently: slow breaths in through the nose, out through pursed lips.
6. If they stop responding and are not breathing normally: """ + CPR_STEP + "\n",
    ),
    "chest_pain": (
        "Chest pain: possible heart attack",
        """1. Sit them down and keep them resting, half-sitting with knees bent is often easiest.
2. Do not let them walk about or drive themselves.
3. If they have their own angina medicine (spray or tablet), help them take it.
4. An adult who is not allergic to aspirin and has not been told to avoid it may chew one 300 mg aspirin slowly.
5. Loosen tight clothing. Note the time the pain started.
6. If they collapse and are not breathing normally: """ + CPR_STEP + "\n",
    ),
    "stroke": (
        "Stroke: act FAST",
        """1. **FAST**: Face drooping, Arm weak, Speech slurred: Time to get help. Your SOS is the right call.
2. **Note the time** the signs started (or when they were last seen well). Doctors need it.
3. Keep them comfortable, head and shoulders slightly raised. Loosen tight clothing.
4. Give nothing to eat or drink, not even water or tablets: swallowing may not be safe.
5. If they do not respond but breathe normally, roll them onto their side (recovery position).
6. If they are not breathing normally: """ + CPR_STEP + "\n",
    ),
    "severe_bleeding": (
        "Severe bleeding",
        """1. **Press firmly on the wound** with a clean cloth or pad, or your hand. Keep pressing.
2. Use gloves or a plastic bag over your hand if you have one.
3. Do not lift the cloth to look. If blood soaks through, add another pad on top and press harder.
4. If something is stuck in the wound, leave it in. Press around it, not on it.
5. Help them lie down and keep them warm.
6. Keep pressing until the ambulance crew takes over.
7. If they stop responding and are not breathing normally: """ + CPR_STEP + "\n",
    ),
    "road_injury": (
        "Road accident or injury",
        """1. **Make the scene safe**: hazard lights on, warn traffic, engines off. Do not put yourself in danger.
2. Do not move the injured person unless they are in danger (fire, traffic).
3. Keep their head and neck still if they may have hurt their neck or back.
4. Do not take off a motorcyclist's helmet unless they are not breathing.
5. Press firmly on any heavy bleeding with a clean cloth.
6. Keep them warm and talk to them. Give nothing to eat or drink.
7. If they are not breathing normally: """ + CPR_STEP + "\n",
    ),
    "burns": (
        "Burns",
        """1. **Stop the burning**: move away from the heat. Put out flames: stop, drop and roll, or smother them.
2. Electrical burn: switch off the power before you touch them.
3. **Cool the burn under cool running water for 20 minutes.** No ice, butter, toothpaste or creams.
4. Take off rings, watches and clothing near the burn, unless stuck to the skin.
5. Cover loosely with cling film or a clean, non-fluffy cloth. Do not burst blisters.
6. Keep the person warm: cool the burn, not the person.
7. Chemical burn: brush off any powder, then rinse with plenty of water for 20 minutes.
""",
    ),
    "choking": (
        "Choking",
        """1. Ask: "Are you choking?" If they can cough, tell them to keep coughing.
2. If they cannot cough, speak or breathe: **5 back blows**. Lean them forward and hit hard between the shoulder blades with the heel of your hand.
3. Still stuck: **5 abdominal thrusts**. Stand behind, fist above the belly button, pull sharply in and up.
4. Repeat 5 back blows and 5 thrusts until the object comes out.
5. If they stop responding, lay them down: """ + CPR_STEP + """
6. Baby under 1 year: no abdominal thrusts. 5 back blows face down along your arm, then 5 chest pushes with two fingers.
7. Anyone who had abdominal thrusts must be seen by a doctor.
""",
    ),
    "seizure": (
        "Seizure (fits)",
        """1. Stay calm. **Note the time** the seizure started.
2. Move hard or sharp things away. Put something soft under their head.
3. Do not hold them down. Put nothing in their mouth.
4. Loosen tight clothing at the neck.
5. When the shaking stops, roll them onto their side (recovery position). Check they breathe normally.
6. Stay with them and speak calmly until they are fully awake.
7. If it lasts over 5 minutes or another seizure starts, tell the ambulance crew at once.
8. If they are not breathing normally after it stops: """ + CPR_STEP + "\n",
    ),
    "poisoning": (
        "Poisoning",
        """1. Find out **what, how much and when**. Keep the packet or bottle to show the crew.
2. Do not make them vomit. Give nothing to eat or drink unless a doctor tells you to.
3. On the skin: take off soaked clothing and rinse with lots of water for 20 minutes.
4. In the eyes: rinse with gently running water for 15 minutes.
5. Gas or fumes: get them into fresh air only if it is safe for you.
6. If they do not respond but breathe normally, roll them onto their side (recovery position).
7. If they are not breathing normally: """ + CPR_STEP + "\n",
    ),
    "childbirth": (
        "Childbirth",
        """1. Stay calm. Help the mother into a comfortable position, lying or half-sitting, on clean towels.
2. Wash your hands. Do not pull the baby: let it come, and support its head as it comes out.
3. If the cord is around the baby's neck, gently slip it over the head.
4. Dry the baby with a clean towel. Put it skin to skin on the mother's chest. Cover both to keep warm.
5. If the baby does not cry or breathe, rub its back firmly with the towel.
6. Do not pull or cut the cord. Do not pull the afterbirth.
7. Let the baby feed at the breast if it can: this helps to reduce the mother's bleeding.
""",
    ),
    "other": (
        "While help is on the way",
        """1. Make sure you and the person are safe. Do not put yourself in danger.
2. If they do not respond and are not breathing normally: """ + CPR_STEP + """
3. If they do not respond but breathe normally, roll them onto their side (recovery position).
4. Press firmly on any heavy bleeding with a clean cloth.
5. Keep them warm and still. Give nothing to eat or drink.
6. Keep your phone with you. Unlock the door or send someone to meet the ambulance.
""",
    ),
}


DEFAULTS_BY_LANGUAGE: dict[str, dict[str, tuple[str, str]]] = {"en": DEFAULT_GUIDANCE, "hi": DEFAULT_GUIDANCE_HI}
SAVED_SINCE = ("Someone saved this guidance after you opened it. Their text is shown now: "
               "check it and make your change again.")
# A language's code ("hi", "kn"): db/ knows no catalogs, the page offers only those there are.
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


@dataclass(frozen=True)
class GuidanceView:
    emergency_type: str
    type_label: str
    title: str
    body_markdown: str
    updated_at: datetime | None
    updated_by_id: int | None
    language: str = "en"
    # True when the reader's language has no text yet and this is the English one.
    fallback: bool = False


def type_label(emergency_type: str) -> str:
    kind = EMERGENCY_TYPES.get(emergency_type)
    return kind.label if kind else emergency_type


def _sort_order(emergency_type: str) -> int:
    return list(EMERGENCY_TYPES).index(emergency_type) if emergency_type in EMERGENCY_TYPES else 999


def ensure_default_guidance(session: Session, now: datetime) -> int:
    """Add the default guidance for every type and language that has none. Safe to run twice,
    and in two processes at once (the unique type and language decide). Returns how many rows
    were added."""
    existing = {(t, lang) for t, lang in session.execute(select(Guidance.emergency_type, Guidance.language))}
    added = 0
    for language, defaults in DEFAULTS_BY_LANGUAGE.items():
        for emergency_type, (title, body) in defaults.items():
            if (emergency_type, language) in existing:
                continue
            try:
                with session.begin_nested():
                    session.add(Guidance(emergency_type=emergency_type, language=language, title=title,
                                         body_markdown=body, sort_order=_sort_order(emergency_type),
                                         updated_at=now, updated_by_id=None))
                    session.flush()
                added += 1
            except IntegrityError:
                continue  # another process added it first
    return added


def _view(emergency_type: str, row: Guidance | None, language: str = "en") -> GuidanceView:
    if row is not None:
        return GuidanceView(row.emergency_type, type_label(row.emergency_type), row.title, row.body_markdown,
                            row.updated_at, row.updated_by_id, row.language, fallback=row.language != language)
    title, body = DEFAULT_GUIDANCE[emergency_type]
    return GuidanceView(emergency_type, type_label(emergency_type), title, body, None, None, "en",
                        fallback=language != "en")


def _rows(session: Session, language: str, emergency_type: str | None = None) -> dict[str, Guidance]:
    """Per type, the row in `language`, else the English one."""
    query = select(Guidance).where(Guidance.language.in_({language, "en"}))
    if emergency_type is not None:
        query = query.where(Guidance.emergency_type == emergency_type)
    found: dict[str, Guidance] = {}
    for row in session.execute(query).scalars():
        if row.emergency_type not in found or row.language == language:
            found[row.emergency_type] = row
    return found


def all_guidance(session: Session, language: str = "en") -> list[GuidanceView]:
    """One entry per emergency type, in the SOS form's order, in `language` where written."""
    rows = _rows(session, language)
    return [_view(t, rows.get(t), language) for t in EMERGENCY_TYPES if t in rows or t in DEFAULT_GUIDANCE]


def guidance_for(session: Session, emergency_type: str | None, language: str = "en") -> GuidanceView:
    """The guidance for a type in `language` (else English, marked as a fallback); general advice
    for no type or an unknown one."""
    if not isinstance(emergency_type, str) or emergency_type not in EMERGENCY_TYPES:
        emergency_type = FALLBACK_TYPE
    return _view(emergency_type, _rows(session, language, emergency_type).get(emergency_type), language)


_STEP = re.compile(r"^\s*(\d+)[.)]\s+(.*)$")


def style_hints(body: str) -> list[str]:
    """Advice for the editor (not rules): numbered steps, each short enough for a phone."""
    hints = []
    if not isinstance(body, str | None):
        return ["The guidance must be text."]
    steps = [_STEP.match(line) for line in (body or "").splitlines()]
    steps = [m for m in steps if m]
    if not steps:
        hints.append("Write the guidance as numbered steps (1. … 2. …): easier to follow under stress.")
    for match in steps:
        text = re.sub(r"[*_`]", "", match.group(2))
        if len(text) > STEP_ADVICE_CHARS:
            hints.append(f"Step {match.group(1)} is long ({len(text)} characters). Keep steps under "
                         f"{STEP_ADVICE_CHARS} so they fit a phone screen.")
    return hints


def _words(title, body_markdown) -> tuple[str, str]:
    """The title and steps as typed, or InvalidInput at the one that is wrong."""
    title = text(title, "title", max_len=10 * TITLE_MAX, label="The title").strip()
    body = text(body_markdown, "body", max_len=10 * BODY_MAX, label="The guidance").strip()
    if not title:
        raise InvalidInput("title", "Give the guidance a title.")
    if len(title) > TITLE_MAX:
        raise InvalidInput("title", f"Keep the title under {TITLE_MAX} characters.")
    if not body:
        raise InvalidInput("body", "Write the steps: the guidance cannot be empty.")
    if len(body) > BODY_MAX:
        raise InvalidInput("body", f"Keep the guidance under {BODY_MAX} characters (it has {len(body)}): "
                                   "people read it under stress.")
    return title, body + "\n"


def _first_text(session: Session, *, actor: User, emergency_type: str, language: str, title: str, body: str,
                now: datetime) -> None:
    """The first text of a type in a language (a unique row: of two officers, the second is refused)."""
    try:
        with session.begin_nested():
            session.add(Guidance(emergency_type=emergency_type, language=language, title=title, body_markdown=body,
                                 sort_order=_sort_order(emergency_type), updated_at=now, updated_by_id=actor.id))
            session.flush()
    except IntegrityError:  # another officer wrote the first text in this language a moment ago
        raise Conflict(SAVED_SINCE) from None


def save_guidance(session: Session, *, actor: User, emergency_type: str, title: str, body_markdown: str,
                  now: datetime, expected_updated_at: datetime | str | None = None,
                  language: str = "en", expect_new: bool = False) -> GuidanceView:
    """Replace one type's guidance in `language`. `expected_updated_at` is when the editor's copy
    was saved; `expect_new`: the editor saw no text in this language (citizens got the English)
    and writes the first one. If someone saved since, the save is refused instead of silently
    overwriting their text."""
    require_role(actor, *EDITOR_ROLES)
    expected_updated_at = iso_datetime(expected_updated_at, "version")
    if not isinstance(emergency_type, str) or emergency_type not in EMERGENCY_TYPES:
        raise InvalidInput("emergency_type", "Choose the emergency type from the list.")
    if not LANGUAGE_CODE.fullmatch(text(language, "language", max_len=20, label="The language")):
        raise InvalidInput("language", "Choose the language from the list.")
    title, body = _words(title, body_markdown)
    row = session.execute(select(Guidance).where(Guidance.emergency_type == emergency_type,
                                                 Guidance.language == language)).scalar_one_or_none()
    if row is None:
        _first_text(session, actor=actor, emergency_type=emergency_type, language=language, title=title, body=body,
                    now=now)
    elif expect_new or (expected_updated_at is not None and row.updated_at != expected_updated_at):
        raise Conflict(SAVED_SINCE)
    else:
        changed = session.execute(
            update(Guidance).where(Guidance.id == row.id, Guidance.updated_at == row.updated_at)
            .values(title=title, body_markdown=body, updated_at=now, updated_by_id=actor.id)
        ).rowcount
        if changed != 1:
            raise Conflict("Someone saved this guidance at the same moment. Their text is shown now: "
                           "check it and make your change again.")
    audit.record(session, actor=actor, action="guidance.edit", now=now, target_type="guidance",
                 target_id=emergency_type, detail={"title": title, "characters": len(body), "language": language})
    return GuidanceView(emergency_type, type_label(emergency_type), title, body, now, actor.id, language)
