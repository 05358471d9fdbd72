"""Health officer: edit the first-aid guidance of one emergency type in one language, with a live
preview. A language with no text of its own says so (citizens reading it get the English) and
can be written. A save based on text someone else has changed since is refused, never silently
overwritten."""


import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from auth.actions import act
from auth.context import db_session
from auth.i18n import DEFAULT_LANGUAGE, available_languages
from auth.roles import allowed_roles
from components.cards import page_header
from components.format import local_time
from components.guidance import editor_status, guidance_card
from components.i18n import N_, _
from components.triggers import pressed
from db import guidance
from db.sos import EMERGENCY_TYPES
from db.vocabulary import Role


class ID:
    TYPE = "guidance-edit-type"
    LANGUAGE = "guidance-edit-language"
    FIELDS = "guidance-edit-fields"
    STATUS = "guidance-edit-status"
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

# The languages there are (English and every catalog), each named in its own language.
LANGUAGES = available_languages()
# The version of an editor's copy when the language had no text of its own yet.
NOT_WRITTEN = "new"


def layout(**kwargs):
    options = [{"label": t.label, "value": key} for key, t in EMERGENCY_TYPES.items()]
    languages = [{"label": name, "value": code} for code, name in LANGUAGES.items()]
    return html.Div(
        [
            page_header("Edit first-aid guidance",
                        "Short numbered steps, plain words: people read this under stress, on a phone. "
                        "Markdown: **bold**, 1. numbered steps. HTML is shown as text."),
            dbc.Row([
                dbc.Col([
                    dbc.Row([
                        dbc.Col([dbc.Label("Emergency type", html_for=ID.TYPE),
                                 dbc.Select(id=ID.TYPE, options=options, value="cardiac_arrest", size="lg")],
                                sm=7),
                        dbc.Col([dbc.Label(_("Language"), html_for=ID.LANGUAGE),
                                 dbc.Select(id=ID.LANGUAGE, options=languages, value=DEFAULT_LANGUAGE, size="lg")],
                                sm=5),
                    ], className="mb-2"),
                    html.Div(id=ID.STATUS),
                    # The fields carry the chosen language (`lang`): screen readers and spelling follow it.
                    html.Div([
                        dbc.Label("Title", html_for=ID.TITLE),
                        dbc.Input(id=ID.TITLE, size="lg", maxLength=guidance.TITLE_MAX),
                        dbc.FormFeedback(id=ID.TITLE_FEEDBACK, type="invalid"),
                        dbc.Label("Steps (Markdown)", html_for=ID.BODY, className="mt-2"),
                        dbc.Textarea(id=ID.BODY, rows=14, maxLength=guidance.BODY_MAX,
                                     style={"fontFamily": "monospace"}),
                        dbc.FormFeedback(id=ID.BODY_FEEDBACK, type="invalid"),
                    ], id=ID.FIELDS, lang=DEFAULT_LANGUAGE),
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
    if view.updated_at is None or view.updated_by_id is None:
        return _("Default text, not edited by an officer yet")
    return _("Last saved %(time)s", time=local_time(view.updated_at, with_date=True))


def _version(view) -> str | None:
    return view.updated_at.isoformat() if view.updated_at else None


def _language(language) -> str:
    if language not in LANGUAGES:
        raise dash.exceptions.PreventUpdate
    return language


def _stored(emergency_type: str, language: str) -> tuple:
    """The type's stored text in `language`, as the editor shows it: title, body, the version the
    editor's copy is of, when it was saved, what the language's state is, the fields' language.
    A language with no text of its own: empty fields, the version NOT_WRITTEN, and the English."""
    with db_session() as session:
        current = guidance.guidance_for(session, emergency_type, language)
    name = LANGUAGES[language]
    if current.fallback:
        return ("", "", NOT_WRITTEN, "", editor_status(name, english=current), language)
    return (current.title, current.body_markdown, _version(current), _updated_text(current),
            editor_status(name), language)


# Title, body, version, "last saved", the language's state and the fields' language; then the
# message and the fields' problems.
SHOWN = [Output(ID.TITLE, "value"), Output(ID.BODY, "value"), Output(ID.VERSION, "data"),
         Output(ID.UPDATED, "children"), Output(ID.STATUS, "children"), Output(ID.FIELDS, "lang")]
PROBLEMS = [Output(ID.MESSAGE, "children"), Output(ID.TITLE, "invalid"), Output(ID.TITLE_FEEDBACK, "children"),
            Output(ID.BODY, "invalid"), Output(ID.BODY_FEEDBACK, "children")]
NO_PROBLEM = (False, "", False, "")


def _duplicate(outputs: list) -> list:
    return [Output(o.component_id, o.component_property, allow_duplicate=True) for o in outputs]


@callback(*SHOWN, *PROBLEMS, Input(ID.TYPE, "value"), Input(ID.LANGUAGE, "value"))
@allowed_roles(*ROLES)
def load_guidance(emergency_type, language):
    """The chosen type's stored text in the chosen language, ready to edit."""
    if emergency_type not in EMERGENCY_TYPES:
        raise dash.exceptions.PreventUpdate
    return (*_stored(emergency_type, _language(language)), "", *NO_PROBLEM)


@callback(*_duplicate(SHOWN), *_duplicate(PROBLEMS), Input(ID.SAVE, "n_clicks"), State(ID.TYPE, "value"),
          State(ID.LANGUAGE, "value"), State(ID.TITLE, "value"), State(ID.BODY, "value"), State(ID.VERSION, "data"),
          prevent_initial_call=True)
@allowed_roles(*ROLES)
def save_guidance(_clicks, emergency_type, language, title, body, version):
    if not pressed() or emergency_type not in EMERGENCY_TYPES:
        raise dash.exceptions.PreventUpdate
    language = _language(language)
    keep = dash.no_update
    new = version == NOT_WRITTEN
    outcome = act(guidance.save_guidance, emergency_type=emergency_type, title=title or "", body_markdown=body or "",
                  language=language, expected_updated_at=None if new else version, expect_new=new)
    if outcome.ok:
        saved = outcome.result
        said = _("Saved. Citizens reading %(language)s see the new steps now.", language=LANGUAGES[language])
        return (keep, keep, _version(saved), _updated_text(saved), editor_status(LANGUAGES[language]), keep,
                dbc.Alert(said, color="success", id=ID.RESULT), *NO_PROBLEM)
    if outcome.field is None:  # someone saved since this copy was opened: show their text
        return (*_stored(emergency_type, language), dbc.Alert(outcome.message, color="warning", id=ID.RESULT),
                *NO_PROBLEM)
    return (keep, keep, keep, keep, keep, keep, dbc.Alert(outcome.message, color="danger", id=ID.RESULT),
            outcome.field == "title", outcome.message_for("title"), outcome.field == "body", outcome.message_for("body"))


@callback(
    Output(ID.PREVIEW, "children"),
    Output(ID.HINTS, "children"),
    Input(ID.TITLE, "value"),
    Input(ID.BODY, "value"),
    State(ID.TYPE, "value"),
    State(ID.LANGUAGE, "value"),
)
@allowed_roles(*ROLES)
def preview(title, body, emergency_type, language):
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    view = guidance.GuidanceView(emergency_type or "", guidance.type_label(emergency_type or ""), title or "",
                                 body or "", None, None, language)
    hints = guidance.style_hints(body or "") if (title or body) else []
    shown = guidance_card(view, element_id=ID.PREVIEW_CARD) if (title or body) else \
        html.P(_("Nothing written yet."), className="text-muted", id=ID.PREVIEW_CARD)
    return (shown,
            dbc.Alert([html.Div(h) for h in hints], color="info", className="py-2 mb-0",
                      id=ID.HINT_LIST) if hints else None)
