"""The callback guard's shapes, worked out from Dash 4 components' annotations (auth/callback_types.py)."""

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pytest
from dash import dcc
from werkzeug.exceptions import BadRequest

from auth.callback_types import fits, property_shapes, rows, shaped


def test_shapes_come_from_the_components_annotations():
    assert fits("AMB-3", property_shapes(dbc.Input)["value"])
    assert fits(3, property_shapes(dbc.Input)["value"])
    assert not fits({"a": 1}, property_shapes(dbc.Input)["value"])
    assert not fits(5, property_shapes(dcc.Location)["pathname"])
    assert fits([{"id": "1"}], property_shapes(dag.AgGrid)["selectedRows"])
    assert not fits(["1"], property_shapes(dag.AgGrid)["selectedRows"])
    assert not fits("x", property_shapes(dag.AgGrid)["selectedRows"])
    assert fits("2031-12-31", property_shapes(dcc.DatePickerSingle)["date"])
    assert not fits([2031], property_shapes(dcc.DatePickerSingle)["date"])
    assert property_shapes(dcc.Store)["data"] is None or fits({"any": [1]}, property_shapes(dcc.Store)["data"])


def test_store_readers_give_the_default_or_a_bad_request():
    assert shaped(None, int, None) is None
    assert shaped(3, int) == 3
    assert rows(None) == []
    assert rows([{"id": 1}]) == [{"id": 1}]
    for value, kind in [("3", int), (True, int), ({"a": 1}, list)]:
        with pytest.raises(BadRequest):
            shaped(value, kind)
    for value in ["x", [1, 2], {"ids": []}]:
        with pytest.raises(BadRequest):
            rows(value)
