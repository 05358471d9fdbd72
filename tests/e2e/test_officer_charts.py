"""The officer's charts in a real browser: Plotly's toolbar, shown on hover, covers no title, at
the narrowest width where two charts share a row and on a phone."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

pytestmark = pytest.mark.e2e
CHARTS = ("#officer-beds-chart", "#officer-blood-chart", "#officer-trend-chart")
OVERLAP = """
const box = e => e.getBoundingClientRect();
const graph = document.querySelector(arguments[0]);
const bar = box(graph.querySelector('.modebar')), title = box(graph.querySelector('.gtitle'));
return [bar.left < title.right && title.left < bar.right && bar.top < title.bottom && title.top < bar.bottom,
        title.width > 0 && bar.width > 0];
"""


@pytest.mark.parametrize("width", [992, 400])
def test_the_toolbar_covers_no_chart_title(web_people, browser, width):
    browser.start()
    browser.set_window_size(width, 900)
    browser.log_in("officer@example.in", lands_on="/officer")
    for chart in CHARTS:
        # Plotly draws three charts after the page's data arrives: 30 s of slack for a busy CI
        # machine running the suite in three processes (10 s once timed out there).
        until(lambda chart=chart: browser.count(f"{chart} .gtitle") == 1 and browser.count(f"{chart} .modebar") == 1,
              30)
        graph = browser.driver.find_element(By.CSS_SELECTOR, chart)
        ActionChains(browser.driver).move_to_element(graph).perform()
        overlaps, both_shown = browser.driver.execute_script(OVERLAP, chart)
        assert both_shown and not overlaps, chart
