"""Tiles of the control-room wall display, built from a display snapshot (plain dicts)."""

from __future__ import annotations

from datetime import datetime, timedelta

import dash_leaflet as dl
from dash import html

from components.crew import STATUS_COLOURS
from components.format import count as fmt_count
from components.format import duration, local_time
from components.i18n import _
from db.sos import ACCEPTABLE_STATUSES
from db.vocabulary import SOS_STATUS_SHORT_LABELS, UNIT_STATUS_LABELS, sos_number


class ID:
    """The parts the wall's feed fills (containers the page lays out) and the tiles drawn here."""

    TILES_LEFT = "wall-tiles-left"
    TILES_RIGHT = "wall-tiles-right"
    MAP_SOS = "wall-map-sos"
    MAP_UNITS = "wall-map-units"
    MAP_HOSPITALS = "wall-map-hospitals"
    UNANSWERED = "wall-unanswered"
    SOS = "wall-sos"
    UNITS = "wall-units"
    BEDS = "wall-beds"
    BLOOD = "wall-blood"
    ALERTS = "wall-alerts"
    RESPONSE = "wall-response"

    @staticmethod
    def response_row(key: str) -> str:
        return f"wall-rt-{key}"


WAIT_TARGET_S = 60
# The wall fetches its data here (web/display_feed.py); under "/_" an anonymous caller gets a 401,
# not the login page. The parts it updates, in the order their versions appear in its token. The
# map's SOS, ambulances and hospitals are separate parts: units on the move (every few seconds)
# send their few markers, not the hundreds of SOS markers of a disaster.
FEED_URL = "/_display/view.json"
PART_IDS = (ID.TILES_LEFT, ID.TILES_RIGHT, ID.MAP_SOS, ID.MAP_UNITS, ID.MAP_HOSPITALS)
WAITING = ACCEPTABLE_STATUSES  # no hospital has taken the SOS yet: its timer and marker are red
SEVERITY_CLASS = {"Extreme": "wall-bad", "Severe": "wall-bad", "Moderate": "wall-warn"}


def wall_words() -> dict:
    """What assets/wall.js says (the outage, the data's time), in the page's language; `{}` is
    where a value goes."""
    return {"data": _("data %(time)s", time="{}"),
            "no_data": _("NO NEW DATA for %(time)s: the server or database cannot be reached. Showing the last "
                         "data; it will recover by itself.", time="{}"),
            "waiting": _("Waiting for the first data…")}


def _seconds(value) -> str:
    if value is None:
        return "—"
    return duration(timedelta(seconds=value))


def _target(seconds: int) -> str:
    """A target as people say it: whole minutes as "1 min", "4 min"; anything else as a duration."""
    return _("%(minutes)s min", minutes=seconds // 60) if seconds >= 60 and seconds % 60 == 0 else _seconds(seconds)


def timer(since_ms: int, now: datetime, *, late_after_s: int | None = None) -> html.Span:
    """Elapsed time since `since_ms`, kept ticking by the display's browser-side watchdog."""
    elapsed = max(0, int(now.timestamp() - since_ms / 1000))
    late = late_after_s is not None and elapsed > late_after_s
    attributes = {"data-since": str(since_ms)}
    if late_after_s is not None:
        attributes["data-late-after"] = str(late_after_s)
    return html.Span(_seconds(elapsed), className="wall-timer" + (" wall-bad" if late else ""), **attributes)


def tile(title: str, body, *, data_time: str, tile_id: str, extra_class: str = "") -> html.Section:
    return html.Section(
        [html.H2(title, className="wall-title"), html.Div(body, className="wall-body"),
         html.Div(_("data %(time)s", time=data_time), className="wall-time")],
        className=f"wall-tile {extra_class}".strip(),
        id=tile_id,
    )


def _table(rows: list) -> html.Div:
    """Rows whose columns line up across the tile (see .wall-table in assets/wall.css)."""
    return html.Div(rows, className="wall-table")


def unanswered_tile(count: int, sos: list[dict], data_time: str, now: datetime) -> html.Section:
    waiting = [s for s in sos if s["status"] == "unanswered"]
    body = [html.Div(str(count), className="wall-huge")]
    body += [html.Div([f"{sos_number(s['id'])} · {_(s['type'])} · ", timer(s["since_ms"], now)], className="wall-line")
             for s in waiting[:4]]
    return tile(_("Unanswered SOS"), body, data_time=data_time, tile_id=ID.UNANSWERED,
                extra_class="wall-alarm" if count else "wall-calm")


def sos_tile(sos: list[dict], by_status: dict, data_time: str, now: datetime) -> html.Section:
    counts = html.Div([html.Span([html.Strong(n), f" {_(SOS_STATUS_SHORT_LABELS.get(s, s))}"], className="wall-count")
                       for s, n in sorted(by_status.items(), key=lambda kv: list(SOS_STATUS_SHORT_LABELS).index(kv[0])
                                          if kv[0] in SOS_STATUS_SHORT_LABELS else 99)])
    rows = []
    for s in sos[:8]:
        waiting = s["status"] in WAITING
        who = s["unit"] or s["hospital"]
        rows.append(html.Div(
            [html.Span(sos_number(s['id']), className="wall-mono"),
             html.Span(_(SOS_STATUS_SHORT_LABELS.get(s["status"], s["status"]))),
             timer(s["since_ms"], now, late_after_s=WAIT_TARGET_S if waiting else None),
             html.Span(f"{_(s['type'])} · {who}" if who else _(s["type"]))],
            className="wall-row"))
    return tile(_("Open SOS: %(num)s", num=fmt_count(len(sos))),
                [counts, _table(rows) if rows else html.Div(_("None open"), className="wall-quiet")],
                data_time=data_time, tile_id=ID.SOS)


def units_tile(units: list[dict], by_status: dict, data_time: str, now: datetime) -> html.Section:
    counts = html.Div([html.Span([html.Strong(by_status.get(s, 0)), f" {_(label)}"], className="wall-count")
                       for s, label in UNIT_STATUS_LABELS.items() if by_status.get(s)])
    busy = [u for u in units if u["status"] != "available"][:8]
    rows = [html.Div([html.Span(u["call_sign"], className="wall-mono"),
                      html.Span(_(UNIT_STATUS_LABELS.get(u["status"], u["status"]))),
                      timer(u["since_ms"], now), html.Span(u["hospital"])],
                     className="wall-row") for u in busy]
    return tile(_("Ambulances"), [counts, _table(rows) if rows else html.Div(_("All available"), className="wall-quiet"),
                               map_legend()],
                data_time=data_time, tile_id=ID.UNITS)


# An SOS nobody answered stands out: deep red, larger and filled; waiting ones red, taken ones orange.
_SOS_COLOUR = {"unanswered": "#c92a2a", "pending": "#ff4d4f"}
_SOS_RADIUS = {"unanswered": 14}


def map_legend() -> html.Div:
    """What the map's colours mean: units by status, SOS waiting or taken, hospitals."""
    items = [(colour, _(UNIT_STATUS_LABELS[status])) for status, colour in STATUS_COLOURS.items()
             if status != "out_of_service"]
    items += [("#c92a2a", _("SOS unanswered")), ("#ff4d4f", _("SOS waiting")), ("#ffa94d", _("SOS taken")),
              ("#20c997", _("Hospital"))]
    return html.Div([html.Span([html.Span(className="crew-dot", style={"background": colour}), label],
                               className="crew-legend-item") for colour, label in items],
                    className="crew-legend wall-legend", title=_("Map legend"))


def beds_tile(beds: list[dict], data_time: str) -> html.Section:
    body = [html.Div([html.Div(b["name"], className="wall-label"),
                      html.Div(fmt_count(b["available"]), className="wall-big" + (" wall-bad" if not b["available"] else "")),
                      html.Div(_("free of %(total)s", total=fmt_count(b['total'])), className="wall-small")], className="wall-stat")
            for b in beds]
    return tile(_("Beds free"), html.Div(body, className="wall-stats"), data_time=data_time, tile_id=ID.BEDS)


def blood_tile(shortages: dict, data_time: str) -> html.Section:
    body = [html.Div([html.Div(group, className="wall-label"),
                      html.Div(str(count), className="wall-big" + (" wall-warn" if count else " wall-ok"))],
                     className="wall-stat") for group, count in shortages.items()]
    return tile(_("Hospitals low on blood"), html.Div(body, className="wall-stats wall-stats-8"),
                data_time=data_time, tile_id=ID.BLOOD)


def alerts_tile(alerts: list[dict], data_time: str) -> html.Section:
    rows = [html.Div([html.Strong(f"{_(a['severity'])}: ", className=SEVERITY_CLASS.get(a["severity"], "")),
                      a["headline"], html.Span(f" · {a['area']}", className="wall-small")], className="wall-line")
            for a in alerts[:4]]
    return tile(_("Active alerts"), rows or [html.Div(_("No active alerts"), className="wall-quiet")],
                data_time=data_time, tile_id=ID.ALERTS)


def response_tile(stats: list[dict], data_time: str) -> html.Section:
    rows = [html.Div([html.Span(_("Today")), html.Span(_("median")), html.Span(_("90th pct")), html.Span(_("target"))],
                     className="wall-row wall-head")]
    for s in stats:
        ok = s["p90"] is not None and s["p90"] <= s["target"]
        rows.append(html.Div(
            [html.Span(f"{_(s['label'])} ({fmt_count(s['count'])})"), html.Span(_seconds(s["median"])),
             html.Span(_seconds(s["p90"]), className="" if s["p90"] is None else ("wall-ok" if ok else "wall-bad")),
             html.Span(f"≤ {_target(s['target'])}", title=_(s["source"]))],
            className="wall-row", id=ID.response_row(s["key"])))
    return tile(_("Response times"), _table(rows), data_time=data_time, tile_id=ID.RESPONSE)


def hospital_markers(hospitals: list[dict]) -> list:
    return [dl.CircleMarker(center=[h["lat"], h["lon"]], radius=5,
                            color="#6c757d" if h["ems"] == "closed" else "#20c997", fill=True,
                            children=dl.Tooltip(h["name"])) for h in hospitals]


def unit_markers(units: list[dict]) -> list:
    """Ambulances with a known position, coloured by status (out of service ones are not shown)."""
    return [dl.CircleMarker(center=[u["lat"], u["lon"]], radius=6, color=STATUS_COLOURS.get(u["status"], "#4dabf7"),
                            fill=True, fillOpacity=0.9,
                            children=dl.Tooltip(f"{u['call_sign']} · {_(UNIT_STATUS_LABELS.get(u['status'], u['status']))}"))
            for u in units if u["lat"] is not None and u["status"] != "out_of_service"]


def sos_markers(sos: list[dict]) -> list:
    """Open SOS: unanswered ones larger and filled, waiting ones red, taken ones orange."""
    return [dl.CircleMarker(center=[s["lat"], s["lon"]], radius=_SOS_RADIUS.get(s["status"], 10),
                            color=_SOS_COLOUR.get(s["status"], "#ffa94d"), weight=4 if s["status"] == "unanswered" else 3,
                            fill=True, fillOpacity=0.8 if s["status"] == "unanswered" else 0.4,
                            children=dl.Tooltip(f"{sos_number(s['id'])} · {_(SOS_STATUS_SHORT_LABELS.get(s['status'], s['status']))}"))
            for s in sos]


def data_time_label(generated_at: datetime) -> str:
    return local_time(generated_at)
