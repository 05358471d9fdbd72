"""Find a bed's 10-s refresh as the browser posts it: the first answer draws the results; an
unchanged refresh answers the "last updated" line alone, under a kilobyte; a change in the
figures is drawn again on the next refresh once the version is asked again."""


from db import capacity
from db.models import Hospital, User
from tests.builders import T0, give_beds
from tests.security.callbacks import beds_search


def test_an_unchanged_bed_search_refresh_answers_under_a_kilobyte_and_a_change_is_drawn(
        auth, web_app, web_people, web_db):
    with web_db.factory() as session:
        give_beds(session, session.get(Hospital, web_people["hospital_a"].id))
        session.commit()
    auth.login("citizen@example.in")
    kept = {}
    _size, drawn = beds_search(auth, web_app, kept, 1)
    assert "Alpha Hospital" in drawn and f"bed-result-{web_people['hospital_a'].id}" in drawn
    size, idle = beds_search(auth, web_app, kept, 2)
    assert size <= 1024 and "Alpha Hospital" not in idle and "Last updated" in idle, (size, idle[:300])

    with web_db.factory() as session:
        admin = session.get(User, web_people["admin_a"].id)
        capacity.step_available(session, actor=admin, hospital_id=web_people["hospital_a"].id, bed_code="GENERAL",
                                delta=-1, now=T0)
        session.commit()
    capacity._VERSION_MEMO.clear()  # as a second later
    _size, redrawn = beds_search(auth, web_app, kept, 3)
    assert "Alpha Hospital" in redrawn  # drawn again: its figures changed
