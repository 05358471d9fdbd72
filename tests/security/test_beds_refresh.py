"""Find a bed's 10-s refresh as the browser posts it: the first answer draws the results; an
unchanged refresh answers the "last updated" line alone, under a kilobyte; a change in the
figures is drawn again on the next refresh once the version is asked again."""

import json

from db import capacity
from db.models import Hospital, User
from tests.builders import T0, give_beds


def _search(auth, web_app, kept, n):
    key, spec = next((k, s) for k, s in web_app.callback_map.items() if "beds-results.children" in k)
    values = {"beds-search-refresh.n_intervals": n, "beds-type.value": "", **kept}

    def value(dep):
        return {"id": dep["id"], "property": dep["property"], "value": values.get(f"{dep['id']}.{dep['property']}")}

    body = {"output": key, "outputs": [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True))
                                       for p in key.strip(".").split("...")],
            "inputs": [value(d) for d in spec["inputs"]], "state": [value(d) for d in spec["state"]],
            "changedPropIds": ["beds-search-refresh.n_intervals"]}
    response = auth.client.post("/_dash-update-component", json=body, headers=auth.dash_headers())
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    raw = response.get_data()
    answer = json.loads(raw)["response"]
    if "beds-shown" in answer:
        kept["beds-shown.data"] = answer["beds-shown"]["data"]
    return len(raw), raw.decode()


def test_an_unchanged_bed_search_refresh_answers_under_a_kilobyte_and_a_change_is_drawn(
        auth, web_app, web_people, web_db):
    with web_db.factory() as session:
        give_beds(session, session.get(Hospital, web_people["hospital_a"].id))
        session.commit()
    auth.login("citizen@example.in")
    kept = {}
    _size, drawn = _search(auth, web_app, kept, 1)
    assert "Alpha Hospital" in drawn and f"bed-result-{web_people['hospital_a'].id}" in drawn
    size, idle = _search(auth, web_app, kept, 2)
    assert size <= 1024 and "Alpha Hospital" not in idle and "Last updated" in idle, (size, idle[:300])

    with web_db.factory() as session:
        admin = session.get(User, web_people["admin_a"].id)
        capacity.step_available(session, actor=admin, hospital_id=web_people["hospital_a"].id, bed_code="GENERAL",
                                delta=-1, now=T0)
        session.commit()
    capacity._VERSION_MEMO.clear()  # as a second later
    _size, redrawn = _search(auth, web_app, kept, 3)
    assert "Alpha Hospital" in redrawn  # drawn again: its figures changed
