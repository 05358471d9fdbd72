"""Every text answer travels compressed (brotli, else gzip); fingerprinted files are cached for a
year, pages and callbacks never (issue 18: the SOS page on a slow phone network)."""

import gzip
import json
import re

import brotli
import pytest

from db.models import User
from tests.builders import city

BROTLI = {"Accept-Encoding": "gzip, deflate, br, zstd"}  # what Chromium sends
GZIP = {"Accept-Encoding": "gzip"}
IMMUTABLE = "public, max-age=31536000, immutable"


def _decoded(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(response.data)
    if encoding == "gzip":
        return gzip.decompress(response.data)
    return response.data


def _compressed(response, encoding="br", *, ratio=2) -> bytes:
    """The body, asserted `ratio` times smaller on the wire than decoded; returns it decoded."""
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == encoding, response.headers
    assert "Accept-Encoding" in response.headers.get("Vary", "")
    body = _decoded(response)
    assert len(response.data) < len(body) / ratio, (len(response.data), len(body))
    return body


def _sos_page(client, auth):
    auth.login("citizen@example.in")
    return client.get("/citizen", headers=BROTLI)


def _resources(html: str) -> list[str]:
    found = re.findall(r'<script src="([^"]+)"', html) + re.findall(r'<link[^>]+href="([^"]+)"', html)
    return [url.replace("&amp;", "&") for url in found]


def test_the_sos_page_is_compressed_and_never_cached(client, auth, web_people):
    page = _sos_page(client, auth)
    assert b"<html" in _compressed(page).lower()
    assert page.headers["Cache-Control"] == "no-store"
    assert "gzip" == client.get("/citizen", headers=GZIP).headers.get("Content-Encoding")
    plain = client.get("/citizen", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and b"<html" in plain.data.lower()


def test_a_dash_pages_scripts_and_styles_are_compressed_and_kept_a_year(client, auth, web_people):
    # The SOS page itself loads no Dash (tests/security/test_citizen_pages.py); the other pages do.
    auth.login("citizen@example.in")
    urls = _resources(_decoded(client.get("/beds", headers=BROTLI)).decode())
    scripts = [u for u in urls if u.startswith("/_dash-component-suites/") and u.endswith(".js")]
    assets = [u for u in urls if u.startswith("/assets/") and "?m=" in u]
    assert scripts and any(u.split("?")[0].endswith(".css") for u in assets)
    for url in scripts + [u for u in assets if u.split("?")[0] in ("/assets/00-bootstrap.min.css",
                                                                   "/assets/connection.js")]:
        response = client.get(url, headers=BROTLI)
        _compressed(response)
        assert response.headers["Cache-Control"] == IMMUTABLE, url


def test_unfingerprinted_files_are_not_kept_a_year(client, auth, web_people):
    auth.login("citizen@example.in")
    response = client.get("/assets/app.css")
    assert response.status_code == 200
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_a_callback_answer_is_compressed_and_never_cached(client, auth, web_people):
    auth.login("citizen@example.in")
    body = {"output": "..{_pages_content.children}...{_pages_store.data}..".replace("{", "").replace("}", ""),
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/beds"},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}
    response = client.post("/_dash-update-component", json=body, headers={**auth.dash_headers(), **BROTLI})
    assert b'"response"' in _compressed(response)
    assert response.headers["Cache-Control"] == "no-store"
    layout = client.get("/_dash-layout", headers=BROTLI)
    _compressed(layout)
    assert layout.headers["Cache-Control"] == "no-store"


def test_alert_feeds_and_exports_are_compressed(client, auth, web_people, web_db):
    from datetime import timedelta

    from db import alerts
    from db.clock import utcnow

    with web_db.factory() as session:
        officer = session.get(User, web_people["officer"].id)
        for index in range(3):
            alerts.publish(session, actor=officer, now=utcnow(), data=alerts.AlertInput(
                headline=f"Boil drinking water {index}", event="Unsafe water", severity="Severe",
                urgency="Immediate", certainty="Observed", expires=utcnow() + timedelta(hours=6),
                area_desc="Indiranagar", circle_lat=12.9784, circle_lon=77.6408, circle_radius_km=3.0,
                instruction="Boil water for one minute before drinking."))
        city(session, 8)
        session.commit()
    feed = client.get("/cap/alerts.xml", headers=BROTLI)  # nobody logged in
    assert b"Boil drinking water 2" in _compressed(feed)
    one = re.search(rb'href="[^"]*(/cap/alerts/[^"]+\.xml)"', _decoded(feed)).group(1).decode()
    _compressed(client.get(one, headers=BROTLI), ratio=1.5)  # one short alert
    auth.login("officer@example.in")
    _compressed(client.get("/export/have.xml", headers=BROTLI))
    _compressed(client.get("/export/capacity.csv", headers=GZIP), "gzip")


@pytest.mark.parametrize("have", ["", "stale.stale.stale.stale"])
def test_the_wall_feed_is_compressed_once_per_body(client, auth, web_app, web_people, have, monkeypatch):
    from dataclasses import replace

    import flask_compress.flask_compress as library

    from auth.context import EXTENSION_KEY
    from web import display_feed

    state = web_app.server.extensions[EXTENSION_KEY]
    monkeypatch.setitem(state, "config", replace(state["config"], display_cache_seconds=60))
    monkeypatch.setattr(display_feed, "_view", display_feed._SharedView())  # a view of this test's own
    compressed = []
    monkeypatch.setattr(library, "_compress_data",
                        lambda app, data, algorithm, real=library._compress_data:
                        compressed.append(data) or real(app, data, algorithm))
    auth.login("display@example.in")
    first = client.get(f"/_display/view.json?have={have}", headers=BROTLI)
    body = _compressed(first)
    for _ in range(3):
        assert client.get(f"/_display/view.json?have={have}", headers=BROTLI).data == first.data
    assert compressed.count(body) == 1  # the same body is compressed once, then reused
    token = json.loads(body)["stamp"]["have"]
    idle = client.get(f"/_display/view.json?have={token}", headers=BROTLI)
    assert idle.status_code == 200 and "Content-Encoding" not in idle.headers  # a small stamp: as it is
