"""Health officer: publish a public health alert (CAP 1.2) after a preview; update or cancel an
earlier one (the new message references it). Messages for bad input appear at the field.

The alert's words are written once per language, side by side: English (required) and each
language there is a catalog for (optional; left empty, its readers get the English). Each filled
language becomes one CAP `<info>`; the CAP choices, times and area are shared by all.

One callback per action: preview, publish (a new alert), publish an update, publish a
cancellation; the form's helpers (mode, starting an update from the earlier alert, a tap on the
map); and the history's refresh. That publishing needs a preview of exactly the content
published is a rule of db/alerts.py: the page only hands back the key the preview gave it.
"""

import dash
import dash_bootstrap_components as dbc
import dash_leaflet as dl
from dash import Input, Output, State, callback, dcc, html
from flask_babel import force_locale

from auth.actions import Outcome, act
from auth.context import actor_in, db_session, state
from auth.i18n import DEFAULT_LANGUAGE, available_languages
from auth.roles import allowed_roles
from components.alerts import (
    CHOICE_NAMES,
    FIELD_NAMES,
    WORD_NAMES,
    alert_card,
    choice,
    form_field,
    history_list,
    preview_in_languages,
    words_column,
)
from components.alerts import ID as ALERT_IDS
from components.cards import last_updated, page_header
from components.i18n import N_, _
from components.triggers import pressed
from db import alerts
from db.clock import utcnow
from db.errors import InvalidInput
from db.models import CAP_CERTAINTIES, CAP_SEVERITIES, CAP_STATUSES, CAP_URGENCIES
from db.vocabulary import Role


class ID:
    MODE = "alert-mode"
    REFERENCE_BOX = "alert-reference-box"
    REFERENCE = "alert-reference"
    REFERENCE_FEEDBACK = "alert-reference-feedback"
    REASON_BOX = "alert-reason-box"
    REASON = "alert-reason"
    REASON_FEEDBACK = "alert-reason-feedback"
    FIELDS = "alert-fields"
    AREA_KIND = "alert-area-kind"
    CIRCLE_BOX = "alert-circle-box"
    MAP = "alert-map"
    MAP_LAYER = "alert-map-layer"
    PREVIEW_BUTTON = "alert-preview-button"
    PUBLISH_BUTTON = "alert-publish-button"
    UPDATE_BUTTON = "alert-publish-update-button"
    CANCEL_BUTTON = "alert-publish-cancel-button"
    MESSAGE = "alert-message"
    RESULT = "alert-result"
    PREVIEW = "alert-preview"
    PREVIEW_BANNER = "alert-preview-banner"
    PREVIEWED = "alert-previewed"
    HISTORY = "officer-alerts-history"
    UPDATED = "officer-alerts-updated"
    REFRESH = "officer-alerts-refresh"

    # Why a cancellation is sent, in another language the alert was written in.
    @staticmethod
    def reason(language: str) -> str:
        return f"alert-reason-{language}"

    @staticmethod
    def reason_feedback(language: str) -> str:
        return f"alert-reason-feedback-{language}"


ROLES = (Role.HEALTH_OFFICER,)
dash.register_page(__name__, path="/officer/alerts", title="Public health alerts", allowed_roles=ROLES,
                   nav_label=N_("Alerts"), nav_order=2)

MODES = [{"label": "New alert", "value": "new"}, {"label": "Update an earlier alert", "value": "update"},
         {"label": "Cancel an earlier alert", "value": "cancel"}]
HIDDEN = {"display": "none"}
SHOWN = {}
# English first (required), then every other language there is a catalog for (optional).
LANGUAGES = available_languages()
OTHER_LANGUAGES = tuple(code for code in LANGUAGES if code != DEFAULT_LANGUAGE)
# The form's names of the words in the other languages ("headline:hi" …), after the English fields.
WORD_FIELDS = tuple(alerts.translated_field(name, language) for language in OTHER_LANGUAGES for name in WORD_NAMES)
ALL_FIELDS = (*FIELD_NAMES, *WORD_FIELDS)
LIMITS = {"event": alerts.EVENT_MAX, "headline": alerts.HEADLINE_MAX, "description": alerts.TEXT_MAX,
          "instruction": alerts.TEXT_MAX}
PLACEHOLDERS = {"event": "e.g. Heatwave, Dengue outbreak", "headline": "e.g. Heatwave: stay indoors 12:00–16:00",
                "instruction": "e.g. Boil drinking water for 1 minute."}


def _text_input(name, **props):
    return form_field(name, dbc.Input(id=ALERT_IDS.field(name), size="lg", debounce=False, **props))


def _area_map():
    config = state()["config"]
    tiles = [dl.TileLayer(url=config.map_tiles_url, attribution="© OpenStreetMap contributors")] \
        if config.map_tiles_url else []
    return dl.Map(tiles + [dl.LayerGroup(id=ID.MAP_LAYER)], id=ID.MAP, center=list(config.map_center),
                  zoom=10, style={"height": "280px", "width": "100%", "background": "#e9ecef"})


def _words_columns():
    """The alert's words, one column per language: English, then the others."""
    columns = [words_column(DEFAULT_LANGUAGE, LANGUAGES[DEFAULT_LANGUAGE], field_of=lambda name: name, required=True,
                            limits=LIMITS, placeholders=PLACEHOLDERS)]
    columns += [words_column(code, LANGUAGES[code], field_of=lambda name, code=code: alerts.translated_field(name, code),
                             required=False, limits=LIMITS) for code in OTHER_LANGUAGES]
    width = max(4, 12 // len(columns))
    return dbc.Row([dbc.Col(column, lg=width) for column in columns])


def _reasons():
    """Why the alert is cancelled: in English, and in each other language (used where the alert has it)."""
    boxes = [html.Div([
        dbc.Label("Why is it cancelled? (shown to people)", html_for=ID.REASON),
        dbc.Textarea(id=ID.REASON, size="lg", maxLength=alerts.TEXT_MAX,
                     placeholder="e.g. The water supply has been tested safe."),
        dbc.FormFeedback(id=ID.REASON_FEEDBACK, type="invalid"),
    ], className="mb-2")]
    for code in OTHER_LANGUAGES:
        with force_locale(code):
            label = _("Why is it cancelled? (optional, in this language)")
        boxes.append(html.Div([
            dbc.Label([label, html.Span(f" · {LANGUAGES[code]}", className="fw-semibold")], html_for=ID.reason(code)),
            dbc.Textarea(id=ID.reason(code), size="lg", maxLength=alerts.TEXT_MAX),
            dbc.FormFeedback(id=ID.reason_feedback(code), type="invalid"),
        ], lang=code, className="mb-2"))
    return boxes


def layout(**kwargs):
    expires = alerts.local_input_text(utcnow() + alerts.DEFAULT_DURATION)
    return html.Div(
        [
            page_header("Publish a health alert",
                        "Fill in the alert, check the preview, then publish. It shows on every signed-in "
                        "screen within seconds and in the public CAP feed."),
            dbc.RadioItems(id=ID.MODE, options=MODES, value="new", inline=True, className="fs-5 mb-2"),
            html.Div([
                dbc.Label("Earlier alert", html_for=ID.REFERENCE),
                dbc.Select(id=ID.REFERENCE, options=[], placeholder="Choose the alert", size="lg"),
                dbc.FormFeedback(id=ID.REFERENCE_FEEDBACK, type="invalid"),
            ], id=ID.REFERENCE_BOX, style=HIDDEN, className="mb-2"),
            html.Div(_reasons(), id=ID.REASON_BOX, style=HIDDEN, className="mb-2"),
            html.Div([
                html.P(_("The alert's words, in each language. English is required; a language left empty "
                         "shows its readers the English."), className="mb-2"),
                _words_columns(),
                dbc.Row([
                    dbc.Col([
                        html.H2(_("For every language"), className="h5 mt-2"),
                        dbc.Row([
                            dbc.Col(choice("severity", "Severity", CAP_SEVERITIES, "Moderate"), xs=6, md=4),
                            dbc.Col(choice("urgency", "Urgency", CAP_URGENCIES, "Expected"), xs=6, md=4),
                            dbc.Col(choice("certainty", "Certainty", CAP_CERTAINTIES, "Likely"), xs=6, md=4),
                            dbc.Col(choice("category", "Category", alerts.CAP_CATEGORIES, "Health"), xs=6, md=4),
                            dbc.Col(choice("status", "Status", CAP_STATUSES, "Actual"), xs=6, md=4),
                        ]),
                        dbc.Row([
                            dbc.Col(_text_input("effective", type="datetime-local"), md=6),
                            dbc.Col(_text_input("expires", type="datetime-local", value=expires), md=6),
                        ]),
                    ], lg=7),
                    dbc.Col([
                        html.H2("Area", className="h5 mt-2"),
                        dbc.RadioItems(id=ID.AREA_KIND, value="circle", inline=True, className="fs-5 mb-1",
                                       options=[{"label": "Circle on the map", "value": "circle"},
                                                {"label": "Named region", "value": "region"}]),
                        _text_input("area_desc", placeholder="e.g. Bengaluru Urban district (optional for a circle)",
                                    maxLength=alerts.AREA_DESC_MAX),
                        html.Div([
                            html.P("Tap the map to place the centre, or type it.", className="mb-1 text-muted"),
                            _area_map(),
                            dbc.Row([
                                dbc.Col(_text_input("centre", placeholder="12.9716, 77.5946", inputMode="decimal"),
                                        md=7),
                                dbc.Col(_text_input("radius", placeholder="e.g. 5", inputMode="decimal", value="5"),
                                        md=5),
                            ], className="mt-2"),
                        ], id=ID.CIRCLE_BOX),
                    ], lg=5),
                ]),
            ], id=ID.FIELDS),
            html.Div([
                dbc.Button("Preview", id=ID.PREVIEW_BUTTON, color="secondary", size="lg", className="me-2"),
                dbc.Button("Publish", id=ID.PUBLISH_BUTTON, color="danger", size="lg", className="px-5"),
                dbc.Button("Publish the update", id=ID.UPDATE_BUTTON, color="danger", size="lg", className="px-5",
                           style=HIDDEN),
                dbc.Button("Publish the cancellation", id=ID.CANCEL_BUTTON, color="danger", size="lg",
                           className="px-5", style=HIDDEN),
            ], className="my-3"),
            html.Div(id=ID.MESSAGE, className="fs-5"),
            html.Div(id=ID.PREVIEW),
            dcc.Store(id=ID.PREVIEWED),
            html.H2("All alerts, newest first", className="h4 mt-4"),
            html.Div(id=ID.HISTORY),
            dcc.Interval(id=ID.REFRESH, interval=30_000),
        ]
    )


# ---- the form's helpers -----------------------------------------------------------------------

FIELD_VALUES = [State(ALERT_IDS.field(name), "value") for name in ALL_FIELDS]
CHOICE_VALUES = [State(ALERT_IDS.choice(name), "value") for name in CHOICE_NAMES]
REASON_VALUES = [State(ID.reason(code), "value") for code in OTHER_LANGUAGES]


def _form_text(values) -> dict:
    """The form's fields and choices by name, as `FIELD_VALUES + CHOICE_VALUES` delivered them."""
    return dict(zip((*ALL_FIELDS, *CHOICE_NAMES), values, strict=True))


def _reasons_given(values) -> dict:
    """The cancellation's reason in each other language, as `REASON_VALUES` delivered them."""
    return dict(zip(OTHER_LANGUAGES, values, strict=True))


@callback(
    Output(ID.FIELDS, "style"),
    Output(ID.REFERENCE_BOX, "style"),
    Output(ID.REASON_BOX, "style"),
    Output(ID.PUBLISH_BUTTON, "style"),
    Output(ID.UPDATE_BUTTON, "style"),
    Output(ID.CANCEL_BUTTON, "style"),
    Input(ID.MODE, "value"),
    prevent_initial_call=True,
)
@allowed_roles(*ROLES)
def show_mode(mode):
    """New: the fields. Update: the earlier alert and the fields. Cancel: the earlier alert and why."""
    def shown_in(*modes):
        return SHOWN if mode in modes else HIDDEN

    return (HIDDEN if mode == "cancel" else SHOWN, shown_in("update", "cancel"), shown_in("cancel"),
            HIDDEN if mode in ("update", "cancel") else SHOWN, shown_in("update"), shown_in("cancel"))


@callback(
    *[Output(ALERT_IDS.field(name), "value", allow_duplicate=True) for name in ALL_FIELDS],
    *[Output(ALERT_IDS.choice(name), "value") for name in CHOICE_NAMES],
    Output(ID.AREA_KIND, "value"),
    Input(ID.REFERENCE, "value"),
    State(ID.MODE, "value"),
    prevent_initial_call=True,
)
@allowed_roles(*ROLES)
def start_update(reference, mode):
    """An update starts from the earlier alert's text, in every language it was written in."""
    if mode != "update" or not reference:
        raise dash.exceptions.PreventUpdate
    outcome = act(alerts.form_text_of, alert_id=reference)
    if not outcome.ok or outcome.result is None:
        raise dash.exceptions.PreventUpdate
    text = outcome.result
    return (*[text.get(name, "") for name in ALL_FIELDS], *[text[name] for name in CHOICE_NAMES],
            text["area_kind"])


@callback(
    Output(ALERT_IDS.field("centre"), "value", allow_duplicate=True),
    Input(ID.MAP, "clickData"),
    prevent_initial_call=True,
)
@allowed_roles(*ROLES)
def place_centre(click):
    """A tap on the map places the circle's centre."""
    if not click or "latlng" not in click:
        raise dash.exceptions.PreventUpdate
    return f"{click['latlng']['lat']:.5f}, {click['latlng']['lng']:.5f}"


@callback(Output(ID.CIRCLE_BOX, "style"), Input(ID.AREA_KIND, "value"))
@allowed_roles(*ROLES)
def show_circle(kind):
    return {} if kind != "region" else HIDDEN


@callback(Output(ID.MAP_LAYER, "children"),
          Input(ALERT_IDS.field("centre"), "value"), Input(ALERT_IDS.field("radius"), "value"))
@allowed_roles(*ROLES)
def draw_circle(centre, radius):
    try:
        lat, lon = alerts.parse_centre(centre)
        km = alerts.parse_radius(radius)
    except InvalidInput:
        return []
    if lat is None:
        return []
    shapes = [dl.Marker(position=[lat, lon])]
    if km and 0 < km <= alerts.MAX_RADIUS_KM:
        shapes.append(dl.Circle(center=[lat, lon], radius=km * 1000, color="#dc3545", fillOpacity=0.15))
    return shapes


# ---- the actions: preview, publish, publish an update, publish a cancellation -----------------

# What every action shows: the messages at the fields, the preview, the page's message, and the
# key of what was previewed (publishing hands it back).
ANSWER = [
    *[Output(ALERT_IDS.feedback(name), "children", allow_duplicate=True) for name in ALL_FIELDS],
    *[Output(ALERT_IDS.field(name), "invalid", allow_duplicate=True) for name in ALL_FIELDS],
    Output(ID.REFERENCE, "invalid", allow_duplicate=True),
    Output(ID.REFERENCE_FEEDBACK, "children", allow_duplicate=True),
    Output(ID.REASON, "invalid", allow_duplicate=True),
    Output(ID.REASON_FEEDBACK, "children", allow_duplicate=True),
    *[Output(ID.reason(code), "invalid", allow_duplicate=True) for code in OTHER_LANGUAGES],
    *[Output(ID.reason_feedback(code), "children", allow_duplicate=True) for code in OTHER_LANGUAGES],
    Output(ID.PREVIEW, "children", allow_duplicate=True),
    Output(ID.MESSAGE, "children", allow_duplicate=True),
    Output(ID.PREVIEWED, "data", allow_duplicate=True),
]


def _answer(outcome: Outcome, *, preview=dash.no_update, message="", previewed=dash.no_update) -> tuple:
    reasons = [alerts.translated_field("reason", code) for code in OTHER_LANGUAGES]
    at = {name: outcome.message_for(name) for name in (*ALL_FIELDS, "reference", "reason", *reasons)}
    return (*[at[name] for name in ALL_FIELDS], *[bool(at[name]) for name in ALL_FIELDS],
            bool(at["reference"]), at["reference"], bool(at["reason"]), at["reason"],
            *[bool(at[name]) for name in reasons], *[at[name] for name in reasons], preview, message, previewed)


def _refused(outcome: Outcome) -> tuple:
    if outcome.field == alerts.PREVIEW:  # not previewed as it is now: the last preview stays up
        return _answer(outcome, message=dbc.Alert(outcome.message, color="warning", id=ID.RESULT))
    return _answer(outcome, preview=[], message=dbc.Alert(outcome.message, color="danger", id=ID.RESULT),
                   previewed=None)


def _published(outcome: Outcome, what: str) -> tuple:
    if not outcome.ok:
        return _refused(outcome)
    message = dbc.Alert([html.Strong(f"{what}. "), "It shows on every signed-in screen within seconds. ",
                         html.A("CAP XML", href=f"/cap/alerts/{outcome.result.identifier}.xml", target="_blank",
                                className="alert-link")],
                        color="success", id=ID.RESULT)
    return _answer(outcome, preview=[], message=message, previewed=None)


def _draft(mode, reference, reason, reasons, area_kind, values) -> Outcome:
    if mode == "cancel":
        return act(alerts.preview_cancel, alert_id=reference, reason=reason, reasons=reasons)
    if mode == "update":
        return act(alerts.preview_update, alert_id=reference, text=_form_text(values), area_kind=area_kind)
    return act(alerts.preview_alert, text=_form_text(values), area_kind=area_kind)


def _blocks(message) -> list:
    """(language, its name, its words) for each language a message carries, English first."""
    languages = [DEFAULT_LANGUAGE] + [t.language for t in message.translations]
    return [(code, LANGUAGES.get(code, code), alerts.words_in(message, code)) for code in languages]


def _shown(mode, draft: alerts.Draft) -> list:
    now = utcnow()
    if mode == "cancel":
        return [html.H2(_("Preview: this alert will be cancelled"), className="h5"),
                alert_card(draft.alert, now=now, element_id=ID.PREVIEW_BANNER, xml_link=False),
                html.H2(_("Preview: the cancellation, in each language"), className="h5 mt-2"),
                *preview_in_languages(draft.cancellation, _blocks(draft.cancellation), now=now, with_banner=False)]
    draft.alert.id = 0  # never stored: the preview's elements get ids of their own
    return [html.H2(_("Preview: the banner and the full alert, in each language"), className="h5"),
            html.Div(preview_in_languages(draft.alert, _blocks(draft.alert), now=now), id=ID.PREVIEW_BANNER)]


@callback(*ANSWER, Input(ID.PREVIEW_BUTTON, "n_clicks"), State(ID.MODE, "value"), State(ID.REFERENCE, "value"),
          State(ID.REASON, "value"), *REASON_VALUES, State(ID.AREA_KIND, "value"), *FIELD_VALUES, *CHOICE_VALUES,
          prevent_initial_call=True)
@allowed_roles(*ROLES)
def preview(_clicks, mode, reference, reason, *values):
    if not pressed():
        raise dash.exceptions.PreventUpdate
    reasons, (area_kind, *values) = _reasons_given(values[:len(OTHER_LANGUAGES)]), values[len(OTHER_LANGUAGES):]
    outcome = _draft(mode, reference, reason, reasons, area_kind, values)
    if not outcome.ok:
        return _refused(outcome)
    return _answer(outcome, preview=_shown(mode, outcome.result), previewed=outcome.result.key)


@callback(*ANSWER, Input(ID.PUBLISH_BUTTON, "n_clicks"), State(ID.PREVIEWED, "data"), State(ID.AREA_KIND, "value"),
          *FIELD_VALUES, *CHOICE_VALUES, prevent_initial_call=True)
@allowed_roles(*ROLES)
def publish(_clicks, previewed, area_kind, *values):
    if not pressed():
        raise dash.exceptions.PreventUpdate
    return _published(act(alerts.publish_previewed, text=_form_text(values), area_kind=area_kind,
                          previewed=previewed), "Alert published")


@callback(*ANSWER, Input(ID.UPDATE_BUTTON, "n_clicks"), State(ID.PREVIEWED, "data"), State(ID.REFERENCE, "value"),
          State(ID.AREA_KIND, "value"), *FIELD_VALUES, *CHOICE_VALUES, prevent_initial_call=True)
@allowed_roles(*ROLES)
def publish_update(_clicks, previewed, reference, area_kind, *values):
    if not pressed():
        raise dash.exceptions.PreventUpdate
    return _published(act(alerts.update_previewed, alert_id=reference, text=_form_text(values),
                          area_kind=area_kind, previewed=previewed), "Update published")


@callback(*ANSWER, Input(ID.CANCEL_BUTTON, "n_clicks"), State(ID.PREVIEWED, "data"), State(ID.REFERENCE, "value"),
          State(ID.REASON, "value"), *REASON_VALUES, prevent_initial_call=True)
@allowed_roles(*ROLES)
def publish_cancellation(_clicks, previewed, reference, reason, *reasons):
    if not pressed():
        raise dash.exceptions.PreventUpdate
    return _published(act(alerts.cancel_previewed, alert_id=reference, reason=reason, reasons=_reasons_given(reasons),
                          previewed=previewed), "Cancellation published")


# ---- the view -------------------------------------------------------------------------------


@callback(
    Output(ID.HISTORY, "children"),
    Output(ID.REFERENCE, "options"),
    Input(ID.REFRESH, "n_intervals"),
    Input(ID.MESSAGE, "children"),
)
@allowed_roles(*ROLES)
def refresh_history(_n, _message):
    now = utcnow()
    with db_session() as session:
        actor = actor_in(session)
        options = [{"label": f"{a.severity} · {a.headline} (until {alerts.local_input_text(a.expires).replace('T', ' ')})",
                    "value": str(a.id)} for a in alerts.replaceable_alerts(session, actor=actor, now=now)]
        past = history_list(alerts.history(session, limit=50), now, alerts.state_of)
    return [past, last_updated(now, element_id=ID.UPDATED)], options
