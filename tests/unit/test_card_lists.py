"""A list of cards is redrawn by what changed: cards left alone never travel again."""

import json

from dash import Patch, html, no_update
from plotly.utils import PlotlyJSONEncoder

from components.dispatch import list_update

EMPTY = html.P("None", id="empty")


def _card(key, text="x"):
    return (key, text, lambda: html.Div(text, id=f"card-{key}"))


def _sent(value) -> str:
    return json.dumps(value, cls=PlotlyJSONEncoder)


def test_first_draw_sends_every_card_then_only_the_changes():
    children, shown = list_update(None, [_card(1), _card(2), _card(3)], EMPTY)
    assert [c.id for c in children] == ["card-1", "card-2", "card-3"]
    assert shown == [[1, "x"], [2, "x"], [3, "x"]]

    assert list_update(shown, [_card(1), _card(2), _card(3)], EMPTY)[0] is no_update

    patch, shown = list_update(shown, [_card(1), _card(3, "changed"), _card(4)], EMPTY)
    assert isinstance(patch, Patch)
    sent = _sent(patch)
    assert "card-3" in sent and "card-4" in sent and "card-1" not in sent and "card-2" not in sent
    assert shown == [[1, "x"], [3, "changed"], [4, "x"]]


def test_a_patch_applied_to_the_old_list_gives_the_new_one():
    old = [1, 2, 3, 4, 5]
    shown = [[k, "x"] for k in old]
    wanted = [_card(0), _card(2), _card(4, "y"), _card(6), _card(5)]
    patch, _ = list_update(shown, wanted, EMPTY)
    current = [f"card-{k}" for k in old]
    for op in patch.to_plotly_json()["operations"]:
        index = op["location"][0] if op["location"] else None
        if op["operation"] == "Delete":
            del current[index]
        elif op["operation"] == "Insert":
            current.insert(op["params"]["index"], op["params"]["value"].id)
        elif op["operation"] == "Assign":
            current[index] = op["params"]["value"].id
        else:
            raise AssertionError(op)
    assert current == ["card-0", "card-2", "card-4", "card-6", "card-5"]


def test_an_order_that_moved_or_an_empty_list_redraws_whole():
    shown = [[1, "x"], [2, "x"]]
    children, _ = list_update(shown, [_card(2), _card(1)], EMPTY)
    assert [c.id for c in children] == ["card-2", "card-1"]
    assert list_update(shown, [], EMPTY)[0] is EMPTY
    assert list_update([], [], EMPTY)[0] is no_update
    assert [c.id for c in list_update([], [_card(1)], EMPTY)[0]] == ["card-1"]
