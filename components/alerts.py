"""Builders for public health alerts: the banner on every page, alert cards, the history list,
and the officer's form. Alert text is always passed as text (Dash escapes it), never as HTML."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_babel import force_locale

from components.format import local_time
from components.i18n import N_, _, ngettext
from components.shell import dom_id


class ID:
    # The banner in the app shell (one container and one timer for every page).
    BANNER = "alerts-banner"
    BANNER_REFRESH = "alerts-banner-refresh"
    BANNER_SHOWN = "alerts-banner-shown"
    BANNER_MORE = "alert-banner-more"
    PREVIEW_CARD = "alert-preview-card"
    HISTORY = "alerts-history"
    HISTORY_EMPTY = "alerts-history-empty"

    @staticmethod
    def banner_item(alert_id: int) -> str:
        return f"alert-banner-{alert_id}"

    @staticmethod
    def card(alert_id: int) -> str:
        return f"alert-{alert_id}"

    @staticmethod
    def history_row(alert_id: int) -> str:
        return f"history-{alert_id}"

    # The officer's form: its inputs, the messages at them, and its CAP choices.
    @staticmethod
    def field(name: str) -> dict:
        return {"type": "alert-field", "name": name}

    @staticmethod
    def feedback(name: str) -> dict:
        return {"type": "alert-feedback", "name": name}

    @staticmethod
    def choice(name: str) -> str:
        return f"alert-{name}"

    # The form's words in one language (its column), and the preview in each language.
    @staticmethod
    def words(language: str) -> str:
        return f"alert-words-{language}"

    @staticmethod
    def preview_block(language: str) -> str:
        return f"alert-preview-{language}"

    @staticmethod
    def preview_card(language: str) -> str:
        """The full alert in the preview: English keeps the id it always had."""
        return ID.PREVIEW_CARD if language == "en" else f"alert-preview-card-{language}"

    @staticmethod
    def preview_banner_item(language: str) -> str:
        return f"alert-preview-banner-{language}"


BANNER_REFRESH_MS = 10_000
BANNER_MAX = 3  # more than this: "and N more" (a phone screen is small)

SEVERITY_COLORS = {"Extreme": "danger", "Severe": "danger", "Moderate": "warning", "Minor": "info",
                   "Unknown": "secondary"}
SEVERITY_ICONS = {"Extreme": "⚠⚠", "Severe": "⚠", "Moderate": "⚠", "Minor": "ℹ", "Unknown": "ℹ"}
STATE_LABELS = {"active": N_("In force"), "upcoming": N_("Starts later"), "expired": N_("Expired"),
                "replaced": N_("Replaced by an update"), "cancellation": N_("Cancellation")}
STATE_COLORS = {"active": "success", "upcoming": "info", "expired": "secondary", "replaced": "secondary",
                "cancellation": "dark"}
WHERE_LABELS = {"here": N_("Covers your location"), "region": N_("Region-wide"),
                "elsewhere": N_("Not at your location")}
# CAP's words (severity, urgency, certainty, status, message type) as a reader sees them; the
# CAP document itself keeps CAP's English values.
CAP_WORDS = {
    "Extreme": N_("Extreme"), "Severe": N_("Severe"), "Moderate": N_("Moderate"), "Minor": N_("Minor"),
    "Unknown": N_("Unknown"), "Immediate": N_("Immediate"), "Expected": N_("Expected"), "Future": N_("Future"),
    "Past": N_("Past"), "Observed": N_("Observed"), "Likely": N_("Likely"), "Possible": N_("Possible"),
    "Unlikely": N_("Unlikely"), "Actual": N_("Actual"), "Exercise": N_("Exercise"), "System": N_("System"),
    "Test": N_("Test"), "Draft": N_("Draft"), "Alert": N_("Alert"), "Update": N_("Update"), "Cancel": N_("Cancel"),
}
TEXT_STYLE = {"whiteSpace": "pre-line"}  # keep the officer's line breaks, as text


def cap_word(value: str) -> str:
    """One of CAP's values in the reader's language ("Severe" → "गंभीर")."""
    return _(CAP_WORDS[value]) if value in CAP_WORDS else value


@dataclass(frozen=True)
class Words:
    """What an alert says, in one language (db/alerts.words_in gives them); `fallback`: the
    reader's language was not written, this is the English."""

    event: str
    headline: str
    description: str
    instruction: str
    fallback: bool = False
    language: str = "en"


def _own_words(alert) -> Words:
    return Words(alert.event, alert.headline, alert.description or "", alert.instruction or "")


def banner_container() -> html.Div:
    """Placed by pages/shell.serve_shell above every page and filled by its banner callback."""
    return html.Div(
        [html.Div(id=ID.BANNER, role="region", **{"aria-label": _("Public health alerts"), "aria-live": "polite"}),
         dcc.Interval(id=ID.BANNER_REFRESH, interval=BANNER_REFRESH_MS),
         dcc.Store(id=ID.BANNER_SHOWN)],
    )


def status_prefix(alert) -> str:
    return "" if alert.status == "Actual" else f"{cap_word(alert.status).upper()}: "


def banner(alerts: list, *, details_href: str = "/alerts", words_of: Callable | None = None,
           item_id: Callable | None = None) -> list:
    """Active alerts, most severe first (the caller's order), each one line with a link, in the
    reader's language where the officer wrote it (`words_of(alert)` → `Words`)."""
    if not alerts:
        return []
    words_of = words_of or _own_words
    item_id = item_id or (lambda alert: ID.banner_item(alert.id))
    items = []
    for a in alerts[:BANNER_MAX]:
        words = words_of(a)
        items.append(dbc.Alert(
            [
                html.Span(SEVERITY_ICONS.get(a.severity, "⚠") + " ", **{"aria-hidden": "true"}),
                html.Strong(f"{status_prefix(a)}{cap_word(a.severity).upper()} · ", className="me-1"),
                html.Strong(words.headline, className="banner-headline", lang=words.language),
                html.Span(" · " + _("%(area)s · until %(when)s", area=a.area_desc,
                                    when=local_time(a.expires, with_date=True)) + " ",
                          className="d-none d-md-inline"),
                dcc.Link(_("Details"), href=details_href, className="alert-link ms-1"),
            ],
            color=SEVERITY_COLORS.get(a.severity, "warning"),
            className="py-2 px-3 mb-1 alert-banner-item",
            id=item_id(a),
        ))
    if len(alerts) > BANNER_MAX:
        more = len(alerts) - BANNER_MAX
        items.append(dcc.Link(ngettext("…and %(num)s more alert", "…and %(num)s more alerts", more),
                              href=details_href, className="d-block mb-2 fs-6", id=ID.BANNER_MORE))
    return items


def _time_line(alert, now: datetime | None) -> str:
    until = local_time(alert.expires, with_date=True)
    if now and alert.effective > now:
        return _("from %(start)s until %(end)s", start=local_time(alert.effective, with_date=True), end=until)
    return _("until %(end)s", end=until)


def _badges(alert, where: str | None) -> list:
    color = SEVERITY_COLORS.get(alert.severity, "secondary")
    badges = [
        dbc.Badge(cap_word(alert.severity), color=color, className="me-1 fs-6"),
        dbc.Badge(_("Urgency: %(value)s", value=cap_word(alert.urgency)), color="light", text_color="dark",
                  className="me-1"),
        dbc.Badge(_("Certainty: %(value)s", value=cap_word(alert.certainty)), color="light", text_color="dark",
                  className="me-1"),
    ]
    if alert.status != "Actual":
        badges.append(dbc.Badge(cap_word(alert.status).upper(), color="dark", className="me-1"))
    if alert.msg_type != "Alert":
        badges.append(dbc.Badge(cap_word(alert.msg_type), color="primary", className="me-1"))
    if where in WHERE_LABELS:
        badges.append(dbc.Badge(_(WHERE_LABELS[where]), color="danger" if where == "here" else "light",
                                text_color=None if where == "here" else "dark", className="me-1"))
    return badges


def alert_card(alert, *, now: datetime | None = None, where: str | None = None,
               element_id: str | None = None, xml_link: bool = True, words: Words | None = None) -> dbc.Card:
    """One alert; `words`: what it says in the reader's language (else the alert's own)."""
    words = words or _own_words(alert)
    color = SEVERITY_COLORS.get(alert.severity, "secondary")
    circle = ""
    if alert.circle_radius_km is not None and not alert.area_desc.startswith("Within "):
        radius, lat, lon = (format(alert.circle_radius_km, "g"), format(alert.circle_lat, ".4f"),
                            format(alert.circle_lon, ".4f"))
        circle = " " + _("(circle of %(radius)s km around %(lat)s, %(lon)s)", radius=radius, lat=lat, lon=lon)
    said = html.Div(
        [html.H3(words.headline, className="h4 mb-1 alert-headline"),
         html.Div(f"{words.event} · {alert.area_desc}{circle}", className="text-muted")],
        lang=words.language)
    body = [
        html.Div(_badges(alert, where), className="mb-1"),
        said,
        html.Div(_time_line(alert, now), className="fw-semibold"),
    ]
    if words.fallback:
        body.append(html.Small(_("Not written in your language yet: shown in English."),
                               className="d-block text-muted alert-fallback"))
    if words.description:
        body.append(html.P(words.description, className="mt-2 mb-1 alert-description", style=TEXT_STYLE,
                           lang=words.language))
    if words.instruction:
        body.append(html.Div([html.Strong(_("What to do:") + " "),
                              html.Span(words.instruction, style=TEXT_STYLE, className="alert-instruction",
                                        lang=words.language)],
                             className="fs-5 mt-1"))
    if xml_link and alert.identifier:
        body.append(html.A(_("CAP 1.2 XML"), href=f"/cap/alerts/{alert.identifier}.xml", target="_blank",
                           className="small d-inline-block mt-2"))
    return dbc.Card(dbc.CardBody(body), color=color, outline=True, className="mb-2 alert-card border-2",
                    id=element_id or (ID.card(alert.id) if alert.id else ID.PREVIEW_CARD))


def history_list(alerts: list, now: datetime, state_of, words_of: Callable | None = None) -> html.Div:
    if not alerts:
        return html.P(_("No alerts have been published yet."), className="text-muted", id=ID.HISTORY_EMPTY)
    words_of = words_of or _own_words
    rows = []
    for a in alerts:
        words = words_of(a)
        rows.append(html.Tr([
            html.Td(local_time(a.sent, with_date=True), className="text-nowrap"),
            html.Td([dbc.Badge(_(STATE_LABELS[state_of(a, now)]), color=STATE_COLORS[state_of(a, now)]),
                     " ", dbc.Badge(cap_word(a.msg_type), color="light", text_color="dark")
                     if a.msg_type != "Alert" else None]),
            html.Td(dbc.Badge(cap_word(a.severity), color=SEVERITY_COLORS.get(a.severity, "secondary"))),
            html.Td([html.Div(words.headline, className="fw-semibold", lang=words.language),
                     html.Small(f"{words.event} · {a.area_desc}", className="text-muted", lang=words.language)]),
            html.Td(html.A("XML", href=f"/cap/alerts/{a.identifier}.xml", target="_blank")
                    if a.status != "Draft" else "—"),
        ], id=ID.history_row(a.id)))
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(_("Sent")), html.Th(_("State")), html.Th(_("Severity")), html.Th(_("Alert")),
                             html.Th("CAP")])),
         html.Tbody(rows)],
        responsive=True, hover=True, size="sm", className="alerts-history", id=ID.HISTORY,
    )


# ---- the officer's form -----------------------------------------------------------------------

FIELD_NAMES = ("event", "headline", "description", "instruction", "effective", "expires", "area_desc",
               "centre", "radius")
CHOICE_NAMES = ("severity", "urgency", "certainty", "category", "status")
# The words of an alert, written once per language; each language's column is labelled in it.
WORD_NAMES = ("event", "headline", "description", "instruction")
LABELS = {
    "event": N_("Event (what is happening)"),
    "headline": N_("Headline (the one line people read first)"),
    "description": N_("Description"),
    "instruction": N_("What people should do"),
    "effective": "Starts (local time; empty: now)",
    "expires": "Expires (local time)",
    "area_desc": "Area name",
    "centre": "Circle centre (latitude, longitude)",
    "radius": "Radius (km)",
}


def form_field(name: str, control, *, field: str | None = None, label: str | None = None) -> html.Div:
    """A labelled field of the officer's form with its message below (assets/shell.js ties the
    message to the field with aria-describedby and reads it out when it appears). `field`: the
    form's name of it when not `name` ("headline:hi"); `label`: its label when not the English."""
    field = field or name
    return html.Div([dbc.Label(label or LABELS[name], html_for=dom_id(ID.field(field)), className="fw-semibold"),
                     control, dbc.FormFeedback(id=ID.feedback(field), type="invalid")], className="mb-2")


def words_column(language: str, language_name: str, *, field_of: Callable[[str], str], required: bool,
                 limits: dict[str, int], placeholders: dict[str, str] | None = None) -> html.Section:
    """One language's words of the alert (event, headline, description, instruction), headed and
    labelled in that language and marked with its `lang`. `field_of(name)`: the form's name of a
    field in this language; `limits`: each field's most characters."""
    placeholders = placeholders or {}
    with force_locale(language):  # the column's labels in its own language, from its catalog
        labels = {name: _(LABELS[name]) for name in WORD_NAMES}
    fields = []
    for name in WORD_NAMES:
        props = dict(id=ID.field(field_of(name)), size="lg", maxLength=limits[name],
                     **({"placeholder": placeholders[name]} if name in placeholders else {}))
        control = dbc.Textarea(rows=3, **props) if name in ("description", "instruction") else \
            dbc.Input(debounce=False, **props)
        fields.append(form_field(name, control, field=field_of(name), label=labels[name]))
    note = _("Required.") if required else _("Optional: left empty, readers of this language see the English.")
    heading = html.H2(language_name, className="h4 mb-0")
    return html.Section(
        [html.Div([heading, html.Small(note, className="text-muted", lang="en")], className="mb-2"), *fields],
        lang=language, id=ID.words(language), className="alert-words border rounded p-2 mb-2",
        **{"aria-label": language_name})


def preview_in_languages(alert, blocks: list, *, now: datetime, with_banner: bool = True) -> list:
    """The preview of a message in each language it carries: `blocks` are (language, its name,
    `Words`) in the form's order. Each shows the banner line (`with_banner`) and the full alert,
    as a reader of that language sees them (the frame's words too)."""
    shown = []
    for language, name, words in blocks:
        part = [html.H3(name, className="h6 text-uppercase mb-1")]
        with force_locale(language):
            if with_banner:
                part.append(html.Div(banner([alert], words_of=lambda _alert, w=words: w,
                                            item_id=lambda _alert, code=language: ID.preview_banner_item(code))))
            part.append(alert_card(alert, now=now, element_id=ID.preview_card(language), xml_link=False,
                                   words=words))
        shown.append(html.Div(part, id=ID.preview_block(language), lang=language, className="mb-3"))
    return shown


def choice(name: str, label: str, values: tuple[str, ...], value: str) -> html.Div:
    """One of the alert's CAP choices (severity, urgency, ...) as a select."""
    return html.Div([dbc.Label(label, html_for=ID.choice(name)),
                     dbc.Select(id=ID.choice(name), options=[{"label": v, "value": v} for v in values],
                                value=value, size="lg")], className="mb-2")
