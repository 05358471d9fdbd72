"""Builders for first-aid guidance: a card of numbered steps, readable on a phone under stress.

Markdown goes through dcc.Markdown without dangerously_allow_html: raw HTML in guidance is shown
as text and never runs (never set that flag here)."""

from __future__ import annotations

from dataclasses import replace

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.format import local_time
from components.i18n import N_, _

# The emergency types' names (db/sos.EMERGENCY_TYPES), marked for the catalog.
TYPE_WORDS = (N_("Cardiac arrest / not breathing"), N_("Breathing difficulty"), N_("Chest pain"),
              N_("Stroke (face, arm, speech)"), N_("Severe bleeding"), N_("Road accident / injury"), N_("Burns"),
              N_("Choking"), N_("Seizure / fits"), N_("Poisoning"), N_("Childbirth"), N_("Other emergency"))


class ID:
    CARD = "guidance-card"  # the guidance shown on /guidance
    AFTER_SOS = "sos-guidance"  # the guidance under "SOS sent" on /citizen
    AFTER_SOS_BOX = "sos-guidance-box"
    # The officer's editor: a language with no text of its own, and the English to translate from.
    NOT_TRANSLATED = "guidance-not-translated"
    ENGLISH_REFERENCE = "guidance-english-reference"

    @staticmethod
    def steps(card_id: str) -> str:
        """The numbered steps inside a guidance card."""
        return f"{card_id}-steps"

    @staticmethod
    def type_link(emergency_type: str) -> str:
        return f"guidance-type-{emergency_type}"


# Big type and roomy lines: read at arm's length, with shaking hands.
STEPS_STYLE = {"fontSize": "1.3rem", "lineHeight": "1.5"}


def guidance_markdown(body: str, *, element_id: str | None = None) -> dcc.Markdown:
    return dcc.Markdown(body, className="guidance-steps", style=STEPS_STYLE, link_target="_blank",
                        **({"id": element_id} if element_id else {}))


def guidance_card(view, *, heading_level: str = "h3", element_id: str = ID.CARD,
                  show_updated: bool = False) -> dbc.Card:
    heading = getattr(html, heading_level.upper())
    language = getattr(view, "language", "en")
    body = [heading(view.title, className="h3 mb-2 guidance-title", lang=language),
            html.Div(guidance_markdown(view.body_markdown, element_id=ID.steps(element_id)), lang=language)]
    if getattr(view, "fallback", False):
        # The reader's language has no text for this yet: the English one, said so.
        body.insert(1, html.P(_("Not written in your language yet: shown in English."),
                              className="text-muted guidance-fallback"))
    if show_updated:
        body.append(html.Small(_("Last edited %(time)s", time=local_time(view.updated_at, with_date=True))
                               if view.updated_at else _("Default guidance"), className="text-muted"))
    return dbc.Card(dbc.CardBody(body), className="mb-3 border-danger border-2 guidance-card", id=element_id)


def after_sos_guidance(view) -> html.Div:
    """Under the "SOS sent" message: what to do until help arrives."""
    return html.Div(
        [html.H2(_("Until help arrives"), className="h4 mt-3"),
         guidance_card(view, element_id=ID.AFTER_SOS),
         dcc.Link(_("All first-aid guidance"), href="/guidance", className="fs-5")],
        id=ID.AFTER_SOS_BOX,
    )


def type_buttons(views, selected: str | None) -> html.Div:
    return html.Div(
        [dcc.Link(_(v.type_label), href=f"/guidance?type={v.emergency_type}",
                  className="btn btn-lg me-2 mb-2 " + ("btn-danger" if v.emergency_type == selected
                                                       else "btn-outline-danger"),
                  id=ID.type_link(v.emergency_type))
         for v in views],
        className="mb-3",
    )


def editor_status(language_name: str, *, english=None):
    """The officer's editor, above the fields: nothing when the language has its own text; when it
    has none (`english`: the English view citizens get instead), says so and shows the English
    to translate from."""
    if english is None:
        return None
    reference = replace(english, fallback=False, language="en")
    return dbc.Alert(
        [html.Strong(_("Not translated yet: citizens see the English text.")), " ",
         _("Write the title and the steps in %(language)s below and save.", language=language_name),
         html.Details([html.Summary(_("The English text, to translate from"), className="mt-2"),
                       guidance_card(reference, heading_level="h2", element_id=ID.ENGLISH_REFERENCE)],
                      className="mt-1")],
        color="warning", id=ID.NOT_TRANSLATED, className="fs-6",
    )
