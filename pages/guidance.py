"""Everyone: first-aid guidance by emergency type, in short numbered steps."""

import dash
from dash import html

from auth.context import db_session
from auth.i18n import page_language
from components.cards import page_header
from components.guidance import guidance_card, type_buttons
from components.i18n import N_, _
from db import guidance
from db.vocabulary import Role

# Health officers read (and preview) the same text on their editing page, /officer/guidance.
ROLES = (Role.CITIZEN,)
dash.register_page(__name__, path="/guidance", title=N_("First aid"), allowed_roles=ROLES, nav_label=N_("First aid"),
                   nav_order=8, translated=True)


def layout(type=None, **kwargs):  # noqa: A002 - the query parameter is called "type"
    with db_session() as session:
        views = guidance.all_guidance(session, page_language())
    chosen = next((v for v in views if v.emergency_type == type), None)
    if chosen is None:
        return html.Div([
            page_header(_("First aid"), _("If someone may be in danger, press SOS first. Then choose what is happening.")),
            type_buttons(views, None),
        ])
    # The steps first: on a phone they must not sit below a wall of buttons.
    return html.Div([
        guidance_card(chosen, heading_level="h1"),
        html.H2(_("Other first-aid guidance"), className="h5"),
        type_buttons(views, chosen.emergency_type),
    ])
