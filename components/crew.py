"""Ambulances on maps and the crew's phone screen, built from plain data.

- the crew's job card, its one next-step button and its navigation links (pages/crew.py);
- markers for units (with the age of their position, greyed when stale), a destination, a track;
- `arrival_text` / `arrival_panel`: "arriving in about N min · position 20 s ago", for the citizen's
  tracking page and the hospital's queue (from `db.positions.arrival_for_sos`).
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import dash_bootstrap_components as dbc
import dash_leaflet as dl
from dash import html

from components.format import duration
from components.i18n import N_, _
from db.vocabulary import UNIT_STATUS_LABELS


class ID:
    JOB = "crew-job"
    MAP = "crew-map"
    MAP_LAYER = "crew-map-layer"
    ARRIVAL = "crew-arrival"

    @staticmethod
    def step(status: str) -> dict:
        return {"type": "crew-step", "status": status}


# Where a crew's phone posts the unit's position (web/crew.py; assets/crew.js posts there).
POSITION_URL = "/crew/position"
# Unit colours by status: the wall's legend, the hospital's map and the crew's own marker agree.
STATUS_COLOURS = {
    "available": "#2f9e44",
    "dispatched": "#f08c00",
    "en_route": "#e8590c",
    "on_scene": "#c2255c",
    "transporting": "#7048e8",
    "at_hospital": "#1971c2",
    "out_of_service": "#868e96",
}
STALE_COLOUR = "#adb5bd"
SOS_COLOUR = "#e03131"
HOSPITAL_COLOUR = "#20c997"
STEP_WORDS = {
    "en_route": N_("En route"),
    "on_scene": N_("On scene"),
    "transporting": N_("Transporting"),
    "at_hospital": N_("At hospital"),
}


def location_words() -> dict:
    """What assets/crew.js says about the phone's location, in the page's language; `{}` is where
    a value goes (a time, a reason)."""
    return {
        "not_used": _("Location not used: %(reason)s", reason="{}"),
        "sent": _("Location sent %(time)s", time="{}"),
        "not_saved": _("Location not saved at %(time)s: the server cannot save it now. It is sent again in a few "
                       "seconds.", time="{}"),
        "offline": _("Location not sent: no connection. It is sent again when the phone is back online."),
        "unable": _("This phone cannot share its location: the job still works, the hospital sees no position."),
        "asking": _("Location: asking the phone…"),
        "denied": _("Location is off for this page (permission denied): the job still works, but nobody sees where "
                    "you are. Allow location in the browser's settings."),
        "no_fix": _("No location fix yet: the job still works."),
        "no_job": _("Location: not sent while there is no job."),
    }


def age_text(seconds: int | None) -> str:
    if seconds is None:
        return _("no position yet")
    return _("position %(time)s ago", time=duration_words(seconds))


def duration_words(seconds: int) -> str:
    return duration(timedelta(seconds=max(0, int(seconds))))


# ---- maps ---------------------------------------------------------------------------------------


def tiles(tiles_url: str) -> list:
    return [dl.TileLayer(url=tiles_url, attribution="© OpenStreetMap contributors")] if tiles_url else []


def unit_marker(call_sign: str, status: str, lat: float, lon: float, *, age_s: int | None = None,
                stale: bool = False) -> dl.CircleMarker:
    colour = STALE_COLOUR if stale else STATUS_COLOURS.get(status, "#4dabf7")
    label = f"{call_sign} · {_(UNIT_STATUS_LABELS.get(status, status))}"
    if age_s is not None:
        label += f" · {age_text(age_s)}" + (" " + _("(stale)") if stale else "")
    return dl.CircleMarker(center=[lat, lon], radius=9, color=colour, fill=True, fillOpacity=0.35 if stale else 0.8,
                           children=dl.Tooltip(label))


def place_marker(lat: float, lon: float, label: str, *, colour: str = SOS_COLOUR) -> dl.CircleMarker:
    return dl.CircleMarker(center=[lat, lon], radius=11, color=colour, fill=True, fillOpacity=0.6,
                           children=dl.Tooltip(label))


def units_layers(units) -> list:
    """The hospital's units (`db.positions.UnitOnMap`), each with its position's age."""
    return [unit_marker(u.call_sign, u.status, u.latitude, u.longitude, age_s=u.age_s, stale=u.stale) for u in units]


def units_list(units) -> html.Ul:
    """The same units in words (a map is not the only way to read them), stale ones greyed."""
    items = [html.Li([html.Strong(u.call_sign), f" · {_(UNIT_STATUS_LABELS.get(u.status, u.status))} · {age_text(u.age_s)}"
                      + (" · " + _("stale") if u.stale else "")],
                     className="text-muted crew-stale" if u.stale else "", **{"data-unit": u.call_sign})
             for u in units]
    return html.Ul(items, className="list-unstyled mb-0") if items else html.P(
        _("No unit has sent a position yet (crews send it from the crew screen)."), className="text-muted mb-0")


def job_layers(job) -> list:
    """The crew's map: its unit and where it is going (and a straight line between)."""
    layers = []
    dest = job.dest if job.sos_id else None
    if dest is not None:
        label = job.hospital if job.heading_to == "hospital" else f"{job.number} · {job.place}"
        layers.append(place_marker(dest[0], dest[1], label,
                                   colour=HOSPITAL_COLOUR if job.heading_to == "hospital" else SOS_COLOUR))
    if job.unit_lat is not None:
        layers.append(unit_marker(job.call_sign, job.unit_status, job.unit_lat, job.unit_lon, age_s=job.position_age_s))
        if dest is not None:
            layers.append(dl.Polyline(positions=[[job.unit_lat, job.unit_lon], list(dest)], color="#495057",
                                      dashArray="6 8", weight=3))
    return layers


def map_bounds(points: list) -> list | None:
    points = [p for p in points if p is not None and p[0] is not None]
    if not points:
        return None
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    pad = 0.005
    return [[min(lats) - pad, min(lons) - pad], [max(lats) + pad, max(lons) + pad]]


def track_layers(track) -> list:
    """An SOS's track (`db.positions.Track`): the unit's line, where it started, the patient."""
    layers = [place_marker(track.sos_lat, track.sos_lon, _("Patient"))]
    if track.points:
        layers.append(dl.Polyline(positions=[list(p) for p in track.points], color="#1971c2", weight=4))
        layers.append(dl.CircleMarker(center=list(track.points[0]), radius=6, color="#1971c2", fill=True,
                                      children=dl.Tooltip(_("%(call_sign)s: first position",
                                                                            call_sign=track.call_sign))))
    return layers


# ---- the crew's phone ---------------------------------------------------------------------------


def navigation_links(lat: float, lon: float, label: str) -> html.Div:
    """Open the phone's maps app (geo:) or a maps web page, both with the destination."""
    geo = f"geo:{lat:.6f},{lon:.6f}?q={lat:.6f},{lon:.6f}({quote(label)})"
    web = f"https://www.google.com/maps/dir/?api=1&destination={lat:.6f},{lon:.6f}"
    return html.Div([
        html.A(_("Navigate (maps app)"), href=geo, className="btn btn-primary btn-lg crew-big w-100 mb-2"),
        html.A(_("Open in web maps"), href=web, target="_blank", rel="noopener",
               className="btn btn-outline-primary btn-lg w-100"),
    ], className="crew-nav")


def step_button(next_status: str | None) -> list:
    if next_status is None:
        return [html.P(_("Your hospital closes the job at handover."), className="text-muted fs-5 mb-0")]
    return [dbc.Button(_(STEP_WORDS.get(next_status, UNIT_STATUS_LABELS.get(next_status, next_status))),
                       id=ID.step(next_status), color="danger", className="crew-step w-100")]


def _row(label: str, value) -> html.Div:
    return html.Div([html.Div(label, className="crew-label"), html.Div(value, className="crew-value")],
                    className="crew-row")


def job_card(job) -> html.Div:
    """The current job in words (no job: the waiting message)."""
    if job.sos_id is None:
        return html.Div([html.Div(_("No job: waiting for dispatch"), className="crew-waiting"),
                         html.P(_("This screen refreshes by itself; a new job rings and vibrates."),
                                className="text-muted")], id=ID.JOB)
    phone = html.A(job.phone, href=f"tel:{job.phone.replace(' ', '')}", className="crew-tel") if job.phone \
        else html.Span(_("no phone given"), className="text-muted")
    going = _("To hospital: %(hospital)s", hospital=job.hospital) if job.heading_to == "hospital" \
        else _("To the patient")
    eta = " · " + _("about %(minutes)s min", minutes=job.eta_minutes) if job.eta_minutes is not None else ""
    rows = [
        html.Div([html.Span(job.number, className="crew-number"), html.Span(_(job.priority), className="crew-priority")],
                 className="crew-head"),
        html.Div(_(job.emergency), className="crew-emergency"),
        _row(_("Caller"), [html.Span(job.caller or "—", className="me-2"), phone]),
        _row(_("Place"), [html.Div(job.place),
                          html.Div(job.point, className="text-muted") if job.point != job.place else None]),
    ]
    if job.note:
        rows.append(_row(_("Note"), job.note))
    rows.append(html.Div(f"{going}{eta}", className="crew-going"))
    return html.Div(rows, id=ID.JOB)


# ---- arrival estimates (citizen tracking page, hospital queue) ----------------------------------


def arrival_text(estimate) -> str:
    """'Arriving in about 7 min (estimate) · position 20 s ago', from `db.positions.Estimate`."""
    if estimate is None:
        return ""
    minutes = estimate.minutes
    text = _("Arriving in about %(minutes)s min (estimate) · %(age)s", minutes=minutes,
             age=age_text(estimate.position_age_s))
    return text + (" · " + _("position may be out of date") if estimate.stale else "")


def arrival_panel(estimate, *, patient: tuple[float, float] | None = None, tiles_url: str = "",
                  call_sign: str | None = None) -> html.Div:
    """The estimate in words and, where the patient's place is known, a small map of the unit
    and the patient: what the citizen's tracking page and the hospital's queue card show."""
    if estimate is None:
        return html.Div(id=ID.ARRIVAL)
    children = [html.Div(arrival_text(estimate), className="fs-5 fw-semibold" + (" text-muted" if estimate.stale else ""))]
    if patient is not None:
        layers = [place_marker(patient[0], patient[1], _("You"), colour=SOS_COLOUR),
                  unit_marker(call_sign or _("Ambulance"), "en_route", estimate.unit_lat, estimate.unit_lon,
                              age_s=estimate.position_age_s, stale=estimate.stale)]
        children.append(dl.Map(tiles(tiles_url) + layers,
                               bounds=map_bounds([patient, (estimate.unit_lat, estimate.unit_lon)]),
                               style={"height": "220px", "width": "100%"}, className="mt-2"))
    return html.Div(children, id=ID.ARRIVAL)


def legend() -> html.Div:
    """What the units' colours mean (the wall's map and the hospital's map)."""
    return html.Div([html.Span([html.Span(className="crew-dot", style={"background": colour}),
                                _(UNIT_STATUS_LABELS[status])], className="crew-legend-item")
                     for status, colour in STATUS_COLOURS.items()], className="crew-legend")
