"""What reaches the last line of defence for callbacks (pages/shell.on_callback_error): a refusal
is shown as its own words and is not logged as a server fault; anything else is logged with its
traceback and shown as the generic banner."""

from __future__ import annotations

import logging

import pytest

from db.errors import InvalidInput
from pages import shell


@pytest.fixture
def banner(monkeypatch):
    shown = {}
    monkeypatch.setattr(shell.dash, "set_props", lambda target, props: shown.update(props))
    return shown


def test_a_refusal_is_shown_in_its_words_and_not_logged_as_an_error(web_app, banner, caplog):
    with web_app.server.test_request_context("/"), caplog.at_level(logging.INFO):
        shell.on_callback_error(InvalidInput("total", "A bed total is a whole number from 0 to 10,000."))
    assert banner == {"children": "A bed total is a whole number from 0 to 10,000.", "is_open": True}
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_a_fault_is_logged_with_its_traceback_and_shown_as_the_banner(web_app, banner, caplog):
    with web_app.server.test_request_context("/"), caplog.at_level(logging.INFO):
        try:
            raise KeyError("no such row")
        except KeyError as error:
            shell.on_callback_error(error)
    assert banner["children"].startswith("Something went wrong")
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is not None
