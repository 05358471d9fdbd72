"""Health officer: edit the first-aid guidance of one emergency type, with a live preview.
A save based on text someone else has changed since is refused, never silently overwritten."""


import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from auth.actions import act
from auth.context import db_session
from auth.roles import allowed_roles
from components.cards import page_header
from components.format import local_time
from components.guidance import guidance_card
from components.i18n import N_
from components.triggers import pressed
from db import guidance
from db.sos import EMERGENCY_TYPES
from db.vocabulary import Role


class ID:
    TYPE = "guidance-edit-type"
    TITLE = "guidance-edit-title"
    TITLE_FEEDBACK = "guidance-edit-title-feedback"
    BODY = "guidance-edit-body"
    BODY_FEEDBACK = "guidance-edit-body-feedback"
    HINTS = "guidance-edit-hints"
    HINT_LIST = "guidance-edit-hint-list"
    SAVE = "guidance-edit-save"
    MESSAGE = "guidance-edit-message"
    RESULT = "guidance-edit-result"
    UPDATED = "guidance-edit-updated"
    PREVIEW = "guidance-edit-preview"
    PREVIEW_CARD = "guidance-preview"
    VERSION = "guidance-edit-version"


ROLES = (Role.HEALTH_OFFICER,)
dash.register_page(__name__, path="/officer/guidance", title="Edit first-aid guidance", allowed_roles=ROLES,
                   nav_label=N_("First aid"), nav_order=3)


def layout(**kwargs):
    options = [{"label": t.label, "value": key} for key, t in EMERGENCY_TYPES.items()]
    return html.Div(
        [
            page_header("Edit first-aid guidance",
                        "Short numbered steps, plain words: people read this under stress, on a phone. "
                        "Markdown: **bold**, 1. numbered steps. HTML is shown as text."),
            dbc.Row([
                dbc.Col([
                    dbc.Label("Emergency type", html_for=ID.TYPE),
                    dbc.Select(id=ID.TYPE, options=options, value="cardiac_arrest", size="lg",
                               className="mb-2"),
                    dbc.Label("Title", html_for=ID.TITLE),
                    dbc.Input(id=ID.TITLE, size="lg", maxLength=guidance.TITLE_MAX),
                    dbc.FormFeedback(id=ID.TITLE_FEEDBACK, type="invalid"),
                    dbc.Label("Steps (Markdown)", html_for=ID.BODY, className="mt-2"),
                    dbc.Textarea(id=ID.BODY, rows=14, maxLength=guidance.BODY_MAX,
                                 style={"fontFamily": "monospace"}),
                    dbc.FormFeedback(id=ID.BODY_FEEDBACK, type="invalid"),
                    html.Div(id=ID.HINTS, className="mt-2"),
                    dbc.Button("Save guidance", id=ID.SAVE, color="danger", size="lg",
                               className="mt-2 px-5"),
                    html.Div(id=ID.MESSAGE, className="mt-2 fs-5"),
                    html.Small(id=ID.UPDATED, className="text-muted d-block mt-1"),
                ], lg=6),
                dbc.Col([html.H2("Preview: what people see", className="h5"),
                         html.Div(id=ID.PREVIEW)], lg=6),
            ]),
            dcc.Store(id=ID.VERSION),
        ]
    )


def _updated_text(view) -> str:
    return f"Last saved {local_time(view.updated_at, with_date=True)}" if view.updated_at else "Default text, never edited"


def _version(view) -> str | None:
    return view.updated_at.isoformat() if view.updated_at else None


def _stored(emergency_type: str) -> tuple:
    """The type's stored text: title, body, the version the editor's copy is of, when it was saved."""
    with db_session() as session:
        current = guidance.guidance_for(session, emergency_type)
    return current.title, current.body_markdown, _version(current), _updated_text(current)


# Title, body, version and "last saved", then the message and the fields' problems.
SHOWN = [Output(ID.TITLE, "value"), Output(ID.BODY, "value"), Output(ID.VERSION, "data"), Output(ID.UPDATED, "children")]
PROBLEMS = [Output(ID.MESSAGE, "children"), Output(ID.TITLE, "invalid"), Output(ID.TITLE_FEEDBACK, "children"),
            Output(ID.BODY, "invalid"), Output(ID.BODY_FEEDBACK, "children")]
NO_PROBLEM = (False, "", False, "")


def _duplicate(outputs: list) -> list:
    return [Output(o.component_id, o.component_property, allow_duplicate=True) for o in outputs]


@callback(*SHOWN, *PROBLEMS, Input(ID.TYPE, "value"))
@allowed_roles(*ROLES)
def load_guidance(emergency_type):
    """The chosen type's stored text, ready to edit."""
    if emergency_type not in EMERGENCY_TYPES:
        raise dash.exceptions.PreventUpdate
    return (*_stored(emergency_type), "", *NO_PROBLEM)


@callback(*_duplicate(SHOWN), *_duplicate(PROBLEMS), Input(ID.SAVE, "n_clicks"), State(ID.TYPE, "value"),
          State(ID.TITLE, "value"), State(ID.BODY, "value"), State(ID.VERSION, "data"), prevent_initial_call=True)
@allowed_roles(*ROLES)
def save_guidance(_clicks, emergency_type, title, body, version):
    if not pressed() or emergency_type not in EMERGENCY_TYPES:
        raise dash.exceptions.PreventUpdate
    keep = dash.no_update
    outcome = act(guidance.save_guidance, emergency_type=emergency_type, title=title or "", body_markdown=body or "",
                  expected_updated_at=version)
    if outcome.ok:
        saved = outcome.result
        return (keep, keep, _version(saved), _updated_text(saved),
                dbc.Alert("Saved. Citizens see the new steps now.", color="success", id=ID.RESULT), *NO_PROBLEM)
    if outcome.field is None:  # someone saved since this copy was opened: show their text
        return (*_stored(emergency_type), dbc.Alert(outcome.message, color="warning", id=ID.RESULT), *NO_PROBLEM)
    return (keep, keep, keep, keep, dbc.Alert(outcome.message, color="danger", id=ID.RESULT),
            outcome.field == "title", outcome.message_for("title"), outcome.field == "body", outcome.message_for("body"))


@callback(
    Output(ID.PREVIEW, "children"),
    Output(ID.HINTS, "children"),
    Input(ID.TITLE, "value"),
    Input(ID.BODY, "value"),
    State(ID.TYPE, "value"),
)
@allowed_roles(*ROLES)
def preview(title, body, emergency_type):
    view = guidance.GuidanceView(emergency_type or "", guidance.type_label(emergency_type or ""), title or "",
                                 body or "", None, None)
    hints = guidance.style_hints(body or "")
    return (guidance_card(view, element_id=ID.PREVIEW_CARD),
            dbc.Alert([html.Div(h) for h in hints], color="info", className="py-2 mb-0",
                      id=ID.HINT_LIST) if hints else None)
