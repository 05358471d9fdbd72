"""Every server callback, as every role it serves, given values of the wrong type (a number where
text belongs, an object where a store holds a list, an id beyond any row …): each is refused with a
4xx or answered normally (a message at the field where it is an action); none ends in a 5xx, the
"Something went wrong" banner or an ERROR in the log (issue 15, item 6).

The callbacks come from the app's callback map, so a callback added later is swept too.
"""

from __future__ import annotations

import json
import logging

import pytest

from tests.builders import give_beds
from tests.security.callbacks import ACCOUNT_FOR_ROLE, PAGES_ROUTER

WRONG = [
    12345678901234567890,  # an id or count beyond the database's integers
    -1,
    1e308,
    "1e309",
    {"a": 1},  # an object where text or a list belongs
    [1, 2],  # a list where a record or text belongs
    "x" * 5000,
    "\x00",
    True,
    "31/31/2031",
]
BANNER = "Something went wrong"
ROLES = ["citizen", "hospital_admin", "health_officer", "super_admin", "display"]


def _concrete(raw: str):
    """A dependency's id as a browser names one component: wildcards become 1; ALL a list of one."""
    if not raw.startswith("{"):
        return raw, False
    parsed = json.loads(raw)
    wildcard = any(v in (["ALL"], ["ALLSMALLER"]) for v in parsed.values())
    return {k: (1 if isinstance(v, list) else v) for k, v in parsed.items()}, wildcard


def _entry(dep: dict, value):
    component_id, wildcard = _concrete(dep["id"])
    one = {"id": component_id, "property": dep["property"], "value": value}
    return [one] if wildcard else one


def _outputs(key: str):
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    outputs = []
    for part in parts:
        component_id, prop = part.split("@")[0].rsplit(".", 1)
        concrete, wildcard = _concrete(component_id)
        one = {"id": concrete, "property": prop}
        outputs.append([one] if wildcard else one)
    return outputs if key.startswith("..") else outputs[0]


def _counter(dep: dict) -> bool:
    return dep["property"].startswith(("n_", "submit_n_"))


def body(key: str, spec: dict, value, only: int | None = None) -> dict:
    """Every input and state `value` (or only the `only`-th of them, the others empty), except
    counters, which say "pressed" (so actions run)."""
    deps = [*spec["inputs"], *spec.get("state", [])]

    def one(dep):
        if _counter(dep):
            return _entry(dep, 1)
        return _entry(dep, value if only is None or deps.index(dep) == only else None)

    first = spec["inputs"][0] if spec["inputs"] else None
    changed = []
    if first is not None:
        component_id = _concrete(first["id"])[0]
        name = json.dumps(component_id, separators=(",", ":"), sort_keys=True) \
            if isinstance(component_id, dict) else component_id
        changed = [f"{name}.{first['property']}"]
    return {"output": key, "outputs": _outputs(key), "inputs": [one(d) for d in spec["inputs"]],
            "state": [one(d) for d in spec.get("state", [])], "changedPropIds": changed}


def _callbacks_for(web_app, client, role: str) -> dict:
    client.get("/login")  # Dash finishes registering its callbacks on the first request
    return {k: v for k, v in web_app.callback_map.items() if "callback" in v
            and (PAGES_ROUTER in k or role in getattr(v["callback"], "allowed_roles", ()))}


@pytest.fixture
def with_beds(web_db, web_people):
    with web_db.factory() as session:
        give_beds(session, session.get(type(web_people["hospital_a"]), web_people["hospital_a"].id),
                  icu=4, oxygen=2, general=9)
        session.commit()


@pytest.mark.parametrize("role", ROLES)
def test_wrong_typed_values_never_reach_a_server_error(web_app, client, auth, web_people, with_beds, caplog, role):
    assert auth.login(ACCOUNT_FOR_ROLE[role]).status_code == 302
    headers = auth.dash_headers()
    callbacks = _callbacks_for(web_app, client, role)
    assert len(callbacks) >= 2
    failures = {}
    for key, spec in callbacks.items():
        slots = [None] + [i for i, d in enumerate([*spec["inputs"], *spec.get("state", [])]) if not _counter(d)]
        for value, only in [(v, slot) for v in WRONG for slot in slots]:
            caplog.clear()
            with caplog.at_level(logging.ERROR):
                response = client.post("/_dash-update-component", json=body(key, spec, value, only),
                                       headers=headers)
            text = response.get_data(as_text=True)
            errors = [r.getMessage()[:120] for r in caplog.records if r.levelno >= logging.ERROR]
            if response.status_code >= 500 or BANNER in text or errors:
                failures.setdefault(key.split("@")[0][:90], (repr(value)[:20], only, response.status_code,
                                                          errors[:1] or text[:160]))
    assert not failures, f"{len(failures)} of {len(callbacks)} callbacks failed:\n" + "\n".join(
        f"{k}: {v}" for k, v in sorted(failures.items()))
