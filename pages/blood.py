"""Everyone: where blood of a group (or of every compatible donor group) is in stock, nearest first."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from auth.callback_types import refusal_is_bad_request
from auth.context import db_session, state
from auth.roles import allowed_roles
from components import location
from components.cards import last_updated, page_header
from components.format import ago, count, letter_article
from components.i18n import N_, _, ngettext
from db import blood
from db.clock import utcnow
from db.models import BLOOD_COMPONENTS, BLOOD_GROUPS
from db.places import resolve_place
from db.vocabulary import Role

ROLES = (Role.CITIZEN, Role.HOSPITAL_ADMIN, Role.HEALTH_OFFICER, Role.SUPER_ADMIN)
dash.register_page(__name__, path="/blood", title=N_("Find blood"), allowed_roles=ROLES, nav_label=N_("Find blood"),
                   nav_order=6, translated=True)


class ID:
    CROSSMATCH_NOTE = "blood-crossmatch-note"
    GROUP = "blood-search-group"
    COMPONENT = "blood-search-component"
    MODE = "blood-search-mode"
    RESULTS = "blood-search-results"
    REFRESH = "blood-search-refresh"
    DONOR_GROUPS = "blood-donor-groups"
    NONE = "blood-none"
    LOCATION = location.ID.of("blood")  # the location controls: .geo, .where, .place, .locate

    @staticmethod
    def result(hospital_id: int) -> str:
        return f"blood-result-{hospital_id}"




def layout(**kwargs):
    return html.Div(
        [
            page_header(_("Find blood"), _("Hospitals holding units, nearest first.")),
            dbc.Alert(_(blood.CROSSMATCH_NOTE), color="info", className="fs-5", id=ID.CROSSMATCH_NOTE),
            location.location_controls("blood"),
            dbc.Row([
                dbc.Col([dbc.Label(_("Patient's blood group"), html_for=ID.GROUP),
                         dbc.Select(id=ID.GROUP, value="O+", size="lg",
                                    options=[{"label": g, "value": g} for g in BLOOD_GROUPS])], md=3),
                dbc.Col([dbc.Label(_("Component"), html_for=ID.COMPONENT),
                         dbc.Select(id=ID.COMPONENT, value="whole_blood", size="lg",
                                    options=[{"label": _(blood.COMPONENT_LABELS[c]), "value": c}
                                             for c in BLOOD_COMPONENTS])], md=3),
                dbc.Col(html.Div(dbc.RadioItems(id=ID.MODE, value="exact", className="fs-5 mt-md-4",
                                                options=[{"label": _("Exact group"), "value": "exact"},
                                                         {"label": _("Compatible donors"), "value": "compatible"}],
                                                inline=True),
                                 role="radiogroup", **{"aria-label": _("Which groups")}), md=6),
            ], className="mb-2"),
            html.Div(id=ID.RESULTS),
            dcc.Interval(id=ID.REFRESH, interval=10_000),
        ]
    )


@callback(Output(ID.LOCATION.geo, "update_now"), Input(ID.LOCATION.locate, "n_clicks"),
          prevent_initial_call=True)
@allowed_roles(*ROLES)
def locate_blood(_n):
    return True


def _group_line(stock, now):
    """One matching group at a hospital: "O- 4 units · updated 3 min ago", flagged when stale."""
    return html.Div([dbc.Badge(stock.blood_group, color="danger", className="me-2 fs-6"),
                     html.Strong(ngettext("%(units)s unit", "%(units)s units", stock.units, units=count(stock.units))),
                     html.Span(" · " + _("updated %(ago)s", ago=ago(stock.updated_at, now)), className="text-muted"),
                     dbc.Badge(_("STALE"), color="secondary", className="ms-2") if stock.stale else None],
                    className="mb-1" + (" text-muted" if stock.stale else ""))


def _result_row(result, now):
    """One hospital, once, with every matching group it holds."""
    phone = result.phone or ""
    return dbc.ListGroupItem([
        html.Div([html.Span(result.name, className="fw-bold me-2"),
                  html.Span(f"{result.distance_km:.1f} km", className="text-muted")]),
        html.Div([_group_line(g, now) for g in result.groups]),
        html.A(_("Call %(phone)s", phone=phone), href=f"tel:{phone.replace(' ', '')}") if phone else None,
    ], className="blood-result" + (" text-muted" if result.stale else ""), id=ID.result(result.hospital_id))


@callback(
    Output(ID.RESULTS, "children"),
    Output(ID.LOCATION.where, "children"),
    Input(ID.REFRESH, "n_intervals"),
    Input(ID.GROUP, "value"),
    Input(ID.COMPONENT, "value"),
    Input(ID.MODE, "value"),
    Input(ID.LOCATION.geo, "position"),
    Input(ID.LOCATION.place, "value"),
)
@allowed_roles(*ROLES)
def search(_n, group, component, mode, position, place):
    if group is None:  # the group list not drawn yet: nothing to search for
        raise dash.exceptions.PreventUpdate
    now = utcnow()
    config = state()["config"]
    with db_session() as session:
        lat, lon, where, problem = resolve_place(session, position, place, config.map_center)
        with refusal_is_bad_request():  # a group or component no form of ours sends
            results = blood.search_blood(session, group=group, component=component, compatible=mode == "compatible",
                                         latitude=lat, longitude=lon, now=now)
    donors = blood.donors_for(group, component) if mode == "compatible" else (group,)
    header = html.P(_showing(donors, group), className="fs-5", id=ID.DONOR_GROUPS)
    if not results:
        body = [dbc.Alert(_("No hospital within 50 km has these units in stock right now."), color="warning",
                          className="fs-5", id=ID.NONE)]
    else:
        body = [dbc.ListGroup([_result_row(r, now) for r in results])]
    where_line = location.where_line(where, problem)
    return [header] + body + [last_updated(now)], where_line


def _showing(donors, group: str) -> str:
    """"Showing O-, O+ for an O+ patient." (the article as the group's letters are read)."""
    groups = ", ".join(donors)
    if letter_article(group).startswith("an "):
        return _("Showing %(groups)s for an %(group)s patient.", groups=groups, group=group)
    return _("Showing %(groups)s for a %(group)s patient.", groups=groups, group=group)
