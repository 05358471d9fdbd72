"""A callback's values of a type its component could never send are refused with a 400.

Dash 4 components declare the type of each property (`dbc.Input.value` is text or a number,
`dcc.Location.pathname` text, `AgGrid.selectedRows` a list of rows …). A browser only ever sends
a property what its component holds, so a body whose `value` does not fit is forged or broken:
refused here, before any callback code (ours or Dash's own page router) indexes into it. The
allowed JSON kinds are worked out once per callback from those annotations: per component id
where the page layouts name its class, else per property name across every component class the
app uses (the union: never stricter than some real component).

`dcc.Store.data` is anything, so what a page keeps in a store is read with `shaped`/`rows` below
(and what the domain reads is read by `db/parse.py`): a wrong shape there is a 400 too.

Install once, after `install_callback_check`: `install_callback_types(app)`.
"""

from __future__ import annotations

import datetime
import importlib
import inspect
import json
import logging
import sys
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.exceptions import BadRequest

from auth.callback_body import CALLBACK_PATH, problem_with
from db.errors import InvalidInput

log = logging.getLogger("healthfirst")

# A shape: the JSON kinds a value may have, each with the shape of a list's elements (None: any);
# None for the whole shape: anything goes.
Shape = dict[str, Any] | None
COMPONENT_LIBRARIES = ("dash.dcc", "dash.html", "dash_bootstrap_components", "dash_ag_grid", "dash_leaflet")
_NUMBERS = {int, float, complex, typing.SupportsFloat, typing.SupportsInt, typing.SupportsComplex}


def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "str"
    return "list" if isinstance(value, list) else "dict" if isinstance(value, dict) else "other"


def _merge(shapes: list[Shape]) -> Shape:
    merged: dict[str, Any] = {}
    for shape in shapes:
        if shape is None:
            return None
        for kind, element in shape.items():
            if kind in merged and merged[kind] != element:
                merged[kind] = None if merged[kind] is None or element is None else _merge([merged[kind], element])
            else:
                merged.setdefault(kind, element)
    return merged


def _leaf(annotation: Any) -> str | None:
    """The one JSON kind of a plain type (None when it is not one)."""
    if annotation is type(None):
        return "null"
    if annotation is bool:
        return "bool"
    if annotation in (str, datetime.date, datetime.datetime):  # a date travels as ISO text
        return "str"
    if annotation in _NUMBERS:
        return "number"
    if isinstance(annotation, type) and issubclass(annotation, dict):  # TypedDicts too
        return "dict"
    return None


def _container(annotation: Any, origin: Any, args: tuple, namespace, depth: int) -> Shape:
    if origin is dict or (isinstance(origin, type) and issubclass(origin, Mapping)):
        return {"dict": None}
    if annotation in (list, tuple, Sequence) or (isinstance(origin, type) and issubclass(origin, Sequence)):
        return {"list": shape_of(args[0], namespace, depth + 1) if len(args) == 1 else None}
    return None  # a component, anything else: not checked


def shape_of(annotation: Any, namespace: Mapping[str, Any] | None = None, depth: int = 0) -> Shape:
    """The JSON kinds a property annotated `annotation` may hold (None: anything, or unknown)."""
    if depth > 6 or annotation in (Any, inspect.Parameter.empty):
        return None
    if isinstance(annotation, typing.ForwardRef | str):  # a TypedDict named later in the module
        name = annotation.__forward_arg__ if isinstance(annotation, typing.ForwardRef) else annotation
        target = (namespace or {}).get(name)
        return None if target is None else shape_of(target, namespace, depth + 1)
    leaf = _leaf(annotation)
    if leaf:
        return {leaf: None}
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return shape_of(args[0], namespace, depth + 1)
    if origin in (typing.Union, types.UnionType):
        return _merge([shape_of(arg, namespace, depth + 1) for arg in args])
    if origin is typing.Literal:
        return _merge([{kind_of(arg): None} for arg in args])
    return _container(annotation, origin, args, namespace, depth)


# Properties whose value has a form, whatever its component: a browser always has a path, and it
# starts "/" (Dash's own page router fails on anything else).
FORMS: dict[str, Callable[[Any], bool]] = {
    "pathname": lambda value: isinstance(value, str) and value.startswith("/"),
}


def fits(value: Any, shape: Shape) -> bool:
    if shape is None:
        return True
    kind = kind_of(value)
    if kind not in shape:
        return False
    element = shape[kind]
    return element is None or all(fits(item, element) for item in value)


def property_shapes(component_class: type) -> dict[str, Shape]:
    # Names an annotation refers to: the module's, and the class's own (AgGrid.SelectedRows).
    namespace = {**vars(sys.modules.get(component_class.__module__, types.ModuleType("x"))),
                 **vars(component_class)}
    parameters = inspect.signature(component_class.__init__).parameters
    return {name: shape_of(p.annotation, namespace) for name, p in parameters.items()
            if name not in ("self", "children", "id") and p.kind is not p.VAR_KEYWORD}


def _component_classes() -> list[type]:
    from dash.development.base_component import Component

    found = []
    for name in COMPONENT_LIBRARIES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        found += [c for c in vars(module).values() if isinstance(c, type) and issubclass(c, Component)
                  and c is not Component]
    return found


def shapes_by_property(classes: list[type]) -> dict[str, Shape]:
    """Per property name, what any of these components may send for it."""
    collected: dict[str, list[Shape]] = {}
    for component_class in classes:
        for name, shape in property_shapes(component_class).items():
            collected.setdefault(name, []).append(shape)
    return {name: _merge(shapes) for name, shapes in collected.items()}


def _key(component_id: Any) -> Any:
    if isinstance(component_id, dict):
        return ("pattern", str(component_id.get("type")))
    return component_id


def classes_by_id(layouts: list[Callable[[], Any]]) -> dict[Any, set[type]]:
    """Which component class each id (a pattern id: by its "type") has in these page layouts.
    A layout that cannot be built here (it needs a database, a person) is skipped."""
    from dash.development.base_component import Component

    found: dict[Any, set[type]] = {}
    for layout in layouts:
        try:
            tree = layout() if callable(layout) else layout
        except Exception as error:  # noqa: BLE001 - its ids fall back to checks by property name
            log.debug("callback types: layout %r not walked: %s", layout, error)
            continue
        if not isinstance(tree, Component):
            continue
        for component in [tree, *tree._traverse()]:
            component_id = getattr(component, "id", None)
            if component_id is not None:
                found.setdefault(_key(component_id), set()).add(type(component))
    return found


class CallbackTypes:
    """Per callback (its output key), the shape of each input and state, computed once."""

    def __init__(self, by_property: dict[str, Shape], by_id: dict[Any, set[type]]):
        self.by_property = by_property
        self.by_id = {key: [property_shapes(c) for c in classes] for key, classes in by_id.items()}
        self.per_callback: dict[str, tuple[list[Shape], list[Shape]]] = {}

    def shape_for(self, raw_id: str, prop: str) -> Shape:
        component_id = json.loads(raw_id) if raw_id.startswith("{") else raw_id
        declared = self.by_id.get(_key(component_id))
        if declared and all(prop in shapes for shapes in declared):
            return _merge([shapes[prop] for shapes in declared])
        return self.by_property.get(prop)

    def table(self, callback_map: Mapping[str, Mapping]) -> dict[str, tuple[list[Shape], list[Shape]]]:
        if len(self.per_callback) != len(callback_map):
            self.per_callback = {
                key: ([self.shape_for(d["id"], d["property"]) for d in spec.get("inputs", [])],
                      [self.shape_for(d["id"], d["property"]) for d in spec.get("state", [])])
                for key, spec in callback_map.items()}
        return self.per_callback

    def problem_with(self, body: Any, callback_map: Mapping[str, Mapping]) -> str | None:
        """Why a value in this (well-formed) body is of a type its component never sends."""
        shapes = self.table(callback_map).get(body.get("output")) if isinstance(body, dict) else None
        if shapes is None:
            return None  # not a body auth/callback_body.py accepts: it answers for it
        for key, expected in zip(("inputs", "state"), shapes, strict=True):
            for index, (entry, shape) in enumerate(zip(body.get(key) or [], expected, strict=False)):
                for one in entry if isinstance(entry, list) else [entry]:
                    problem = _value_problem(one, shape) if isinstance(one, dict) else None
                    if problem:
                        return f"{key}[{index}]: {problem}"
        return None


def _value_problem(entry: dict, shape: Shape) -> str | None:
    value, prop = entry.get("value"), entry.get("property")
    if not fits(value, shape):
        return f"{prop} cannot be {kind_of(value)} (expected {' or '.join(sorted(shape or ()))})"
    if prop in FORMS and not FORMS[prop](value):
        return f"{prop} cannot be {str(value)[:40]!r}"
    return None


def build(app) -> CallbackTypes:
    """The shapes for `app`: its component classes, and its pages' layouts walked once."""
    import dash

    layouts = []
    for page in dash.page_registry.values():
        module = sys.modules.get(page.get("module", ""))
        layouts.append(getattr(module, "layout", None) or page.get("layout"))
    with app.server.test_request_context("/"):
        by_id = classes_by_id(layouts)
    return CallbackTypes(shapes_by_property(_component_classes()), by_id)


def install_callback_types(app) -> CallbackTypes:
    server: Flask = app.server
    checker = build(app)

    @server.before_request
    def _check_callback_types():
        if request.method != "POST" or not request.path.endswith(CALLBACK_PATH):
            return None
        body = request.get_json(silent=True)
        if problem_with(body, app.callback_map):
            return None  # malformed: auth/callback_body.py refuses it with its own reason
        problem = checker.problem_with(body, app.callback_map)
        if problem:
            return jsonify(error="bad callback request", reason=problem), 400
        return None

    return checker


# ---- what a page kept in a store, read with its shape --------------------------------------------

_REFUSE = object()


def shaped(value: Any, kind: type | tuple[type, ...], default: Any = _REFUSE) -> Any:
    """A store's (or a property's) value as the page keeps it: of `kind`, or nothing yet (None:
    `default`). Anything else no page of ours sent: a 400, never an exception in the callback."""
    if value is None and default is not _REFUSE:
        return default
    if isinstance(value, kind) and not (isinstance(value, bool) and bool not in (
            kind if isinstance(kind, tuple) else (kind,))):
        return value
    raise BadRequest(f"a value of the wrong type: {kind_of(value)}")


def rows(value: Any) -> list[dict]:
    """A grid's selected rows (or any list of records a page keeps): a list of objects, or []."""
    value = shaped(value, list, [])
    if not all(isinstance(row, dict) for row in value):
        raise BadRequest("each row must be an object")
    return value


@contextmanager
def refusal_is_bad_request():
    """Around a view's read: a filter the domain refuses (text where no form sends any, a number
    beyond any row) is a 400 with the domain's message, never an error in the log."""
    try:
        yield
    except InvalidInput as bad:
        raise BadRequest(bad.message) from None
