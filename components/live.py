"""What a live view's page needs to poll cheaply (web/live.py, assets/live.js): the URL of its
version and how to say "last updated" when nothing changed, in the page's language."""

from __future__ import annotations

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
