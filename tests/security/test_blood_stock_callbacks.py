"""The hospital's blood stock actions, called as Dash's renderer calls them: a refusal about the
units typed is said once, at the field."""

BLOOD_ISSUED = "hospital-capacity-blood-issued"
MESSAGE, UNITS_FEEDBACK = "hospital-capacity-blood-message", "hospital-capacity-blood-units-feedback"


def _press(auth, web_app, trigger, state):
    """Press `trigger` with `state` as {(id, prop): value}; returns the outputs by id."""
    key, spec = next((key, spec) for key, spec in web_app.callback_map.items()
                     if [dep["id"] for dep in spec["inputs"]] == [trigger])
    body = {
        "output": key,
        "outputs": [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
                    for part in key.strip(".").split("...")],
        "inputs": [{"id": trigger, "property": "n_clicks", "value": 1}],
        "state": [{"id": dep["id"], "property": dep["property"], "value": state.get((dep["id"], dep["property"]))}
                  for dep in spec.get("state", [])],
        "changedPropIds": [f"{trigger}.n_clicks"],
    }
    response = auth.client.post("/_dash-update-component", json=body, headers=auth.dash_headers())
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]


def test_issuing_more_than_in_stock_is_said_once_at_the_units_field(auth, web_app, web_people):
    auth.login("admin.a@example.in")
    out = _press(auth, web_app, BLOOD_ISSUED, {
        ("hospital-capacity-blood-group", "value"): "O-",
        ("hospital-capacity-blood-component", "value"): "whole_blood",
        ("hospital-capacity-blood-units", "value"): "3",
    })
    assert "in stock: cannot issue 3" in out[UNITS_FEEDBACK]["children"]
    assert "cannot issue" not in str(out[MESSAGE]["children"])
