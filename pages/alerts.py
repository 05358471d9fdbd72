"""Everyone: public health alerts in force (those covering the person's location first, when the
browser gives it), then the history of every message. Refreshes by itself."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from auth.context import db_session
from auth.i18n import page_language
from auth.roles import allowed_roles
from components.alerts import alert_card, history_list
from components.cards import last_updated, page_header
from components.i18n import N_, _
from db import alerts
from db.clock import utcnow
from db.vocabulary import ALL_SIGNED_IN, Role


class ID:
    GEO = "alerts-geo"
    WHERE = "alerts-where"
    ACTIVE = "alerts-active"
    NONE = "alerts-none"
    HISTORY = "alerts-history-box"
    FEED_LINK = "alerts-feed-link"
    REFRESH = "alerts-refresh"


# Health officers have their own alerts page (the form and the same history): /officer/alerts.
ROLES = tuple(r for r in ALL_SIGNED_IN if r != Role.HEALTH_OFFICER)
dash.register_page(__name__, path="/alerts", title=N_("Health alerts"), allowed_roles=ROLES,
                   nav_label=N_("Alerts"), nav_order=7, translated=True)


def layout(**kwargs):
    return html.Div(
        [
            page_header(_("Public health alerts"), _("Alerts in force now, most serious first. "
                                                     "Those that cover where you are come first.")),
            dcc.Geolocation(id=ID.GEO),
            html.Div(id=ID.WHERE, className="mb-2"),
            html.Div(id=ID.ACTIVE),
            html.H2(_("History"), className="h4 mt-4"),
            html.Div(id=ID.HISTORY),
            html.P([_("Machine-readable:") + " ",
                    html.A(_("CAP 1.2 feed of active alerts (Atom)"), href="/cap/alerts.xml",
                           target="_blank", id=ID.FEED_LINK)],
                   className="small text-muted mt-2"),
            dcc.Interval(id=ID.REFRESH, interval=15_000),
        ]
    )


@callback(
    Output(ID.ACTIVE, "children"),
    Output(ID.HISTORY, "children"),
    Output(ID.WHERE, "children"),
    Input(ID.REFRESH, "n_intervals"),
    Input(ID.GEO, "position"),
)
@allowed_roles(*ROLES)
def refresh_alerts(_n, position):
    now = utcnow()
    lat = lon = None
    if position and position.get("lat") is not None:
        lat, lon = position["lat"], position["lon"]
    language = page_language()
    with db_session() as session:
        placed = alerts.alerts_for_person(session, now=now, lat=lat, lon=lon)
        # Each alert in the reader's language where the officer wrote it, else in English, marked.
        cards = [alert_card(p.alert, now=now, where=p.where, words=alerts.words_in(p.alert, language))
                 for p in placed]
        past = history_list(alerts.history(session, limit=100), now, alerts.state_of,
                            words_of=lambda alert: alerts.words_in(alert, language))
    if not cards:
        cards = [dbc.Alert(_("No public health alerts are in force now."), color="success", className="fs-5",
                           id=ID.NONE)]
    if lat is not None:
        at = {"lat": format(lat, ".3f"), "lon": format(lon, ".3f")}
        where = html.Small(_("Using your location (%(lat)s, %(lon)s) to put the alerts for your area first.", **at),
                           className="text-muted")
    else:
        where = html.Small(_("Allow location in your browser to see first the alerts for where you are."),
                           className="text-muted")
    return cards + [last_updated(now)], past, where
