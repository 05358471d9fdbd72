"""The super admin's grids show state in colour and in words, and their own messages: dash-ag-grid
evaluates `cellClassRules` strings with its own parser (no eval, so the CSP allows them), but
refuses HTML templates such as `overlayNoRowsTemplate` ("Blocked a string that AG Grid would
evaluate"), so the grids' empty-state message is plain text (`localeText`)."""

from __future__ import annotations

import pytest
from dash.testing.wait import until

from tests.builders import add_hospital

pytestmark = pytest.mark.e2e

_CELLS = """
return [...document.querySelectorAll(arguments[0] + ' .ag-center-cols-container .ag-row [col-id=' + arguments[1] + ']')]
  .map(c => [c.innerText.trim(), c.className]);
"""


def _cells(browser, grid: str, column: str) -> list:
    return browser.driver.execute_script(_CELLS, grid, column)


def _classes_of(browser, grid: str, column: str, text: str) -> str:
    until(lambda: any(shown == text for shown, _ in _cells(browser, grid, column)), 10)
    return next(classes for shown, classes in _cells(browser, grid, column) if shown == text)


def test_status_cells_are_coloured_and_an_empty_filter_says_so(web_people, web_db, browser):
    with web_db.factory() as session:
        add_hospital(session, "Gamma Proposed", status="proposed")
        session.commit()
    browser.start()
    browser.log_in(web_people["super"].email, lands_on="/admin")

    browser.open("/admin/users")
    assert "text-success" in _classes_of(browser, "#admin-users-grid", "status", "Active")
    browser.type_into("#admin-users-filter-text", "nobody-matches-this\n")
    browser.wait_for_contains_text("#admin-users-grid", "No account matches these filters.", timeout=10)

    browser.open("/admin/hospitals")
    assert "text-warning-emphasis" in _classes_of(browser, "#admin-hospitals-grid", "status", "Proposed")
    browser.type_into("#admin-hospitals-filter-text", "nowhere-matches-this\n")
    browser.wait_for_contains_text("#admin-hospitals-grid", "No hospital matches these filters.", timeout=10)

    blocked = [e for e in browser.get_logs() if "Blocked a string" in e.get("message", "")]
    assert blocked == [], blocked
