"""The SOS queue's 2-s refresh as the browser posts it: an unchanged refresh answers in under a
kilobyte and draws no card; a new SOS offered to the hospital is drawn on the next one."""

import json
from datetime import timedelta

from db import matching
from db import sos as sos_ops
from db.models import Hospital, User
from db.vocabulary import sos_number
from tests.builders import T0, add_user, give_beds

IDLE_LIMIT = 1024


class Screen:
    """One queue screen: posts the refresh the way Dash's renderer does, and keeps what the page
    keeps between posts (the stores the refresh writes)."""

    def __init__(self, auth, web_app):
        self.auth = auth
        found = [(key, spec) for key, spec in web_app.callback_map.items() if "queue-list.children" in key]
        assert len(found) == 1, [key for key, _ in found]
        self.key, self.spec = found[0]
        self.kept: dict[str, object] = {}  # "id.property" -> value
        self.polls = 0

    def _value(self, dep):
        if dep["id"].startswith("{"):
            return []  # the ambulance selects: none chosen
        return {"id": dep["id"], "property": dep["property"],
                "value": self.kept.get(f"{dep['id']}.{dep['property']}")}

    def refresh(self):
        """One interval tick; returns (bytes of the answer, its decoded response)."""
        self.polls += 1
        self.kept["queue-refresh.n_intervals"] = self.polls
        outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
                   for part in self.key.strip(".").split("...")]
        body = {
            "output": self.key,
            "outputs": outputs,
            "inputs": [self._value(dep) for dep in self.spec["inputs"]],
            "state": [self._value(dep) for dep in self.spec["state"]],
            "changedPropIds": ["queue-refresh.n_intervals"],
        }
        response = self.auth.client.post("/_dash-update-component", json=body, headers=self.auth.dash_headers())
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        raw = response.get_data()
        answer = json.loads(raw)["response"]
        for component_id, props in answer.items():
            for prop, value in props.items():
                self.kept[f"{component_id}.{prop}"] = value
        return len(raw), raw.decode()


def _offer_to_alpha(web_db, citizen_id, *, seconds=0):
    with web_db.factory() as session:
        citizen = session.get(User, citizen_id)
        sos, _ = sos_ops.create_sos(session, actor=citizen, latitude=12.9784, longitude=77.6410,
                                    now=T0 + timedelta(seconds=seconds))
        matching.match_due(session, now=T0 + timedelta(seconds=seconds), rings=(1.0,))
        session.commit()
        return sos.id


def test_an_unchanged_refresh_answers_under_a_kilobyte_and_a_new_sos_is_drawn_next(auth, web_app, web_people, web_db):
    with web_db.factory() as session:
        give_beds(session, session.get(Hospital, web_people["hospital_a"].id))
        other_id = add_user(session, "citizen", email="second.caller@example.in").id
        session.commit()
    first = _offer_to_alpha(web_db, web_people["citizen"].id)
    auth.login("admin.a@example.in")
    screen = Screen(auth, web_app)

    size, drawn = screen.refresh()  # the page opens: everything is drawn
    assert f"queue-{first}" in drawn and sos_number(first) in drawn

    size, idle = screen.refresh()
    assert size <= IDLE_LIMIT, (size, idle[:300])
    assert "queue-card" not in idle and "active-card" not in idle and sos_number(first) not in idle
    assert "Last updated" in idle  # the time still moves: the screen is current

    second = _offer_to_alpha(web_db, other_id, seconds=5)
    size, redrawn = screen.refresh()
    assert f"queue-{second}" in redrawn and f"queue-{first}" not in redrawn  # only the new card travels

    size, idle = screen.refresh()
    assert size <= IDLE_LIMIT and "queue-card" not in idle


def test_with_300_waiting_an_unchanged_refresh_still_answers_under_a_kilobyte(auth, web_app, web_people, web_db):
    with web_db.factory() as session:
        give_beds(session, session.get(Hospital, web_people["hospital_a"].id))
        for index in range(300):
            citizen = add_user(session, "citizen", email=f"caller.{index}@example.in")
            sos_ops.create_sos(session, actor=citizen, latitude=12.9784, longitude=77.6410,
                               now=T0 + timedelta(seconds=index))
        matching.match_due(session, now=T0 + timedelta(seconds=300), rings=(1.0,), limit=300)
        session.commit()
    auth.login("admin.a@example.in")
    screen = Screen(auth, web_app)
    drawn_size, drawn = screen.refresh()
    assert drawn.count("queue-card") == 25 and "300 waiting" in drawn  # the first page, and the count
    idle_size, idle = screen.refresh()
    print(f"\nqueue with 300 waiting: full draw {drawn_size} bytes, unchanged refresh {idle_size} bytes")
    assert idle_size <= IDLE_LIMIT and "queue-card" not in idle
