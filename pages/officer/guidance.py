"""Health officer: edit the first-aid guidance of one emergency type, with a live preview.
A save based on text someone else has changed since is refused, never silently overwritten."""

from datetime import datetime

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html

from auth.context import actor_in, db_session
from auth.roles import allowed_roles
from components.cards import page_header
from components.format import local_time
from components.guidance import guidance_card
from db import guidance
from db.clock import utcnow
from db.errors import Conflict, DomainError, InvalidInput
from db.sos import EMERGENCY_TYPES
from db.vocabulary import Role

ROLES = (Role.HEALTH_OFFICER,)
dash.register_page(__name__, path="/officer/guidance", title="Edit first-aid guidance", allowed_roles=ROLES,
                   nav_label="First aid", nav_order=3)


def layout(**kwargs):
    options = [{"label": t.label, "value": key} for key, t in EMERGENCY_TYPES.items()]
    return html.Div(
        [
            page_header("Edit first-aid guidance",
                        "Short numbered steps, plain words: people read this under stress, on a phone. "
                        "Markdown: **bold**, 1. numbered steps. HTML is shown as text."),
            dbc.Row([
                dbc.Col([
                    dbc.Label("Emergency type", html_for="guidance-edit-type"),
                    dbc.Select(id="guidance-edit-type", options=options, value="cardiac_arrest", size="lg",
                               className="mb-2"),
                    dbc.Label("Title", html_for="guidance-edit-title"),
                    dbc.Input(id="guidance-edit-title", size="lg", maxLength=guidance.TITLE_MAX),
                    dbc.FormFeedback(id="guidance-edit-title-feedback", type="invalid"),
                    dbc.Label("Steps (Markdown)", html_for="guidance-edit-body", className="mt-2"),
                    dbc.Textarea(id="guidance-edit-body", rows=14, maxLength=guidance.BODY_MAX,
                                 style={"fontFamily": "monospace"}),
                    dbc.FormFeedback(id="guidance-edit-body-feedback", type="invalid"),
                    html.Div(id="guidance-edit-hints", className="mt-2"),
                    dbc.Button("Save guidance", id="guidance-edit-save", color="danger", size="lg",
                               className="mt-2 px-5"),
                    html.Div(id="guidance-edit-message", className="mt-2 fs-5"),
                    html.Small(id="guidance-edit-updated", className="text-muted d-block mt-1"),
                ], lg=6),
                dbc.Col([html.H2("Preview: what people see", className="h5"),
                         html.Div(id="guidance-edit-preview")], lg=6),
            ]),
            dcc.Store(id="guidance-edit-version"),
        ]
    )


def _updated_text(view) -> str:
    return f"Last saved {local_time(view.updated_at, with_date=True)}" if view.updated_at else "Default text, never edited"


@callback(
    Output("guidance-edit-title", "value"),
    Output("guidance-edit-body", "value"),
    Output("guidance-edit-version", "data"),
    Output("guidance-edit-updated", "children"),
    Output("guidance-edit-message", "children"),
    Output("guidance-edit-title", "invalid"),
    Output("guidance-edit-title-feedback", "children"),
    Output("guidance-edit-body", "invalid"),
    Output("guidance-edit-body-feedback", "children"),
    Input("guidance-edit-type", "value"),
    Input("guidance-edit-save", "n_clicks"),
    State("guidance-edit-title", "value"),
    State("guidance-edit-body", "value"),
    State("guidance-edit-version", "data"),
)
@allowed_roles(*ROLES)
def load_or_save(emergency_type, save_clicks, title, body, version):
    if emergency_type not in EMERGENCY_TYPES:
        raise dash.exceptions.PreventUpdate
    keep = dash.no_update
    with db_session() as session:
        if ctx.triggered_id == "guidance-edit-save" and save_clicks:
            expected = datetime.fromisoformat(version) if version else None
            try:
                with session.begin_nested():
                    saved = guidance.save_guidance(session, actor=actor_in(session), emergency_type=emergency_type,
                                                   title=title or "", body_markdown=body or "", now=utcnow(),
                                                   expected_updated_at=expected)
                return (keep, keep, saved.updated_at.isoformat(), _updated_text(saved),
                        dbc.Alert("Saved. Citizens see the new steps now.", color="success", id="guidance-edit-result"),
                        False, "", False, "")
            except InvalidInput as bad:
                return (keep, keep, keep, keep, dbc.Alert(bad.message, color="danger", id="guidance-edit-result"),
                        bad.field == "title", bad.message if bad.field == "title" else "",
                        bad.field == "body", bad.message if bad.field == "body" else "")
            except Conflict as clash:
                current = guidance.guidance_for(session, emergency_type)
                return (current.title, current.body_markdown,
                        current.updated_at.isoformat() if current.updated_at else None, _updated_text(current),
                        dbc.Alert(clash.message, color="warning", id="guidance-edit-result"), False, "", False, "")
            except DomainError as error:
                return (keep, keep, keep, keep, dbc.Alert(error.message, color="danger", id="guidance-edit-result"),
                        False, "", False, "")
        current = guidance.guidance_for(session, emergency_type)
        return (current.title, current.body_markdown,
                current.updated_at.isoformat() if current.updated_at else None, _updated_text(current),
                "", False, "", False, "")


@callback(
    Output("guidance-edit-preview", "children"),
    Output("guidance-edit-hints", "children"),
    Input("guidance-edit-title", "value"),
    Input("guidance-edit-body", "value"),
    State("guidance-edit-type", "value"),
)
@allowed_roles(*ROLES)
def preview(title, body, emergency_type):
    view = guidance.GuidanceView(emergency_type or "", guidance.type_label(emergency_type or ""), title or "",
                                 body or "", None, None)
    hints = guidance.style_hints(body or "")
    return (guidance_card(view, element_id="guidance-preview"),
            dbc.Alert([html.Div(h) for h in hints], color="info", className="py-2 mb-0",
                      id="guidance-edit-hint-list") if hints else None)
