"""The app's own stylesheet: grids write at the page's text size, not the grid theme's 14px."""

import re
from pathlib import Path

CSS = (Path(__file__).resolve().parents[2] / "assets" / "app.css").read_text()


def _declarations(selector: str) -> dict[str, str]:
    block = re.search(rf"(?m)^{re.escape(selector)}\s*\{{([^}}]*)\}}", CSS)
    assert block, f"no rule for {selector}"
    return dict((part.split(":", 1)[0].strip(), part.split(":", 1)[1].strip())
                for part in block.group(1).split(";") if ":" in part)


def test_grids_use_the_page_font_size():
    body = _declarations("body")
    # AG Grid's themes read --ag-font-size; inherited from body, it is the page's own size.
    assert body.get("--ag-font-size") == body["font-size"]
