"""A callback request the browser could not have sent is refused with a 400 and its reason.

Every Dash callback is a public endpoint (`POST /_dash-update-component`). Dash itself assumes
a well-formed body: an unknown output, a missing input list or an input of the wrong type end
deep inside it or inside the callback as a 500 and a traceback in the log. Checked here first,
against the callback's own declaration, they are what they are: a bad request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, jsonify, request

CALLBACK_PATH = "/_dash-update-component"
# Properties the browser only ever sends as a whole count (or nothing yet).
COUNTERS = {"n_clicks", "n_intervals", "n_submit", "n_blur", "n_dblclicks"}


def _is_count(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)


def _entry_problem(entry: Any, expected: Mapping, where: str) -> str | None:
    # A wildcard (ALL) dependency arrives as a list of matching components.
    for one in entry if isinstance(entry, list) else [entry]:
        if not isinstance(one, dict) or "id" not in one or "property" not in one:
            return f"{where}: each entry needs an id and a property"
        if one["property"] != expected["property"]:
            return f"{where}: expected property {expected['property']!r}, got {one['property']!r}"
        if one["property"] in COUNTERS and not _is_count(one.get("value")):
            return f"{where}: {one['property']} must be a whole number"
    return None


def problem_with(body: Any, callback_map: Mapping[str, Mapping]) -> str | None:
    """Why `body` is not a callback request this app declares (None when it is)."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    spec = callback_map.get(body.get("output")) if isinstance(body.get("output"), str) else None
    if spec is None:
        return "no such callback output"
    for key, required in (("inputs", True), ("state", False)):
        sent = body.get(key, None if required else [])
        expected = spec.get(key) or []
        if not isinstance(sent, list) or len(sent) != len(expected):
            return f"'{key}' must list {len(expected)} entr{'y' if len(expected) == 1 else 'ies'}"
        for index, (entry, wanted) in enumerate(zip(sent, expected, strict=True)):
            problem = _entry_problem(entry, wanted, f"{key}[{index}]")
            if problem:
                return problem
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "'changedPropIds' must be a list of strings"
    return None


def install_callback_check(server: Flask, callback_map: Callable[[], Mapping[str, Mapping]]) -> None:
    @server.before_request
    def _check_callback_body():
        if request.method != "POST" or not request.path.endswith(CALLBACK_PATH):
            return None
        problem = problem_with(request.get_json(silent=True), callback_map())
        if problem:
            return jsonify(error="bad callback request", reason=problem), 400
        return None
