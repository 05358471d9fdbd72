"""SOS callbacks called directly with someone else's ids are refused and change nothing."""


from sqlalchemy import func, select

from db import dispatch, matching
from db import sos as sos_ops
from db.models import Ambulance, Sos, SosEvent, User
from db.vocabulary import sos_number
from tests.builders import T0, give_beds
from tests.security.callbacks import answer_offer, queue_press


def _offered_to_alpha_only(web_db, web_people):
    with web_db.factory() as session:
        give_beds(session, session.get(type(web_people["hospital_a"]), web_people["hospital_a"].id))
        citizen = session.get(User, web_people["citizen"].id)
        sos, _ = sos_ops.create_sos(session, actor=citizen, latitude=12.9784, longitude=77.6410, now=T0)
        matching.match_due(session, now=T0, rings=(1.0,))  # Beta is 5 km away: Alpha only
        admin_b = session.get(User, web_people["admin_b"].id)
        unit_b = dispatch.register_unit(session, actor=admin_b, call_sign="B-1", now=T0)
        session.commit()
        return sos.id, unit_b.id


def test_other_hospital_cannot_accept_through_the_callback(auth, web_app, web_people, web_db):
    sos_id, _ = _offered_to_alpha_only(web_db, web_people)
    auth.login("admin.b@example.in")
    assert queue_press(auth, web_app, "accept-sos", sos_id) == "This SOS was not offered to your hospital."
    with web_db.factory() as session:
        assert session.get(Sos, sos_id).status == "pending"


def test_a_press_the_page_does_not_know_is_refused_with_a_reason(auth, web_app, web_people, web_db):
    sos_id, _unit = _offered_to_alpha_only(web_db, web_people)
    auth.login("admin.a@example.in")
    for odd in ({"kind": "delete", "sos": sos_id}, "accept", {"kind": "accept", "sos": "x"}, None):
        said = answer_offer(auth, web_app, "", 0, press=odd)
        assert said in ("That button is not one this page knows. Reload the page.",
                        "This SOS was not offered to your hospital.", "SOS not found."), (odd, said)
    with web_db.factory() as session:
        assert session.get(Sos, sos_id).status == "pending"


def test_first_accept_wins_through_the_callbacks_and_the_loser_is_told_who_won(auth, web_app, web_people, web_db):
    with web_db.factory() as session:
        for key in ("hospital_a", "hospital_b"):
            give_beds(session, session.get(type(web_people[key]), web_people[key].id))
        citizen = session.get(User, web_people["citizen"].id)
        sos, _ = sos_ops.create_sos(session, actor=citizen, latitude=12.9784, longitude=77.6410, now=T0)
        matching.match_due(session, now=T0, rings=(10.0,))  # both hospitals
        session.commit()
        sos_id = sos.id
    number = sos_number(sos_id)
    auth.login("admin.a@example.in")
    assert queue_press(auth, web_app, "accept-sos", sos_id) == f"{number} is yours. Send an ambulance now."
    assert queue_press(auth, web_app, "accept-sos", sos_id) == f"{number} is yours. Send an ambulance now."  # double click
    auth.logout()
    auth.login("admin.b@example.in")
    assert queue_press(auth, web_app, "accept-sos", sos_id) == "Already accepted by Alpha Hospital."
    with web_db.factory() as session:
        assert session.get(Sos, sos_id).hospital_id == web_people["hospital_a"].id
        assert session.execute(select(func.count()).select_from(SosEvent)
                               .where(SosEvent.sos_id == sos_id, SosEvent.kind == "accepted")).scalar_one() == 1


def test_other_hospital_cannot_assign_or_step_or_resolve(auth, web_app, web_people, web_db):
    sos_id, unit_b = _offered_to_alpha_only(web_db, web_people)
    with web_db.factory() as session:
        sos_ops.accept_sos(session, actor=session.get(User, web_people["admin_a"].id), sos_id=sos_id, now=T0)
        session.commit()
    auth.login("admin.b@example.in")
    refused = "Your hospital has not accepted that SOS."
    assert queue_press(auth, web_app, "assign-unit", sos_id, unit_value=str(unit_b)) == refused
    assert queue_press(auth, web_app, "step-unit", sos_id, extra={"to": "en_route"}) == refused
    assert queue_press(auth, web_app, "resolve-sos", sos_id) == refused
    with web_db.factory() as session:
        assert session.get(Sos, sos_id).status == "accepted"
        assert session.get(Ambulance, unit_b).status == "available"


def test_hospital_cannot_dispatch_another_hospitals_ambulance(auth, web_app, web_people, web_db):
    sos_id, unit_b = _offered_to_alpha_only(web_db, web_people)
    with web_db.factory() as session:
        sos_ops.accept_sos(session, actor=session.get(User, web_people["admin_a"].id), sos_id=sos_id, now=T0)
        session.commit()
    auth.login("admin.a@example.in")
    assert queue_press(auth, web_app, "assign-unit", sos_id, unit_value=str(unit_b)) == \
        "That ambulance belongs to another hospital."
    with web_db.factory() as session:
        assert session.get(Ambulance, unit_b).status == "available"
        assert session.get(Sos, sos_id).ambulance_id is None


# A citizen's own SOS pages (no longer Dash callbacks): tests/security/test_citizen_pages.py.
