"""The SOS queue's 2-s refresh as the browser posts it: an unchanged refresh answers in under a
kilobyte and draws no card; a new SOS offered to the hospital is drawn on the next one."""

import json
from datetime import timedelta

from db import matching
from db import sos as sos_ops
from db.clock import utcnow
from db.models import Hospital, User
from db.vocabulary import sos_number
from tests.builders import T0, add_user, give_beds

IDLE_LIMIT = 1024


class Screen:
    """One queue screen: posts the refresh the way Dash's renderer does, and keeps what the page
    keeps between posts (the stores the refresh writes)."""

    def __init__(self, auth, web_app):
        self.auth = auth
        found = [(key, spec) for key, spec in web_app.callback_map.items() if "queue-rows.data" in key]
        assert len(found) == 1, [key for key, _ in found]
        self.key, self.spec = found[0]
        self.kept: dict[str, object] = {}  # "id.property" -> value
        self.polls = 0

    def _value(self, dep):
        if dep["id"].startswith("{"):
            return []  # the ambulance selects: none chosen
        return {"id": dep["id"], "property": dep["property"],
                "value": self.kept.get(f"{dep['id']}.{dep['property']}")}

    def refresh(self, trigger="queue-live.data"):
        """One interval tick; returns (bytes of the answer, its decoded response)."""
        self.polls += 1
        self.kept["queue-live.data"] = f"v{self.polls}"  # a new version, as assets/live.js sets it
        outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
                   for part in self.key.strip(".").split("...")]
        body = {
            "output": self.key,
            "outputs": outputs,
            "inputs": [self._value(dep) for dep in self.spec["inputs"]],
            "state": [self._value(dep) for dep in self.spec["state"]],
            "changedPropIds": [trigger],
        }
        response = self.auth.client.post("/_dash-update-component", json=body, headers=self.auth.dash_headers())
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        raw = response.get_data()
        answer = json.loads(raw)["response"]
        for component_id, props in answer.items():
            for prop, value in props.items():
                self.kept[f"{component_id}.{prop}"] = value
        return len(raw), raw.decode()

    def refresh_after_action(self):
        """The refresh an action sets off by bumping the page's "changed" store."""
        return self.refresh(trigger="queue-changed.data")


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
    assert _cards_in(drawn) == [first] and sos_number(first) in drawn

    size, idle = screen.refresh()
    assert size <= IDLE_LIMIT, (size, idle[:300])
    assert "queue-rows" not in idle and "active-card" not in idle and sos_number(first) not in idle
    assert "Last updated" in idle  # the time still moves: the screen is current

    second = _offer_to_alpha(web_db, other_id, seconds=5)
    size, redrawn = screen.refresh()
    assert _cards_in(redrawn) == [second] and _order(redrawn) == [first, second]  # only the new card travels

    size, idle = screen.refresh()
    assert size <= IDLE_LIMIT and "queue-rows" not in idle


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
    assert len(_cards_in(drawn)) == 25 and "300 waiting" in drawn  # the first page, and the count
    idle_size, idle = screen.refresh()
    print(f"\nqueue with 300 waiting: full draw {drawn_size} bytes, unchanged refresh {idle_size} bytes")
    assert idle_size <= IDLE_LIMIT and "queue-rows" not in idle


def _long_queue(web_db, web_people, count, *, critical_every=0):
    """`count` SOS offered to Alpha, one a second from T0 (every `critical_every`-th a cardiac arrest)."""
    with web_db.factory() as session:
        give_beds(session, session.get(Hospital, web_people["hospital_a"].id))
        for index in range(count):
            citizen = add_user(session, "citizen", email=f"caller.{index}@example.in")
            critical = critical_every and index % critical_every == critical_every - 1
            sos_ops.create_sos(session, actor=citizen, latitude=12.9784, longitude=77.6410,
                               now=T0 + timedelta(seconds=index),
                               emergency_type="cardiac_arrest" if critical else None)
        matching.match_due(session, now=T0 + timedelta(seconds=count), rings=(1.0,), limit=count)
        session.commit()
        late = add_user(session, "citizen", email="late.caller@example.in").id
        session.commit()
    return late


def _rows(text, part="waiting"):
    """The rows of waiting cards an answer sends ({} when it sends none), and their order."""
    sent = json.loads(text)["response"].get("queue-rows", {}).get("data") or {}
    return sent.get(part) or {}


def _cards_in(text, part="waiting"):
    """The SOS whose cards an answer (re)draws, in the order given."""
    rows = _rows(text, part).get("rows", {})
    return [int(key) for key in rows]


def _order(text, part="waiting"):
    return _rows(text, part).get("order")


def test_a_long_queue_shows_the_most_urgent_oldest_first_a_count_and_a_new_sos_apart(
        auth, web_app, web_people, web_db):
    late = _long_queue(web_db, web_people, 60, critical_every=10)
    auth.login("admin.a@example.in")
    screen = Screen(auth, web_app)
    _size, drawn = screen.refresh()
    shown = _cards_in(drawn)
    with web_db.factory() as session:
        queue = sos_ops.hospital_queue(session, actor=session.get(User, web_people["admin_a"].id))
    assert len(shown) == 25 and shown == [item.sos_id for item in queue[:25]]
    assert [item.priority for item in queue[:6]] == ["critical"] * 6  # every critical one before the rest
    assert "60 waiting" in drawn and "35 more" in drawn

    # A new SOS ranks last (emergent, newest), yet the next refresh shows it apart, and only it.
    with web_db.factory() as session:
        sos, _ = sos_ops.create_sos(session, actor=session.get(User, late), latitude=12.9784, longitude=77.6410,
                                    now=utcnow())
        matching.match_due(session, now=utcnow(), sos_id=sos.id, rings=(1.0,))
        session.commit()
        newest = sos.id
    size, redrawn = screen.refresh()
    assert _cards_in(redrawn) == [] and _order(redrawn) is None  # the first page did not change …
    assert _cards_in(redrawn, "arrived") == [newest]  # … the new SOS shows apart
    assert '"queue-arrived-box":{"hidden":false}' in redrawn
    assert "61 waiting" in redrawn and size < 4096, size


def test_an_accept_on_a_long_queue_answers_its_message_and_the_next_refresh_only_the_changed_cards(
        auth, web_app, web_people, web_db):
    from tests.security.callbacks import queue_press

    _long_queue(web_db, web_people, 300)
    auth.login("admin.a@example.in")
    screen = Screen(auth, web_app)
    _size, drawn = screen.refresh()
    first = _cards_in(drawn)[0]
    with web_db.factory() as session:
        queue = sos_ops.hospital_queue(session, actor=session.get(User, web_people["admin_a"].id), limit=26)
        twenty_sixth = queue[25].sos_id
    assert queue_press(auth, web_app, "accept-sos", first) == f"{sos_number(first)} is yours. Send an ambulance now."

    # The refresh the accept sets off: the accepted card leaves, the 26th moves up, the emergency
    # held appears; none of the 24 cards left alone travels again.
    screen.kept["queue-changed.data"] = 1
    size, answer = screen.refresh_after_action()
    assert _cards_in(answer) == [twenty_sixth] and _order(answer) == [i.sos_id for i in queue[1:26]]
    assert f'"id":"active-{first}"' in answer
    assert size < 8192, size
