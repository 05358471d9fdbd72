"""The citizen's tracking page redraws itself when the SOS changes; a keyboard user's focus stays
where it was (issue 13: focus survives refreshes on the tracking page)."""

from __future__ import annotations

import pytest
from dash.testing.wait import until

from db import matching
from db import sos as sos_ops
from db.clock import utcnow
from db.models import User
from tests.builders import give_beds

pytestmark = pytest.mark.e2e


def test_focus_on_cancel_survives_the_page_redrawing_itself(web_people, web_db, browser):
    with web_db.factory() as session:
        give_beds(session, session.get(type(web_people["hospital_a"]), web_people["hospital_a"].id))
        sos, _ = sos_ops.create_sos(session, actor=session.get(User, web_people["citizen"].id),
                                    latitude=12.9784, longitude=77.6410, now=utcnow())
        matching.match_due(session, now=utcnow(), rings=(5.0,))
        session.commit()
        sos_id = sos.id
    browser.start()
    browser.log_in("citizen@example.in", lands_on="/citizen")
    browser.open(f"/citizen/sos/{sos_id}")
    browser.wait_for_text_to_equal("#track-status", "Waiting for a hospital")
    browser.driver.execute_script("document.getElementById('cancel-sos-button').focus()")
    with web_db.factory() as session:
        sos_ops.accept_sos(session, actor=session.get(User, web_people["admin_a"].id), sos_id=sos_id, now=utcnow())
        session.commit()
    # The page redraws by itself with the news, and the focus is still on Cancel.
    browser.wait_for_text_to_equal("#track-status", "Accepted by a hospital", timeout=8)
    until(lambda: browser.driver.execute_script("return document.activeElement.id") == "cancel-sos-button", 3)
