"""What a live view's page needs to poll cheaply (web/live.py, assets/live.js): the URL of its
version and how to say "last updated" when nothing changed, in the page's language."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, clientside_callback

from components.cards import ID as CardsID
from components.i18n import _
from config import DISPLAY_TIMEZONE

# GET LIVE_URL.format(view=…) answers {"v": <version of what the view shows>, "now": <server ms>}.
LIVE_URL = "/_live/{view}"
QUEUE = "queue"  # a hospital's SOS queue (pages/hospital/queue.py)
OWN_BEDS = "own-beds"  # a hospital's own bed figures (pages/hospital/capacity.py)
BEDS = "beds"  # find a bed (pages/beds.py)


def source(view: str, *, updated_id: str = CardsID.LAST_UPDATED) -> dict:
    """The page's store for assets/live.js: where to ask, and the "last updated" line it writes
    itself after an unchanged poll (the same words and element as components.cards.last_updated)."""
    return {"url": LIVE_URL.format(view=view), "zone": DISPLAY_TIMEZONE, "updated_id": updated_id,
            "updated": _("Last updated %(time)s", time="{time}")}


def register_poll(*, interval_id: str, source_id: str, live_id: str, updated_id: str, clock_id: str | None = None) -> None:
    """The page's timed poll (assets/live.js): a new version goes into `live_id` (the input of the
    page's refresh callback); an unchanged one only moves "last updated" (and the server's clock
    into `clock_id`, when the page keeps one)."""
    outputs = [Output(live_id, "data"), Output(updated_id, "children", allow_duplicate=True)]
    if clock_id:
        outputs.append(Output(clock_id, "data", allow_duplicate=True))
    clientside_callback(ClientsideFunction("live", "checkWithClock" if clock_id else "check"), *outputs,
                        Input(interval_id, "n_intervals"), State(source_id, "data"), State(live_id, "data"),
                        prevent_initial_call=True)
