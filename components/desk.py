"""The health officer's desk cards (`/officer/attention`): pure builders from plain data.

One card per SOS that no hospital took in time: who is calling (a `tel:` link), where in words
with the raw point and map links, what was offered to whom, what officers did, and the actions.
Action controls carry pattern ids with the SOS (and, for widening, the ring the officer saw), so
a press sends only its own card's values."""

from __future__ import annotations

from datetime import datetime

import dash_bootstrap_components as dbc
import dash_leaflet as dl
from dash import dcc, html

from components.format import duration, local_time
from components.i18n import N_, _
from components.shell import dom_id

OFFER_LABELS = {"offered": N_("no answer yet"), "declined": N_("declined"), "withdrawn": N_("withdrawn"),
                "accepted": N_("accepted"), "expired": N_("no answer in time")}


class ID:
    @staticmethod
    def card(sos_id: int) -> str:
        return f"attention-{sos_id}"

    @staticmethod
    def hospital(sos_id) -> dict:
        return {"type": "desk-hospital", "sos": sos_id}

    @staticmethod
    def offer(sos_id) -> dict:
        return {"type": "desk-offer", "sos": sos_id}

    @staticmethod
    def widen(sos_id) -> dict:
        return {"type": "desk-widen", "sos": sos_id}

    @staticmethod
    def ring(sos_id) -> dict:
        """The ring of hospitals the officer's screen shows: widening from another is refused."""
        return {"type": "desk-ring", "sos": sos_id}

    @staticmethod
    def calling(sos_id) -> dict:
        return {"type": "desk-calling", "sos": sos_id}

    @staticmethod
    def note(sos_id) -> dict:
        return {"type": "desk-note", "sos": sos_id}

    @staticmethod
    def add_note(sos_id) -> dict:
        return {"type": "desk-add-note", "sos": sos_id}

    @staticmethod
    def reason(sos_id) -> dict:
        return {"type": "desk-reason", "sos": sos_id}

    @staticmethod
    def close(sos_id) -> dict:
        return {"type": "desk-close", "sos": sos_id}



def caller_line(contact) -> html.Div:
    if contact is None:
        return html.Div(_("Caller: not shown"), className="text-muted")
    phone = html.A(contact.phone, href=f"tel:{contact.phone.replace(' ', '')}", className="fw-bold ms-1") \
        if contact.phone else html.Span(_("no phone number given"), className="ms-1 text-muted")
    return html.Div([html.Span(_("Caller:") + " "), html.Strong(contact.name), html.Span(" ·"), phone],
                    className="fs-5 desk-caller")


def place_lines(*, words: str, latitude: float, longitude: float, typed: str, geo_link: str, web_link: str) -> html.Div:
    return html.Div([
        html.Div(words or _("No known place nearby"), className="fs-5 fw-semibold desk-place"),
        html.Div([f"{latitude:.5f}, {longitude:.5f}" + (" · " + _("told: %(place)s", place=typed) if typed else "")
                  + " · ",
                  html.A(_("open in maps app"), href=geo_link), " · ",
                  html.A(_("open map in browser"), href=web_link, target="_blank", rel="noopener")],
                 className="text-muted small"),
    ])


def _km(distance: float) -> str:
    return f"{distance:.1f}"


def _offers_list(offers) -> html.Ul:
    rows = [html.Li(_("%(hospital)s (%(km)s km, ring %(ring)s): %(answer)s", hospital=o.hospital,
                      km=_km(o.distance_km), ring=o.ring + 1, answer=_(OFFER_LABELS.get(o.status, o.status))),
                    className="text-danger" if o.status == "declined" else "") for o in offers]
    return html.Ul(rows or [html.Li(_("No hospital in reach could take this emergency."))])


def _actions(sos_id: int, ring: int, choices) -> html.Div:
    options = [{"label": f"{c.name} · {c.distance_km:.0f} km" + (f" · {_(OFFER_LABELS.get(c.offer_status, c.offer_status))}"
                                                                if c.offer_status else ""),
                "value": c.hospital_id, "disabled": c.offer_status == "offered"} for c in choices]
    return html.Div([
        dbc.Row([
            dbc.Col([dbc.Label(_("Offer to a hospital"), html_for=dom_id(ID.hospital(sos_id))),
                     dbc.Select(id=ID.hospital(sos_id), options=options, placeholder=_("Nearest capable first"))], md=6),
            dbc.Col(dbc.Button(_("Offer"), id=ID.offer(sos_id), color="primary", size="lg", className="w-100"),
                    md=2, className="d-flex align-items-end"),
            dbc.Col(dbc.Button(_("Widen the search"), id=ID.widen(sos_id), color="secondary", outline=True,
                               size="lg", className="w-100"), md=4, className="d-flex align-items-end"),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col([dbc.Label(_("Note"), html_for=dom_id(ID.note(sos_id))),
                     dbc.Input(id=ID.note(sos_id), maxLength=300,
                               placeholder=_("e.g. called the caller, going by own car"))], md=6),
            dbc.Col(dbc.Button(_("Add note"), id=ID.add_note(sos_id), color="secondary", size="lg", className="w-100"),
                    md=2, className="d-flex align-items-end"),
            dbc.Col(dbc.Button(_("I am calling the caller"), id=ID.calling(sos_id), color="info", size="lg",
                               className="w-100"), md=4, className="d-flex align-items-end"),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col([dbc.Label(_("Close because"), html_for=dom_id(ID.reason(sos_id))),
                     dbc.Select(id=ID.reason(sos_id), options=[
                         {"label": _("No longer needed"), "value": "no_longer_needed"},
                         {"label": _("Duplicate of another SOS"), "value": "duplicate"},
                         {"label": _("Handled outside HealthFirst"), "value": "handled_outside"}],
                         placeholder=_("Choose a reason"))], md=6),
            dbc.Col(dbc.Button(_("Close SOS"), id=ID.close(sos_id), color="danger", outline=True, size="lg",
                               className="w-100"), md=2, className="d-flex align-items-end"),
        ], className="g-2"),
        dcc.Store(id=ID.ring(sos_id), data=ring),
    ], className="desk-actions border-top pt-2 mt-2")


def desk_card(item, *, now: datetime, number: str, status_badge, type_label: str, priority_label: str,
              contact, place: html.Div, choices) -> dbc.Card:
    sos = item.sos
    done = [html.Li(f"{local_time(line.at)} · {line.text}") for line in item.actions]
    return dbc.Card(dbc.CardBody([
        html.H2([html.Span(number, className="fs-4 fw-bold me-2"), status_badge], className="h4 mb-1"),
        html.Div([_("Waiting %(time)s (sent %(sent)s)", time=duration(item.waiting), sent=local_time(sos.created_at))
                  + f" · {type_label} · {priority_label}"],
                 className="fs-5 text-danger fw-semibold"),
        caller_line(contact),
        place,
        html.Div(_("Note from the caller: %(note)s", note=sos.note), className="text-muted") if sos.note else None,
        html.H3(_("Offered to"), className="h6 mt-2"),
        _offers_list(item.offers),
        html.H3(_("Done so far"), className="h6") if done else None,
        html.Ul(done, className="desk-done") if done else None,
        _actions(sos.id, sos.ring, choices),
    ]), className="mb-3 border-danger attention-card", id=ID.card(sos.id))


def desk_markers(points: list[tuple[str, float, float]]) -> list:
    return [dl.CircleMarker(center=[lat, lon], radius=10, color="#c92a2a", fill=True,
                            children=dl.Tooltip(label)) for label, lat, lon in points]
