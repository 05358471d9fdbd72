"""The parts of every hospital-admin page that make a new SOS noticed (assets/noticing.js): the
count's poll and store, the sound, the navbar badge, the "sound is blocked" note, and the
settings (sound on/off, desktop notifications)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.i18n import _

# How often every hospital-admin page asks how many SOS wait (one count query, a few bytes).
POLL_MS = 3_000


class ID:
    POLL = "notice-poll"
    COUNT = "notice-count"
    AUDIO = "notice-audio"
    BADGE = "notice-badge"
    SOUND_BLOCKED = "notice-sound-blocked"  # also named in assets/noticing.js
    SOUND = "notice-sound"
    SOUND_SAVED = "notice-sound-saved"
    DESKTOP = "notice-desktop"  # also named in assets/noticing.js


def frame_parts() -> list:
    """What the frame adds for a hospital admin: the poll, the count, the sound, the note."""
    return [
        dcc.Interval(id=ID.POLL, interval=POLL_MS),
        dcc.Store(id=ID.COUNT),
        dcc.Store(id=ID.SOUND_SAVED),
        html.Audio(id=ID.AUDIO, src="/assets/new-sos.wav", preload="auto"),
        html.Div(_("Sound for new SOS is blocked by the browser until you click anywhere on this page."),
                 # Fixed in the top corner: appearing never moves the page under a finger.
                 id=ID.SOUND_BLOCKED, hidden=True, role="status",
                 className="alert alert-warning py-1 mb-0 notice-sound-blocked"),
    ]


def badge() -> html.Span:
    """The number of SOS waiting, beside the queue's link."""
    return html.Span("", id=ID.BADGE, hidden=True, className="badge rounded-pill bg-light text-danger ms-1 notice-badge",
                     title=_("SOS waiting for your hospital"))


def settings() -> html.Div:
    return html.Div([
        # On by default; the choice is kept in this browser (Dash's own persistence shows it, and
        # assets/noticing.js reads it on every page).
        dbc.Switch(id=ID.SOUND, label=_("Sound when a new SOS arrives (remembered on this browser)"), value=True,
                   persistence=True, persistence_type="local", className="fs-5 me-4"),
        dbc.Button(_("Turn on desktop notifications"), id=ID.DESKTOP, color="secondary", outline=True),
    ], className="d-flex flex-wrap align-items-center gap-2 mb-2")
