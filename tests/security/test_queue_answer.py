"""Accept / Decline on the SOS queue, posted by assets/queue.js to its own JSON route
(web/queue_answer.py): the checks a Dash callback gets (CSRF header, role, the rules of db/), a
reason for every refusal, and nothing changed by a request the page would never send."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from components.dispatch import ANSWER_URL
from db import matching
from db import sos as sos_ops
from db.models import Hospital, Sos, SosEvent, SosOffer, User
from db.vocabulary import sos_number
from tests.builders import T0, give_beds
from tests.security.callbacks import ACCOUNT_FOR_ROLE, post_answer


def _sos(web_db, web_people, *, rings=(10.0,)) -> int:
    """An SOS offered to Alpha and Beta (`rings=(1.0,)`: to Alpha only)."""
    with web_db.factory() as session:
        for key in ("hospital_a", "hospital_b"):
            give_beds(session, session.get(Hospital, web_people[key].id))
        sos, _ = sos_ops.create_sos(session, actor=session.get(User, web_people["citizen"].id),
                                    latitude=12.9784, longitude=77.6410, now=T0)
        matching.match_due(session, now=T0, rings=rings)
        session.commit()
        return sos.id


def _unchanged(web_db, sos_id) -> bool:
    with web_db.factory() as session:
        offers = set(session.execute(select(SosOffer.status).where(SosOffer.sos_id == sos_id)).scalars())
        answered = session.execute(select(func.count()).select_from(SosEvent).where(
            SosEvent.sos_id == sos_id, SosEvent.kind.in_(("accepted", "declined")))).scalar_one()
        return session.get(Sos, sos_id).status == "pending" and offers == {"offered"} and answered == 0


def test_accept_then_the_other_hospital_is_told_who_took_it(auth, web_people, web_db):
    sos_id = _sos(web_db, web_people)
    auth.login("admin.a@example.in")
    assert post_answer(auth, {"kind": "accept", "sos": sos_id}) == \
        (200, {"message": f"{sos_number(sos_id)} is yours. Send an ambulance now.", "color": "success"})
    auth.logout()
    auth.login("admin.b@example.in")
    assert post_answer(auth, {"kind": "accept", "sos": sos_id}) == \
        (200, {"message": "Already accepted by Alpha Hospital.", "color": "danger"})
    with web_db.factory() as session:
        assert session.get(Sos, sos_id).hospital_id == web_people["hospital_a"].id


def test_decline_takes_it_off_this_queue(auth, web_people, web_db):
    sos_id = _sos(web_db, web_people)
    auth.login("admin.b@example.in")
    assert post_answer(auth, {"kind": "decline", "sos": sos_id}) == \
        (200, {"message": f"{sos_number(sos_id)} declined: it has left your queue.", "color": "secondary"})
    with web_db.factory() as session:
        offers = dict(session.execute(select(SosOffer.hospital_id, SosOffer.status)
                                      .where(SosOffer.sos_id == sos_id)).all())
    assert offers == {web_people["hospital_a"].id: "offered", web_people["hospital_b"].id: "declined"}


@pytest.mark.parametrize("token", ["", "not-the-token"])
def test_without_the_sessions_csrf_token_nothing_happens(auth, web_people, web_db, token):
    sos_id = _sos(web_db, web_people)
    auth.login("admin.a@example.in")
    auth.dash_headers()  # the page was opened: the session has its token
    status, said = post_answer(auth, {"kind": "accept", "sos": sos_id}, headers={"X-CSRFToken": token} if token else {})
    assert (status, said["message"]) == (403, "missing or wrong CSRF token: reload the page")
    assert _unchanged(web_db, sos_id)


@pytest.mark.parametrize("role", ["citizen", "health_officer", "super_admin", "display"])
def test_only_a_hospitals_admin_may_answer(auth, web_people, web_db, role):
    sos_id = _sos(web_db, web_people)
    auth.login(ACCOUNT_FOR_ROLE[role])
    status, said = post_answer(auth, {"kind": "accept", "sos": sos_id})
    assert (status, said["message"]) == (403, "Only a hospital's admins answer its SOS queue.")
    assert _unchanged(web_db, sos_id)


def test_signed_out_is_told_to_log_in(client, web_people, web_db):
    sos_id = _sos(web_db, web_people)
    response = client.post("/_queue/answer", json={"kind": "accept", "sos": sos_id})
    assert response.status_code == 401 and response.get_json()["login"] == "/login"
    assert _unchanged(web_db, sos_id)


def test_an_sos_not_offered_to_the_hospital_is_refused_with_the_reason(auth, web_people, web_db):
    sos_id = _sos(web_db, web_people, rings=(1.0,))  # Beta is 5 km away: Alpha only
    auth.login("admin.b@example.in")
    for kind in ("accept", "decline"):
        status, said = post_answer(auth, {"kind": kind, "sos": sos_id})
        assert (status, said["message"]) == (200, "This SOS was not offered to your hospital.")
    assert _unchanged(web_db, sos_id)


THE_SOS = object()  # the test's SOS, whose id is known only once it is sent


@pytest.mark.parametrize("body", [
    None, [], "accept", {"kind": "accept"}, {"sos": THE_SOS}, {"kind": "delete", "sos": THE_SOS},
    {"kind": "Accept", "sos": THE_SOS}, {"kind": ["accept"], "sos": THE_SOS}, {"kind": "accept", "sos": "x"},
    {"kind": "accept", "sos": 0}, {"kind": "accept", "sos": -3}, {"kind": "accept", "sos": True},
    {"kind": "accept", "sos": 2 ** 40}, {"kind": "accept", "sos": [1]},
])
def test_a_body_the_page_never_sends_is_400_with_a_reason(auth, web_people, web_db, body):
    sos_id = _sos(web_db, web_people)
    if isinstance(body, dict):
        body = {k: sos_id if v is THE_SOS else v for k, v in body.items()}
    auth.login("admin.a@example.in")
    status, said = post_answer(auth, body)
    assert (status, said["message"]) == (400, "That button is not one this page knows. Reload the page.")
    assert _unchanged(web_db, sos_id)


def test_not_json_is_400(auth, web_people, web_db):
    sos_id = _sos(web_db, web_people)
    auth.login("admin.a@example.in")
    response = auth.client.post("/_queue/answer", data=f"kind=accept&sos={sos_id}", headers=auth.dash_headers())
    assert response.status_code == 400
    assert _unchanged(web_db, sos_id)


def test_the_page_posts_where_the_route_listens():
    """assets/queue.js names the route's address (it has no other way to learn it)."""
    script = (Path(__file__).parents[2] / "assets" / "queue.js").read_text(encoding="utf-8")
    assert f"const QUEUE_ANSWER_URL = '{ANSWER_URL}';" in script


def test_during_an_outage_it_answers_not_saved(auth, web_people, web_db, request):
    sos_id = _sos(web_db, web_people)
    auth.login("admin.a@example.in")
    headers = auth.dash_headers()
    request.getfixturevalue("database_cut")
    status, said = post_answer(auth, {"kind": "accept", "sos": sos_id}, headers=headers)
    assert status == 503 and said["message"].startswith("Not saved")
